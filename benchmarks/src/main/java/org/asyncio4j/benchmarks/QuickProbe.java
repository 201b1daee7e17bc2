package org.asyncio4j.benchmarks;

import static org.asyncio4j.Asyncio.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.asyncio4j.Future;
import org.asyncio4j.Task;

/**
 * Quick figures for the core runtime, before the JMH suite exists: median of several rounds
 * after warm-up. Not a substitute for JMH; good enough to see orders of magnitude.
 *
 * <p>Run with {@code ./dev probe [ROUNDS [PROBE...]]}: every probe, or only the named ones, alone (see {@code main}).
 */
public final class QuickProbe {

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        // Probes named after the rounds run alone, in the order given (./dev probe 15 lockc gen):
        // a probe's figure depends on what ran before it in the same JVM (the JIT's profiles),
        // so an A/B of one figure is sharper run this way, alternating the two builds.
        java.util.Set<String> only = new java.util.LinkedHashSet<>(java.util.Arrays.asList(args).subList(Math.min(1, args.length), args.length));
        var probes = new java.util.LinkedHashMap<String, Runnable>();
        probes.put("sleep0", () -> report("sleep(0) switch, one task", "ns/switch", rounds, shared("sleep0")));
        probes.put("pingpong", () -> report("ping-pong handoff via futures, two tasks", "ns/handoff", rounds, QuickProbe::pingPong));
        probes.put("spawn", () -> report("createTask + run + gather, per task", "ns/task", rounds, shared("spawn_gather")));
        probes.put("spawnEager", () -> report("createEagerTask + run + gather, per task", "ns/task", rounds, QuickProbe::spawnEager));
        probes.put("callsoon", () -> report("callSoon throughput, per callback", "ns/callback", rounds, shared("callsoon")));
        probes.put("locku", () -> report("Lock acquire+release, uncontended", "ns/pair", rounds, QuickProbe::lockUncontended));
        probes.put("lockc", () -> report("Lock handoff between two tasks, contended", "ns/handoff", rounds, QuickProbe::lockContended));
        probes.put("queuepair", () -> report("Queue put+get pair, no waiting", "ns/pair", rounds, QuickProbe::queuePair));
        probes.put("queue", () -> report("Queue(100) producer/consumer, per item", "ns/item", rounds, shared("queue")));
        probes.put("gen", () -> report("AsyncGenerator, per item", "ns/item", rounds, QuickProbe::generatorItem));
        probes.put("memory", () -> parkedMemory(100_000));
        for (String name : only) {
            if (!probes.containsKey(name)) {
                throw new IllegalArgumentException("no probe named '" + name + "'; the probes are " + probes.keySet());
            }
        }
        for (String name : only.isEmpty() ? probes.keySet() : only) {
            probes.get(name).run();
        }
    }

    /** A probe that is also a side-by-side workload: the same body, its standard size. */
    static Probe shared(String name) {
        Workloads.Workload w = Workloads.ALL.get(name);
        return () -> w.body().run(w.size())[0];
    }

    interface Probe {
        double run() throws Exception;
    }

    static void report(String name, String unit, int rounds, Probe p) {
        try {
            measure(name, unit, rounds, p);
        } catch (Exception e) {
            throw new IllegalStateException("probe '" + name + "' failed", e);
        }
    }

    static void measure(String name, String unit, int rounds, Probe p) throws Exception {
        for (int i = 0; i < 3; i++) {
            p.run();                   // warm-up
        }
        double[] xs = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            xs[i] = p.run();
        }
        java.util.Arrays.sort(xs);
        System.out.printf("%-45s %10.1f %s (min %.1f, max %.1f)%n", name, xs[rounds / 2], unit, xs[0], xs[rounds - 1]);
    }

    static double pingPong() {
        int n = 200_000;
        return run(() -> {
            var loop = getRunningLoop();
            Future<?>[] ping = {loop.createFuture()};
            Future<?>[] pong = {loop.createFuture()};
            Task<Void> b = createTask(() -> {
                for (int i = 0; i < n; i++) {
                    ping[0].await();
                    ping[0] = loop.createFuture();
                    @SuppressWarnings("unchecked")
                    Future<Object> p = (Future<Object>) pong[0];
                    p.setResult(null);
                }
            });
            sleep(0);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                @SuppressWarnings("unchecked")
                Future<Object> p = (Future<Object>) ping[0];
                p.setResult(null);
                pong[0].await();
                pong[0] = loop.createFuture();
            }
            b.await();
            return (System.nanoTime() - t0) / (2.0 * n);
        });
    }

    /**
     * The spawn probe with eager tasks: each body runs inside createEagerTask (from a task, so
     * the creator yields once per task and resumes after the body's step); the difference to
     * {@code spawn} is what an eager task costs.
     */
    static double spawnEager() {
        int n = 100_000;
        return run(() -> {
            long t0 = System.nanoTime();
            List<Task<Integer>> ts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                ts.add(createEagerTask(() -> k));
            }
            gather(ts);
            return (System.nanoTime() - t0) / (double) n;
        });
    }

    /** Objects published here escape, so the JIT cannot scalar-replace them away. */
    static volatile Object sink;
    static volatile int seq;

    static double lockUncontended() {
        int n = 2_000_000;
        return run(() -> {
            var lock = new org.asyncio4j.sync.Lock();
            sink = lock;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                lock.acquire();
                seq = i;                               // a volatile store: the pair cannot be folded
                lock.release();
            }
            return (System.nanoTime() - t0) / (double) n;
        });
    }

    /** Two tasks alternate on one lock: each release hands it to the other, which was waiting. */
    static double lockContended() {
        int n = 200_000;
        return run(() -> {
            var lock = new org.asyncio4j.sync.Lock();
            Runnable body = () -> {
                for (int i = 0; i < n; i++) {
                    try (var r = lock.acquire()) {
                        sleep(0);                      // hold it across a switch: the other queues
                    }
                }
            };
            long t0 = System.nanoTime();
            gather(() -> { body.run(); return 0; }, () -> { body.run(); return 0; });
            return (System.nanoTime() - t0) / (2.0 * n);
        });
    }

    static double queuePair() {
        int n = 2_000_000;
        return run(() -> {
            var q = new org.asyncio4j.queues.Queue<Integer>();
            sink = q;
            Integer item = 1;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                q.put(item);
                q.get();
            }
            return (System.nanoTime() - t0) / (double) n;
        });
    }

    static double generatorItem() {
        int n = 200_000;
        return run(() -> {
            long t0 = System.nanoTime();
            long sum = 0;
            try (var gen = org.asyncio4j.AsyncGenerator.<Integer>of(y -> {
                for (int i = 0; i < n; i++) {
                    y.yield(i);
                }
            })) {
                for (int x : gen) {
                    sum += x;
                }
            }
            if (sum < 0) {
                throw new AssertionError();
            }
            return (System.nanoTime() - t0) / (double) n;
        });
    }

    static void parkedMemory(int n) {
        run(() -> {
            var loop = getRunningLoop();
            Future<Void> gate = loop.createFuture();
            sleep(0);
            long heap0 = Workloads.heapAfterGc(), rss0 = Workloads.rss();
            List<Task<Void>> ts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ts.add(createTask(() -> {
                    gate.await();
                }));
            }
            sleep(0);
            sleep(0);
            long heap1 = Workloads.heapAfterGc(), rss1 = Workloads.rss();
            System.out.printf("%-45s %10.0f B/task heap after full GC, %.0f B/task RSS (%d tasks)%n",
                    "memory per parked task", (heap1 - heap0) / (double) n, (rss1 - rss0) / (double) n, n);
            gate.setResult(null);
            gather(ts);
        });
    }

}
