package org.asyncio4j.benchmarks;

import static org.asyncio4j.Asyncio.*;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import org.asyncio4j.Task;
import org.asyncio4j.queues.Queue;
import org.asyncio4j.sync.Event;
import org.asyncio4j.sync.Lock;

/**
 * The side-by-side workloads, asyncio4j edition: the same shapes and sizes as
 * benchmarks/python/workloads.py and benchmarks/node/workloads.js, so {@code benchmarks/compare}
 * can put them in one table. Each figure is the median of several rounds after a warm-up.
 *
 * <p>Arguments: {@code [--only name,...] [--rounds R] [--scale F]}. Prints
 * {@code <name> <value> <unit>} per workload.
 */
public final class Workloads {
    static volatile Object sink;

    record Workload(String name, int size, String unit, Body body) {
    }

    interface Body {
        double[] run(int n) throws Exception;
    }

    static final Map<String, Workload> ALL = new LinkedHashMap<>();

    static void add(String name, int size, String unit, Body body) {
        ALL.put(name, new Workload(name, size, unit, body));
    }

    static {
        add("sleep0", 1_000_000, "ns/switch", n -> one(() -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sleep(0);
            }
            return (System.nanoTime() - t0) / (double) n;
        }));
        add("pingpong", 500_000, "ns/handoff", n -> one(() -> {
            Event ping = new Event(), pong = new Event();
            long t0 = System.nanoTime();
            gather(() -> {
                for (int i = 0; i < n; i++) {
                    ping.set();
                    pong.await();
                    pong.clear();
                }
                return 0;
            }, () -> {
                for (int i = 0; i < n; i++) {
                    ping.await();
                    ping.clear();
                    pong.set();
                }
                return 0;
            });
            return (System.nanoTime() - t0) / (2.0 * n);
        }));
        add("spawn_gather", 100_000, "ns/task", n -> one(() -> {
            long t0 = System.nanoTime();
            List<Task<Integer>> ts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                ts.add(createTask(() -> k));
            }
            gather(ts);
            return (System.nanoTime() - t0) / (double) n;
        }));
        add("timers", 100_000, "ms wall", n -> run(() -> {
            SplittableRandom rnd = new SplittableRandom(42);
            var loop = getRunningLoop();
            double[] overshoot = {0};
            List<Task<Void>> ts = new ArrayList<>(n);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                double d = rnd.nextDouble() * 0.05;
                ts.add(createTask(() -> {
                    double start = loop.time();
                    sleep(d);
                    overshoot[0] += loop.time() - start - d;
                }));
            }
            gather(ts);
            double wall = (System.nanoTime() - t0) / 1e6;
            return new double[] {wall, overshoot[0] / n * 1e3};
        }));
        add("lock", 100_000, "ns/acquire", n -> one(() -> {
            Lock lock = new Lock();
            int perTask = n / 100;
            List<Task<Void>> ts = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < 100; t++) {
                ts.add(createTask(() -> {
                    for (int i = 0; i < perTask; i++) {
                        try (var r = lock.acquire()) {
                            sleep(0);
                        }
                    }
                }));
            }
            gather(ts);
            return (System.nanoTime() - t0) / (double) (perTask * 100);
        }));
        add("queue", 1_000_000, "ns/item", n -> one(() -> {
            Queue<Integer> q = new Queue<>(100);
            Integer item = 7;
            long t0 = System.nanoTime();
            gather(() -> {
                for (int i = 0; i < n; i++) {
                    q.put(item);
                }
                return 0;
            }, () -> {
                for (int i = 0; i < n; i++) {
                    q.get();
                }
                return 0;
            });
            return (System.nanoTime() - t0) / (double) n;
        }));
        add("callsoon", 1_000_000, "ns/callback", n -> one(() -> {
            var loop = getRunningLoop();
            org.asyncio4j.Future<Void> done = loop.createFuture();
            int[] count = {0};
            Runnable cb = () -> {
                if (++count[0] == n) {
                    done.setResult(null);
                }
            };
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                loop.callSoon(cb);
            }
            done.await();
            return (System.nanoTime() - t0) / (double) n;
        }));
        add("memory", 100_000, "B/task RSS", n -> run(() -> {
            Event ev = new Event();
            sleep(0);
            long heap0 = heapAfterGc(), rss0 = rss();
            List<Task<Void>> ts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ts.add(createTask(() -> ev.await()));
            }
            sleep(0);
            sleep(0);
            long heap1 = heapAfterGc(), rss1 = rss();
            ev.set();
            gather(ts);
            return new double[] {(rss1 - rss0) / (double) n, (heap1 - heap0) / (double) n};
        }));
    }

    static double[] one(Callable<Double> body) {
        return new double[] {run(body)};
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        List<String> only = List.of();
        int rounds = 5;
        double scale = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--only" -> only = Arrays.asList(args[i + 1].split(","));
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--scale" -> scale = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        for (Workload w : ALL.values()) {
            if (!only.isEmpty() && !only.contains(w.name())) {
                continue;
            }
            int n = Math.max(1, (int) (w.size() * scale));
            boolean memory = w.name().equals("memory");
            // Warm-up: let the JIT compile (a task parked in interpreted frames keeps a bigger
            // stack, so the memory figure needs it too).
            for (int i = 0; i < (memory ? 10 : 3); i++) {
                w.body().run(Math.max(1, n / (memory ? 10 : 4)));
            }
            int r = memory ? 1 : rounds;
            double[][] values = new double[r][];
            for (int i = 0; i < r; i++) {
                values[i] = w.body().run(n);
            }
            double main = median(values, 0);
            String extra = switch (w.name()) {
                case "timers" -> String.format(" overshoot_ms=%.2f", median(values, 1));
                case "memory" -> String.format(" heap_B=%.0f", median(values, 1));
                default -> "";
            };
            System.out.printf("%s %.1f %s%s%n", w.name(), main, w.unit(), extra);
        }
    }

    static double median(double[][] values, int k) {
        double[] xs = Arrays.stream(values).mapToDouble(v -> v[k]).sorted().toArray();
        return xs[xs.length / 2];
    }
}
