package org.asyncio4j.benchmarks.jmh;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

import org.asyncio4j.Task;
import org.asyncio4j.sync.Event;

/**
 * Memory per parked task: N tasks parked on one {@link Event}, against N plain virtual threads
 * parked on one {@link CountDownLatch}. Each side is measured in a fresh JVM with a fixed heap
 * ({@value #HEAP}, no pre-touch, {@code -Xbatch}), so the RSS growth is the pages the parked tasks touched:
 * heap bytes per task after a full GC (3 x {@code System.gc()}), and RSS bytes per task from
 * {@code /proc/self/status} (VmRSS; -1 where there is no /proc).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar org.asyncio4j.benchmarks.jmh.MemoryProbe [N]}
 * (the parent needs no flags; it starts the children with them). {@link MemoryBench} runs the same
 * measurement inside the JMH suite.
 */
public final class MemoryProbe {
    static final int DEFAULT_TASKS = 100_000;
    static final String HEAP = "512m";
    /**
     * Warm-up: 10 rounds of N/50 before the measured round, in a child run with {@code -Xbatch}
     * (compilation in the foreground), so the park path is compiled when the measured tasks park: a
     * task parked in interpreted frames keeps a larger stack chunk, and with background compilation
     * the heap per virtual thread went from 830 to 1,750 B from run to run. Small rounds, so the
     * warm-up touches few heap pages that the measured round could reuse unseen by RSS.
     */
    static final int WARM_UP_ROUNDS = 10;
    static final int WARM_UP_SHARE = 50;

    /** One side's figures, in bytes per task. */
    public record Result(String side, int tasks, double heapPerTask, double rssPerTask) {
    }

    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        if (args.length >= 1 && args[0].equals("--child")) {
            String side = args[1];
            int n = Integer.parseInt(args[2]);
            double[] r = side.equals("asyncio") ? asyncioParked(n) : threadsParked(n);
            System.out.printf("RESULT %s %d %.1f %.1f%n", side, n, r[0], r[1]);
            return;
        }
        int n = args.length >= 1 ? Integer.parseInt(args[0]) : DEFAULT_TASKS;
        System.out.printf("%d parked, fresh JVM each, -Xms%s -Xmx%s -XX:-AlwaysPreTouch%n", n, HEAP, HEAP);
        for (String side : List.of("asyncio", "threads")) {
            Result r = measureInChild(side, n);
            System.out.printf("%-8s heap %7.0f B/task   RSS %7.0f B/task%n", side, r.heapPerTask(), r.rssPerTask());
        }
    }

    /** Runs one side in a fresh JVM (same java, same class path) and parses its figures. */
    public static Result measureInChild(String side, int n) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xms" + HEAP, "-Xmx" + HEAP, "-XX:-AlwaysPreTouch", "-Xbatch",
                Jmh.OPENS, "-cp", System.getProperty("java.class.path"),
                MemoryProbe.class.getName(), "--child", side, Integer.toString(n));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Result result = null;
        StringBuilder out = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                out.append(line).append('\n');
                if (line.startsWith("RESULT ")) {
                    String[] f = line.split(" ");
                    result = new Result(f[1], Integer.parseInt(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]));
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || result == null) {
            throw new IllegalStateException("memory probe child (" + side + ") failed, exit " + rc + ":\n" + out);
        }
        return result;
    }

    /** {heap, rss} bytes per task for n asyncio tasks parked on one Event. */
    static double[] asyncioParked(int n) {
        for (int i = 0; i < WARM_UP_ROUNDS; i++) {  // warm-up: load and compile the code paths
            parkTasks(Math.max(1, n / WARM_UP_SHARE), false);
        }
        return parkTasks(n, true);
    }

    private static double[] parkTasks(int n, boolean measure) {
        return run(() -> {
            Event ev = new Event();
            sleep(0);
            long heap0 = measure ? heapAfterGc() : 0;
            long rss0 = measure ? rss() : 0;
            List<Task<Void>> ts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ts.add(createTask(() -> ev.await()));
            }
            sleep(0);                                   // every task runs to ev.await() and parks
            sleep(0);
            double[] r = new double[2];
            if (measure) {
                long heap1 = heapAfterGc();
                long rss1 = rss();
                r[0] = (heap1 - heap0) / (double) n;
                r[1] = rss0 < 0 ? -1 : (rss1 - rss0) / (double) n;
            }
            ev.set();
            gather(ts);
            return r;
        });
    }

    /** {heap, rss} bytes per thread for n plain virtual threads parked on one CountDownLatch. */
    static double[] threadsParked(int n) throws InterruptedException {
        for (int i = 0; i < WARM_UP_ROUNDS; i++) {
            parkThreads(Math.max(1, n / WARM_UP_SHARE), false);
        }
        return parkThreads(n, true);
    }

    /** Starts n plain virtual threads that each wait for {@code gate} (MillionTasks' peer too). */
    public static Thread[] startParked(int n, CountDownLatch gate) {
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            ts[i] = Thread.ofVirtual().start(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        return ts;
    }

    private static double[] parkThreads(int n, boolean measure) throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        long heap0 = measure ? heapAfterGc() : 0;
        long rss0 = measure ? rss() : 0;
        Thread[] ts = startParked(n, gate);
        for (Thread t : ts) {                           // wait until every one is parked
            while (t.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
        }
        double[] r = new double[2];
        if (measure) {
            long heap1 = heapAfterGc();
            long rss1 = rss();
            r[0] = (heap1 - heap0) / (double) n;
            r[1] = rss0 < 0 ? -1 : (rss1 - rss0) / (double) n;
        }
        gate.countDown();
        for (Thread t : ts) {
            t.join();
        }
        return r;
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
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
