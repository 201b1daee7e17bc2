package org.asyncio4j.queues;

import static org.asyncio4j.Asyncio.sleep;

import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the queue tests. */
final class QueueTesting {
    private QueueTesting() {
    }

    /** Lets every ready task run a few steps (test_utils.run_briefly). */
    static void runBriefly() {
        for (int i = 0; i < 5; i++) {
            sleep(0);
        }
    }

    /** Takes every item left, without waiting, in the queue's order. */
    static <T> List<T> drain(Queue<T> q) {
        List<T> out = new ArrayList<>();
        while (!q.isEmpty()) {
            out.add(q.getNowait());
        }
        return out;
    }
}
