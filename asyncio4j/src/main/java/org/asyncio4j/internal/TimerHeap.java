package org.asyncio4j.internal;

import java.util.Arrays;

/**
 * The loop's pending timers, leaving in (deadline, sequence number) order, so timers due at the
 * same time leave in the order they were scheduled.
 *
 * <h2>Implementation overview</h2>
 * A 4-ary min-heap alone costs a poll about 20 cache misses at a million timers (each level
 * loads a line of keys and writes the index of the timer it moves): ~1 us per wake-up, most of
 * a sleeping task's wake. So the heap is kept small by a wheel in front of it:
 * <ul>
 *   <li>time is cut into buckets of {@value #BUCKET_SHIFT}-bit width (2^20 ns, about 1 ms), and
 *       a <em>cursor</em> names a bucket;</li>
 *   <li>the <em>near</em> heap holds every timer whose bucket is at or before the cursor;</li>
 *   <li>the <em>wheel</em> holds, unsorted, the timers of the next {@value #WHEEL} buckets
 *       (about 4 s: a sleep of a second added by a loop running three seconds late still fits):
 *       adding one is an append;</li>
 *   <li>the <em>far</em> heap holds the rest (long timeouts).</li>
 * </ul>
 * Every timer in the wheel or the far heap is due after every timer in the near heap, so the
 * near heap's minimum is the minimum of all, and the order is exact. When the near heap runs
 * empty, the cursor moves to the next non-empty bucket and only that bucket is heapified, so the
 * near heap holds about a millisecond of timers and stays in cache, even when the loop runs
 * late and a second of due timers waits (moving the cursor to the present each turn would
 * heapify all of them). The loop peeks with its clock's reading ({@link #peek(long)}): a next
 * bucket more than one bucket ahead of the present is scanned for its earliest timer instead of
 * heapified, and the cursor stays, so the timers added while the loop waits for it still go to
 * the wheel. Far timers move into the wheel as the cursor comes within a wheel's
 * span of them; with the near heap and the wheel empty the far heap serves directly, and the
 * next timer added moves the cursor to the present.
 *
 * <p>Where a timer is follows from its deadline and the cursor, so a timer records only its
 * index there ({@code heapIndex}, -1 when in none), and a cancelled timer leaves at once: in
 * O(1) from a bucket, in O(log n) from a heap. Loop-confined.
 */
final class TimerHeap {
    static final int BUCKET_SHIFT = 20;
    static final int WHEEL = 4096;                  // buckets (about 4.3 s); a power of two
    private static final int MASK = WHEEL - 1;
    private static final TimerHandleImpl[] EMPTY = new TimerHandleImpl[0];

    private final Heap near = new Heap();
    private final Heap far = new Heap();
    private final TimerHandleImpl[][] buckets = new TimerHandleImpl[WHEEL][];
    private final int[] counts = new int[WHEEL];
    private int inWheel;
    private int minSlot = -1;                       // peek(now)'s scan: the slot it scanned, and its earliest timer
    private TimerHandleImpl minOfSlot;
    private static final int KEEP = 1024;           // a bucket array larger than this is let go once empty
    private long cursor = Long.MIN_VALUE / 2;       // no bucket yet: everything is beyond the wheel

    TimerHeap() {
        Arrays.fill(buckets, EMPTY);
    }

    private static long bucketOf(long deadline) {
        return deadline >> BUCKET_SHIFT;
    }

    int size() {
        return near.size + inWheel + far.size;
    }

    /** The earliest timer, moving the cursor to it if need be: {@link #peek(long)} with every bucket due. */
    TimerHandleImpl peek() {
        return peek(Long.MAX_VALUE);
    }

    /**
     * The earliest timer, the loop's clock reading {@code now}. Unlike {@link #peek()}, it moves
     * the cursor only to a bucket that is due or next: a loop idle until a timer seconds away
     * learns that timer's deadline from a scan of its bucket (remembered until the bucket
     * changes), and the cursor stays at the present, so the timers added meanwhile still go to
     * the wheel rather than all to the near heap.
     */
    TimerHandleImpl peek(long now) {
        if (near.size > 0) {
            return near.heap[0];
        }
        if (inWheel == 0) {
            return far.size > 0 ? far.heap[0] : null;
        }
        long b = nextBucket();
        if (b <= bucketOf(now) + 1) {
            moveCursor(b);
            return near.heap[0];
        }
        int w = (int) (b & MASK);
        if (minSlot != w) {
            TimerHandleImpl[] bucket = buckets[w];
            TimerHandleImpl min = bucket[0];
            for (int i = 1; i < counts[w]; i++) {
                if (bucket[i].before(min)) {
                    min = bucket[i];
                }
            }
            minSlot = w;
            minOfSlot = min;
        }
        return minOfSlot;
    }

    /** The first bucket after the cursor that holds timers (the wheel is not empty). */
    private long nextBucket() {
        long b = cursor + 1;
        while (counts[(int) (b & MASK)] == 0) {
            b++;
        }
        return b;
    }

    TimerHandleImpl poll() {
        Heap h = near.size > 0 || fillNear() ? near : far;
        if (h.size == 0) {
            return null;
        }
        TimerHandleImpl top = h.heap[0];
        h.removeAt(0);
        return top;
    }

    /** Adds {@code t} where the cursor is (correct wherever it is). */
    void add(TimerHandleImpl t) {
        place(t);
    }

    /**
     * Adds {@code t}, the loop's clock reading {@code now}. With the near heap empty and nothing
     * due in the wheel, the cursor first moves to the present, so the wheel's span starts at the
     * present again (the cursor stays where it was while the loop waited for a later timer).
     */
    void add(TimerHandleImpl t, long now) {
        if (near.size == 0) {
            long b = bucketOf(now);
            if (inWheel == 0 && far.size == 0) {
                cursor = b;                         // empty: recentre (backwards too)
            } else if (b > cursor && (inWheel == 0 || nextBucket() > b)) {
                moveCursor(b);                      // passes only empty buckets: nothing is heapified
            }
        }
        place(t);
    }

