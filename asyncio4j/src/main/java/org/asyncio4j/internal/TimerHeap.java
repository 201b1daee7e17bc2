package org.asyncio4j.internal;

import java.util.Arrays;

/**
 * The loop's pending timers: a 4-ary min-heap keyed by (deadline, sequence number), so timers
 * due at the same time leave in the order they were scheduled.
 *
 * <h2>Implementation overview</h2>
 * The keys live in two {@code long[]} arrays beside the array of timers, so sifting compares
 * numbers in contiguous memory instead of loading each timer object (with 100,000 sleeping
 * tasks, that pointer chasing was most of a wake-up's cost), and four children per node halve
 * the depth of a binary heap. Each timer knows its index, so a cancelled timer leaves at once in
 * O(log n) instead of lingering. Loop-confined.
 */
final class TimerHeap {
    private TimerHandleImpl[] heap = new TimerHandleImpl[64];
    private long[] deadlines = new long[64];
    private long[] seqs = new long[64];
    private int size;

    int size() {
        return size;
    }

    TimerHandleImpl peek() {
        return size == 0 ? null : heap[0];
    }

    void add(TimerHandleImpl t) {
        if (size == heap.length) {
            int n = size * 2;
            heap = Arrays.copyOf(heap, n);
            deadlines = Arrays.copyOf(deadlines, n);
            seqs = Arrays.copyOf(seqs, n);
        }
        siftUp(size++, t);
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
        heap[i].heapIndex = -1;
        int last = --size;
        TimerHandleImpl moved = heap[last];
        heap[last] = null;
        if (i != last) {
            siftDown(i, moved);
            if (heap[i] == moved) {
                siftUp(i, moved);
            }
        }
        if (heap.length > 1024 && size < heap.length / 4) {
            int n = heap.length / 2;
            heap = Arrays.copyOf(heap, n);
            deadlines = Arrays.copyOf(deadlines, n);
            seqs = Arrays.copyOf(seqs, n);
        }
    }

    private void place(int i, TimerHandleImpl t, long d, long s) {
        heap[i] = t;
        deadlines[i] = d;
        seqs[i] = s;
        t.heapIndex = i;
    }

    private void siftUp(int i, TimerHandleImpl t) {
        long d = t.deadline, s = t.seq;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long pd = deadlines[parent];
            if (pd < d || pd == d && seqs[parent] < s) {
                break;
            }
            place(i, heap[parent], pd, seqs[parent]);
            i = parent;
        }
        place(i, t, d, s);
    }

    private void siftDown(int i, TimerHandleImpl t) {
        long d = t.deadline, s = t.seq;
        while (true) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int best = first;
            long bd = deadlines[first], bs = seqs[first];
            int end = Math.min(first + 4, size);
            for (int c = first + 1; c < end; c++) {
                long cd = deadlines[c];
                if (cd < bd || cd == bd && seqs[c] < bs) {
                    best = c;
                    bd = cd;
                    bs = seqs[c];
                }
            }
            if (d < bd || d == bd && s < bs) {
                break;
            }
            place(i, heap[best], bd, bs);
            i = best;
        }
        place(i, t, d, s);
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
