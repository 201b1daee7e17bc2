package org.asyncio4j.internal;

import java.util.Arrays;

/**
 * A binary min-heap of timers keyed by (deadline, sequence number), so timers due at the same
 * time leave in the order they were scheduled. Each timer knows its index, so a cancelled timer
 * leaves the heap at once in O(log n) instead of lingering. Loop-confined.
 */
final class TimerHeap {
    private TimerHandleImpl[] heap = new TimerHandleImpl[64];
    private int size;

    int size() {
        return size;
    }

    TimerHandleImpl peek() {
        return size == 0 ? null : heap[0];
    }

    void add(TimerHandleImpl t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.heapIndex = size;
        heap[size++] = t;
        siftUp(t.heapIndex);
    }

    TimerHandleImpl poll() {
        if (size == 0) {
            return null;
        }
        TimerHandleImpl top = heap[0];
        removeAt(0);
        return top;
    }

    void remove(TimerHandleImpl t) {
        int i = t.heapIndex;
        if (i >= 0 && i < size && heap[i] == t) {
            removeAt(i);
        }
    }

    private void removeAt(int i) {
        TimerHandleImpl removed = heap[i];
        removed.heapIndex = -1;
        int last = --size;
        if (i != last) {
            TimerHandleImpl moved = heap[last];
            heap[i] = moved;
            moved.heapIndex = i;
            heap[last] = null;
            siftDown(i);
            if (heap[i] == moved) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
        if (heap.length > 1024 && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, heap.length / 2);
        }
    }

    private void siftUp(int i) {
        TimerHandleImpl t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            TimerHandleImpl p = heap[parent];
            if (!t.before(p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        TimerHandleImpl t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            TimerHandleImpl c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].before(c)) {
                child = right;
                c = heap[child];
            }
            if (!c.before(t)) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    /** Removes everything (loop close). */
    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].heapIndex = -1;
            heap[i] = null;
        }
        size = 0;
    }
}