    void remove(TimerHandleImpl t) {
        int i = t.heapIndex;
        if (i < 0) {
            return;
        }
        long b = bucketOf(t.deadline);
        if (b <= cursor) {
            near.remove(t);
        } else if (b - cursor < WHEEL) {
            int w = (int) (b & MASK);
            TimerHandleImpl[] bucket = buckets[w];
            if (i < counts[w] && bucket[i] == t) {
                int last = --counts[w];
                TimerHandleImpl moved = bucket[last];
                bucket[i] = moved;
                moved.heapIndex = i;
                bucket[last] = null;
                t.heapIndex = -1;
                inWheel--;
                if (w == minSlot) {
                    minSlot = -1;                   // its earliest may have gone
                }
                if (last == 0 && bucket.length > KEEP) {
                    buckets[w] = EMPTY;             // a burst's array is not kept for good
                }
            }
        } else {
            far.remove(t);
        }
    }

    /** For tests: the near heap's size, and the slots the wheel's bucket arrays hold. */
    int nearSize() {
        return near.size;
    }

    long bucketSlots() {
        long n = 0;
        for (TimerHandleImpl[] b : buckets) {
            n += b.length;
        }
        return n;
    }

    /** Removes everything (loop close). */
    void clear() {
        near.clear();
        far.clear();
        for (int w = 0; w < WHEEL; w++) {
            TimerHandleImpl[] bucket = buckets[w];
            for (int i = 0; i < counts[w]; i++) {
                bucket[i].heapIndex = -1;
                bucket[i] = null;
            }
            counts[w] = 0;
            buckets[w] = EMPTY;
        }
        inWheel = 0;
        minSlot = -1;
    }

    private void place(TimerHandleImpl t) {
        long b = bucketOf(t.deadline);
        if (b <= cursor) {
            near.add(t);
        } else if (b - cursor < WHEEL) {
            int w = (int) (b & MASK);
            int c = counts[w];
            TimerHandleImpl[] bucket = buckets[w];
            if (c == bucket.length) {
                bucket = buckets[w] = Arrays.copyOf(bucket, Math.max(16, c * 2));
            }
            bucket[c] = t;
            t.heapIndex = c;
            counts[w] = c + 1;
            inWheel++;
            if (w == minSlot && t.before(minOfSlot)) {
                minOfSlot = t;
            }
        } else {
            far.add(t);
        }
    }

    /**
     * The near heap is empty: moves the cursor to the next bucket with timers and heapifies it.
     * False if the wheel is empty too: then the far heap's minimum is the earliest timer, and the
     * cursor stays (jumping it to a timer a minute away would send every shorter timer added
     * meanwhile to the near heap).
     */
    private boolean fillNear() {
        if (inWheel == 0) {
            return false;
        }
        moveCursor(nextBucket());
        return true;
    }

    /** Moves the cursor forward to bucket {@code to}: the buckets passed join the near heap, far timers come closer. */
    private void moveCursor(long to) {
        long from = cursor;
        cursor = to;
        minSlot = -1;
        if (inWheel > 0) {
            long last = Math.min(to, from + WHEEL - 1);
            for (long b = from + 1; b <= last && inWheel > 0; b++) {
                int w = (int) (b & MASK);
                int c = counts[w];
                if (c > 0) {
                    TimerHandleImpl[] bucket = buckets[w];
                    counts[w] = 0;
                    inWheel -= c;
                    for (int i = 0; i < c; i++) {
                        TimerHandleImpl t = bucket[i];
                        bucket[i] = null;
                        near.add(t);
                    }
                    if (bucket.length > KEEP) {
                        buckets[w] = EMPTY;   // a burst's array is not kept for good
                    }
                }
            }
        }
        while (far.size > 0 && bucketOf(far.heap[0].deadline) - to < WHEEL) {
            TimerHandleImpl t = far.heap[0];
            far.removeAt(0);
            place(t);
        }
    }

    /**
     * A 4-ary min-heap keyed by (deadline, sequence). The keys live in two {@code long[]} arrays
     * beside the array of timers, so sifting compares numbers in contiguous memory instead of
     * loading each timer object; four children per node halve the depth of a binary heap.
     */
    private static final class Heap {
        TimerHandleImpl[] heap = new TimerHandleImpl[64];
        private long[] deadlines = new long[64];
        private long[] seqs = new long[64];
        int size;

        void add(TimerHandleImpl t) {
            if (size == heap.length) {
                resize(size * 2);
            }
            siftUp(size++, t);
        }

        void remove(TimerHandleImpl t) {
            int i = t.heapIndex;
            if (i >= 0 && i < size && heap[i] == t) {
                removeAt(i);
            }
        }

        void removeAt(int i) {
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
                resize(heap.length / 2);
            }
        }

        void clear() {
            for (int i = 0; i < size; i++) {
                heap[i].heapIndex = -1;
                heap[i] = null;
            }
            size = 0;
        }

        private void resize(int n) {
            heap = Arrays.copyOf(heap, n);
            deadlines = Arrays.copyOf(deadlines, n);
            seqs = Arrays.copyOf(seqs, n);
        }

        private void set(int i, TimerHandleImpl t, long d, long s) {
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
                set(i, heap[parent], pd, seqs[parent]);
                i = parent;
            }
            set(i, t, d, s);
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
                set(i, heap[best], bd, bs);
                i = best;
            }
            set(i, t, d, s);
        }
    }
}
