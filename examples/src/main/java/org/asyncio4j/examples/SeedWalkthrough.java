package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

import org.asyncio4j.AsyncGenerator;
import org.asyncio4j.Asyncio;
import org.asyncio4j.Future;
import org.asyncio4j.ReturnWhen;
import org.asyncio4j.Task;
import org.asyncio4j.ExceptionGroup;
import org.asyncio4j.TaskGroup;
import org.asyncio4j.sync.Lock;

/**
 * The seed notes' examples, in the order api.md lists them, each printed with its result and
 * how long it took: concurrency shows as wall time (three 1-second sleeps gathered take about
 * one second).
 *
 * <p>Run it with {@code ./dev demo}.
 */
public final class SeedWalkthrough {

    /** Python: {@code async def m1(): await asyncio.sleep(1); return 10}. */
    static int m1() {
        sleep(1);
        return 10;
    }

    public static void main(String[] args) {
        System.out.println("asyncio4j seed walkthrough: each line shows a result and its wall time.");

        step("run(M1(1)): one task, one 1 s sleep", () -> run(() -> {
            sleep(1);
            return 1;
        }));

        step("Task.FromResult / completed(100): no suspension", () -> run(() -> completed(100).await()));

        step("gather(m1, m1, m1): results in order, ~1 s not 3 s",
                () -> run(() -> gather(() -> m1(), () -> m1(), () -> m1())));

        step("createTask x2 then await each: ~1 s not 2 s", () -> run(() -> {
            Task<Integer> t1 = createTask(() -> m1());
            Task<Integer> t2 = createTask(() -> m1());
            return t1.await() + t2.await();
        }));

        step("wait(ALL_COMPLETED) -> done results", () -> run(() -> {
            var r = Asyncio.wait(List.of(createTask(() -> m1()), createTask(() -> m1())), ReturnWhen.ALL_COMPLETED);
            return r.done().stream().map(Future::resultNow).toList();
        }));

        step("toThread: five blocking 3 s calls, ~3 s not 15 s", () -> run(() -> gather(IntStream.rangeClosed(1, 5)
                .mapToObj(i -> createTask(() -> toThread(() -> {
                    Thread.sleep(3000);
                    return i;
                })))
                .toList())));

        step("TaskGroup: two 1 s children, ~1 s", () -> run(() -> {
            Task<String> t1, t2;
            try (var tg = new TaskGroup()) {
                t1 = tg.createTask(() -> {
                    sleep(1);
                    return "Hello Word";
                });
                t2 = tg.createTask(() -> {
                    sleep(1);
                    return "Hello Word";
                });
            }
            return t1.resultNow() + t2.resultNow();
        }));

        step("TaskGroup.run (lambda form): a failing child cancels its 10 s sibling, ~1 s", () -> run(() -> {
            try {
                return TaskGroup.run(tg -> {
                    tg.createTask(() -> sleep(10));
                    tg.createTask(() -> {
                        sleep(1);
                        throw new IllegalStateException("boom");
                    });
                    return "not reached";
                });
            } catch (ExceptionGroup e) {
                return "ExceptionGroup" + e.exceptions().stream().map(Throwable::getMessage).toList();
            }
        }));

        step("TaskGroup M2: tasks sleeping 1..5 s, results after the group, ~5 s", () -> run(() -> {
            List<Task<Integer>> tasks;
            try (var tg = new TaskGroup()) {
                tasks = IntStream.rangeClosed(1, 5).mapToObj(i -> tg.createTask(() -> {
                    sleep(i);
                    return i;
                })).toList();
            }
            return tasks.stream().map(Task::resultNow).toList();
        }));

        var lock = new Lock();
        step("Lock: async with lock, sleep 1 s inside, return 10", () -> run(() -> {
            try (var _ = lock.acquire()) {
                sleep(1);
                return 10;
            }
        }));

        step("Lock: three tasks through one lock, ~3 s (one at a time)", () -> run(() -> gather(
                () -> { try (var _ = lock.acquire()) { sleep(1); return 1; } },
                () -> { try (var _ = lock.acquire()) { sleep(1); return 2; } },
                () -> { try (var _ = lock.acquire()) { sleep(1); return 3; } })));

        System.out.println("async for over a generator of a TaskGroup: 1, 2, 3, 4, 5, one per second:");
        long t0 = System.nanoTime();
        run(() -> {
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                try (var tg = new TaskGroup()) {
                    var tasks = IntStream.rangeClosed(1, 5).mapToObj(i -> tg.createTask(() -> {
                        sleep(i);
                        return i;
                    })).toList();
                    for (var t : tasks) {
                        y.yield(t.await());
                    }
                }
            })) {
                for (int x : gen) {
                    System.out.printf("    %d at %.3f s%n", x, (System.nanoTime() - t0) / 1e9);
                }
            }
        });
    }

    private static void step(String title, Callable<?> body) {
        long t0 = System.nanoTime();
        Object result;
        try {
            result = body.call();
        } catch (Exception e) {
            result = "failed: " + e;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%-62s -> %-26s %6.3f s%n", title, result, secs);
    }
}
