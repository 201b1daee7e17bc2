package org.asyncio4j.internal.carrier;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.asyncio4j.Asyncio;
import org.asyncio4j.EventLoop;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The carrier seam's contract (architecture.md, "The seam's contract"): a JDK upgrade that
 * breaks the seam should fail here first. The tests of the fast mode's own carrying (a task's
 * carrier is the loop thread, every JDK blocking call comes back through the loop) are tagged
 * fast-only; the forked JVMs choose their own mode, so those tests run in both passes.
 */
@Timeout(60)
class CarrierTest {

    private static final String FLAG = Forks.FLAG;
    private static final String MODE = "-D" + TaskThreads.MODE_PROPERTY;

    /** Run by the forked JVMs: one plain Asyncio.run. */
    public static final class ForkMain {
        public static void main(String[] args) {
            int v = Asyncio.run(() -> {
                sleep(0);
                return 42;
            });
            System.out.println("result=" + v);
            System.out.println("mode=" + Asyncio.carrierMode());
        }
    }

    /**
     * Run by the forked JVMs of the missing-internals tests: calls every entry that reaches the
     * seam and prints one line per call, {@code name => value} or {@code name => !Class: message}.
     */
    public static final class SeamProbe {
        public static void main(String[] args) {
            System.out.println("reason => " + Carrier.unavailableReason());
            probe("currentTask on a platform thread", () -> String.valueOf(Asyncio.currentTask()));
            probe("currentTask on a virtual thread", () -> onVirtualThread(() -> String.valueOf(Asyncio.currentTask())));
            probe("currentTask inside a run attempt", () -> String.valueOf(Asyncio.run(() -> "ran: " + Asyncio.currentTask())));
            probe("currentTask inside a run attempt on a virtual thread",
                    () -> onVirtualThread(() -> String.valueOf(Asyncio.run(() -> "ran: " + Asyncio.currentTask()))));
            probe("newEventLoop", () -> String.valueOf(Asyncio.newEventLoop()));
            probe("Runner.getLoop", () -> String.valueOf(new org.asyncio4j.Runner().getLoop()));
            probe("completed", () -> String.valueOf(Asyncio.completed(1)));
            probe("Carrier.currentCarrierThread", () -> String.valueOf(Carrier.currentCarrierThread()));
            probe("Carrier.newVirtualThread", () -> String.valueOf(Carrier.newVirtualThread(Runnable::run, "x", () -> { })));
            probe("Carrier.schedulerOf a virtual thread",
                    () -> String.valueOf(Carrier.schedulerOf(Thread.ofVirtual().unstarted(() -> { }))));
            probe("carrierMode", () -> String.valueOf(Asyncio.carrierMode()));
        }

        private static void probe(String name, java.util.concurrent.Callable<String> call) {
            String out;
            try {
                out = call.call();
            } catch (Throwable e) {
                Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                out = "!" + t.getClass().getName() + ": " + t.getMessage();
            }
            System.out.println(name + " => " + out);
        }

        private static String onVirtualThread(java.util.concurrent.Callable<String> call) throws Exception {
            CompletableFuture<String> r = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    r.complete(call.call());
                } catch (Throwable e) {
                    r.completeExceptionally(e);
                }
            }).join();
            return r.get();
        }
    }

    @Test
    void isSupported_inTheTestJvm() {
        assertTrue(Carrier.isSupported(), Carrier.unavailableReason());
        assertNull(Carrier.unavailableReason());
        assertDoesNotThrow(Carrier::checkSupported);
    }

    @Test
    void currentCarrierThread_ofPlatformThread_isItself() {
        assertSame(Thread.currentThread(), Carrier.currentCarrierThread());
        assertNull(Carrier.schedulerOf(Thread.currentThread()));
    }

    @Test
    @Tag("fast-only")
    void insideTask_threadIsVirtual_andCarrierIsTheLoopThread() {
        Thread loopThread = Thread.currentThread();
        Object[] seen = run(() -> new Object[] {
                Thread.currentThread().isVirtual(), Carrier.currentCarrierThread(),
                Carrier.schedulerOf(Thread.currentThread()) != null });
        assertEquals(true, seen[0]);
        assertSame(loopThread, seen[1]);
        assertEquals(true, seen[2]);
    }

    // ------------------------------------------------------------------ resume paths

    /** Records, after each kind of blocking call inside a task, which thread carries the task. */
    @Test
    @Tag("fast-only")
    void everyResumePath_comesBackThroughTheLoopThread() throws Exception {
        Thread loopThread = Thread.currentThread();
        Map<String, Thread> carriers = new LinkedHashMap<>();
        Map<String, Integer> ticksDuring = new LinkedHashMap<>();
        List<Throwable> helperErrors = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            run(() -> {
                int[] ticks = {0};
                AtomicBoolean stopTicker = new AtomicBoolean();
                Task<Void> ticker = createTask(() -> {
                    while (!stopTicker.get()) {
                        ticks[0]++;
                        sleep(0.001);
                    }
                });
                sleep(0);

                // Thread.yield
                int t0 = ticks[0];
                Thread.yield();
                carriers.put("yield", Carrier.currentCarrierThread());

                // LockSupport.unpark from a platform thread
                Thread me = Thread.currentThread();
                AtomicBoolean unparked = new AtomicBoolean();
                Thread unparker = Thread.ofPlatform().start(() -> {
                    waitUntilWaiting(me);
                    sleepQuietly(30);
                    unparked.set(true);
                    LockSupport.unpark(me);
                });
                t0 = ticks[0];
                while (!unparked.get()) {
                    LockSupport.park();
                }
                carriers.put("foreign unpark", Carrier.currentCarrierThread());
                ticksDuring.put("foreign unpark", ticks[0] - t0);
                unparker.join();

                // Thread.sleep
                t0 = ticks[0];
                Thread.sleep(50);
                carriers.put("Thread.sleep", Carrier.currentCarrierThread());
                ticksDuring.put("Thread.sleep", ticks[0] - t0);

                // contended synchronized
                Object monitor = new Object();
                CountDownLatch held = new CountDownLatch(1);
                Thread holder = Thread.ofPlatform().start(() -> {
                    synchronized (monitor) {
                        held.countDown();
                        waitUntilBlocked(me);
                        sleepQuietly(30);
                    }
                });
                held.await();
                t0 = ticks[0];
                synchronized (monitor) {
                    carriers.put("contended synchronized", Carrier.currentCarrierThread());
                }
                ticksDuring.put("contended synchronized", ticks[0] - t0);
                holder.join();

                // Object.wait / notify
                Object cond = new Object();
                boolean[] flag = {false};
                Thread notifier = Thread.ofPlatform().start(() -> {
                    sleepQuietly(30);
                    synchronized (cond) {
                        flag[0] = true;
                        cond.notifyAll();
                    }
                });
                t0 = ticks[0];
                synchronized (cond) {
                    while (!flag[0]) {
                        cond.wait();
                    }
                    carriers.put("Object.wait", Carrier.currentCarrierThread());
                }
                ticksDuring.put("Object.wait", ticks[0] - t0);
                notifier.join();

                // socket read, the peer writes from a platform thread
                Thread peer = Thread.ofPlatform().start(() -> {
                    try (Socket s = server.accept()) {
                        sleepQuietly(50);
                        OutputStream out = s.getOutputStream();
                        out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException e) {
                        synchronized (helperErrors) {
                            helperErrors.add(e);
                        }
                    }
                });
                t0 = ticks[0];
                try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort())) {
                    InputStream in = client.getInputStream();
                    byte[] buf = new byte[6];
                    int n = 0;
                    while (n < 6) {
                        int r = in.read(buf, n, 6 - n);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    carriers.put("socket read", Carrier.currentCarrierThread());
                    assertEquals("hello\n", new String(buf, 0, n, StandardCharsets.UTF_8));
                }
                ticksDuring.put("socket read", ticks[0] - t0);
                peer.join();

                // ReentrantLock
                ReentrantLock lock = new ReentrantLock();
                CountDownLatch locked = new CountDownLatch(1);
                Thread lockHolder = Thread.ofPlatform().start(() -> {
                    lock.lock();
                    try {
                        locked.countDown();
                        waitUntilWaiting(me);
                        sleepQuietly(30);
                    } finally {
                        lock.unlock();
                    }
                });
                locked.await();
                t0 = ticks[0];
                lock.lock();
                try {
                    carriers.put("ReentrantLock", Carrier.currentCarrierThread());
                } finally {
                    lock.unlock();
                }
                ticksDuring.put("ReentrantLock", ticks[0] - t0);
                lockHolder.join();

                // CompletableFuture.join
                CompletableFuture<String> cf = new CompletableFuture<>();
                Thread completer = Thread.ofPlatform().start(() -> {
                    sleepQuietly(50);
                    cf.complete("done");
                });
                t0 = ticks[0];
                assertEquals("done", cf.join());
                carriers.put("CompletableFuture.join", Carrier.currentCarrierThread());
                ticksDuring.put("CompletableFuture.join", ticks[0] - t0);
                completer.join();

                stopTicker.set(true);
                ticker.await();
            });
        }
        assertEquals(List.of(), helperErrors);
        assertEquals(List.of("yield", "foreign unpark", "Thread.sleep", "contended synchronized", "Object.wait",
                "socket read", "ReentrantLock", "CompletableFuture.join"), new ArrayList<>(carriers.keySet()));
        carriers.forEach((path, carrier) -> assertSame(loopThread, carrier, "resumed off the loop after " + path));
        // the task blocked cooperatively: the loop ran the ticker meanwhile
        ticksDuring.forEach((path, n) -> assertTrue(n > 0, "the loop was stalled during " + path));
    }

    private static void waitUntilWaiting(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static void waitUntilBlocked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ threads started in tasks

    @Test
    @Tag("fast-only")
    void virtualThreadStartedInTask_runsOnLoopThread_isNotATask_andFinishes() {
        Thread loopThread = Thread.currentThread();
        Object[] seen = new Object[4];
        boolean finished = run(() -> {
            Thread vt = Thread.ofVirtual().start(() -> {
                seen[0] = Carrier.currentCarrierThread();
                seen[1] = Asyncio.currentTask();
                seen[2] = Thread.currentThread().isVirtual();
                Thread.yield();
                sleepQuietly(10);
                seen[3] = Carrier.currentCarrierThread();
            });
            assertTrue(vt.join(java.time.Duration.ofSeconds(10)));
            return !vt.isAlive();
        });
        assertTrue(finished);
        assertSame(loopThread, seen[0]);
        assertNull(seen[1]);
        assertEquals(true, seen[2]);
        assertSame(loopThread, seen[3]);
    }

    // ------------------------------------------------------------------ socket pollers

    @Test
    void socketPollers_areNotCarriedByALoop() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread peer = echoOnce(server);
            EventLoop[] loopA = new EventLoop[1];
            String a = run(() -> {
                loopA[0] = Asyncio.getRunningLoop();
                return roundTrip(server, "a");
            });
            assertEquals("a", a);
            peer.join();
            assertTrue(loopA[0].isClosed());
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().contains("Poller")) {
                    Executor scheduler = t.isVirtual() ? Carrier.schedulerOf(t) : null;
                    assertFalse(scheduler instanceof EventLoop, "poller " + t + " is carried by a loop");
                    assertFalse(scheduler != null && scheduler.getClass().getName().startsWith("org.asyncio4j"),
                            "poller " + t + " is scheduled by asyncio4j: " + scheduler);
                }
            }
            // loop A is closed: socket operations in a task of a new loop B still work
            peer = echoOnce(server);
            String b = run(() -> roundTrip(server, "b"));
            assertEquals("b", b);
            peer.join();
        }
    }

    private static Thread echoOnce(ServerSocket server) {
        return Thread.ofPlatform().start(() -> {
            try (Socket s = server.accept()) {
                int c = s.getInputStream().read();
                sleepQuietly(20);
                s.getOutputStream().write(c);
                s.getOutputStream().flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static String roundTrip(ServerSocket server, String one) throws IOException {
        try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
            s.getOutputStream().write(one.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            int c = s.getInputStream().read();
            return String.valueOf((char) c);
        }
    }

    // ------------------------------------------------------------------ after close

    @Test
    @Tag("fast-only")
    void lateContinuation_afterLoopClosed_stillFinishes_andExecuteNeverThrows() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> outcome = new AtomicReference<>();
        AtomicReference<Thread> vtRef = new AtomicReference<>();
        AtomicReference<Executor> schedulerRef = new AtomicReference<>();
        run(() -> {
            schedulerRef.set(Carrier.schedulerOf(Thread.currentThread()));
            vtRef.set(Thread.ofVirtual().start(() -> {
                try {
                    release.await();
                    outcome.set("finished after close");
                } catch (InterruptedException e) {
                    outcome.set("interrupted");
                }
            }));
            sleep(0);           // let it start and park on the latch
        });
        Thread vt = vtRef.get();
        assertTrue(vt.isAlive(), "the thread should still wait on the latch");
        release.countDown();    // its wake-up reaches the closed loop's scheduler
        assertTrue(vt.join(java.time.Duration.ofSeconds(10)), "the late continuation never ran");
        assertEquals("finished after close", outcome.get());

        Executor scheduler = schedulerRef.get();
        assertNotNull(scheduler);
        CountDownLatch ran = new CountDownLatch(1);
        assertDoesNotThrow(() -> scheduler.execute(ran::countDown));
        Thread other = Thread.ofPlatform().start(() -> scheduler.execute(() -> { }));
        other.join();
    }

    // ------------------------------------------------------------------ forked JVMs

    private static Forks.Fork fork(String... jvmArgs) throws Exception {
        return Forks.fork(ForkMain.class, jvmArgs);
    }

    private static Forks.Fork fork(Class<?> main, String... jvmArgs) throws Exception {
        return Forks.fork(main, jvmArgs);
    }

    @Test
    void forkedJvm_withFlag_runsALoopInTheFastMode_andLogsNothing() throws Exception {
        Forks.Fork f = fork("--add-opens", "java.base/java.lang=ALL-UNNAMED");
        assertEquals(0, f.exit(), f.both());
        assertTrue(f.stdout().contains("result=42"), f.both());
        assertTrue(f.stdout().contains("mode=FAST"), f.both());
        assertEquals("", f.stderr(), "no INFO line where the fast mode runs");
    }

    @Test
    void forkedJvm_withoutFlag_runsInThePortableMode_withOneInfoLineNamingTheFlag() throws Exception {
        Forks.Fork f = fork();
        assertEquals(0, f.exit(), f.both());
        assertTrue(f.stdout().contains("result=42"), f.both());
        assertTrue(f.stdout().contains("mode=PORTABLE"), f.both());
        List<String> naming = f.stderrLines(FLAG);
        assertEquals(1, naming.size(), f.both());
        assertTrue(naming.get(0).contains("INFO") && naming.get(0).contains("portable mode"), f.both());
    }

    @Test
    void forkedJvm_fastForcedWithoutFlag_failsWithExactlyOneLineNamingTheFlag() throws Exception {
        Forks.Fork f = fork(MODE + "=fast");
        assertNotEquals(0, f.exit(), f.both());
        List<String> naming = f.stderrLines(FLAG);
        assertEquals(1, naming.size(), f.both());
        assertTrue(naming.get(0).contains(IllegalStateException.class.getName()), f.both());
        assertTrue(naming.get(0).contains(MODE + "=fast"), f.both());
        assertFalse(f.stdout().contains("result="), f.both());
    }

    @Test
    void forkedJvm_portableForcedWithFlag_runsInThePortableMode_andLogsNothing() throws Exception {
        Forks.Fork f = fork("--add-opens", "java.base/java.lang=ALL-UNNAMED", MODE + "=portable");
        assertEquals(0, f.exit(), f.both());
        assertTrue(f.stdout().contains("result=42") && f.stdout().contains("mode=PORTABLE"), f.both());
        assertEquals("", f.stderr(), "a forced mode logs nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Fast ", "PORTABLE"})
    void forkedJvm_modeProperty_ignoresCaseAndSpaces(String value) throws Exception {
        Forks.Fork f = fork("--add-opens", "java.base/java.lang=ALL-UNNAMED", MODE + "=" + value);
        assertEquals(0, f.exit(), f.both());
        assertTrue(f.stdout().contains("mode=" + value.trim().toUpperCase(java.util.Locale.ROOT)), f.both());
    }

    @Test
    void forkedJvm_unknownMode_failsAtTheFirstLoop_namingThePropertyAndTheModes() throws Exception {
        Forks.Fork f = fork("--add-opens", "java.base/java.lang=ALL-UNNAMED", MODE + "=turbo");
        assertNotEquals(0, f.exit(), f.both());
        String line = f.stderr().lines().filter(l -> l.contains(IllegalStateException.class.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(f.both()));
        assertTrue(line.contains(MODE + "=turbo") && line.contains("'fast'") && line.contains("'portable'"), line);
    }

    @Test
    void forkedJvm_withDisableProperty_runsPortable_sayingTheFastModeIsSwitchedOff() throws Exception {
        Forks.Fork f = fork("--add-opens", "java.base/java.lang=ALL-UNNAMED", "-D" + Carrier.DISABLE_PROPERTY + "=true");
        assertEquals(0, f.exit(), f.both());
        assertTrue(f.stdout().contains("mode=PORTABLE"), f.both());
        List<String> info = f.stderrLines("INFO");
        assertEquals(1, info.size(), f.both());
        assertTrue(info.get(0).contains("switched off") && info.get(0).contains(Carrier.DISABLE_PROPERTY), f.both());
    }

    @Test
    void forkedJvm_withDisableProperty_andFastForced_failsSayingItIsSwitchedOff() throws Exception {
        Forks.Fork f = fork("--add-opens", "java.base/java.lang=ALL-UNNAMED", "-D" + Carrier.DISABLE_PROPERTY + "=true",
                MODE + "=fast");
        assertNotEquals(0, f.exit(), f.both());
        assertTrue(f.stderr().contains("switched off"), f.both());
        assertTrue(f.stderr().contains(Carrier.DISABLE_PROPERTY), f.both());
    }

    /**
     * A JDK whose internals moved (simulated with the seam's test hook), or the flag missing (the
     * empty case): the fast seam's own entries fail with the one line that names what is missing,
     * never a NullPointerException; {@code currentTask()} outside any loop is null, as documented.
     * Left to choose, asyncio4j runs in the portable mode: loops are made and run. With the fast
     * mode forced, every entry that makes a loop fails with that line, and the run attempt never
     * runs its body.
     */
    @ParameterizedTest
    @ValueSource(strings = {"java.lang.VirtualThread.scheduler", "java.lang.Thread.currentCarrierThread",
            "java.lang.ThreadBuilders.newVirtualThread", "java.lang.VirtualThread", "",
            "fast:java.lang.VirtualThread.scheduler", "fast:java.lang.Thread.currentCarrierThread",
            "fast:java.lang.ThreadBuilders.newVirtualThread", "fast:java.lang.VirtualThread", "fast:"})
    void forkedJvm_missingInternals_everySeamEntryFailsWithTheOneLineReason_neverNpe(String spec) throws Exception {
        boolean fastForced = spec.startsWith("fast:");
        String missing = fastForced ? spec.substring(5) : spec;
        List<String> args = new ArrayList<>();
        if (!missing.isEmpty()) {
            args.addAll(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "-D" + Carrier.SIMULATE_MISSING_PROPERTY + "=" + missing));
        }
        if (fastForced) {
            args.add(MODE + "=fast");
        }
        Forks.Fork f = fork(SeamProbe.class, args.toArray(String[]::new));
        assertEquals(0, f.exit(), f.both());
        String all = f.stdout() + f.stderr();
        assertFalse(all.contains("NullPointerException"), all);
        Map<String, String> out = new LinkedHashMap<>();
        f.stdout().lines().filter(l -> l.contains(" => ")).forEach(l -> {
            int i = l.indexOf(" => ");
            out.put(l.substring(0, i), l.substring(i + 4));
        });
        String reason = out.get("reason");
        assertNotNull(reason, f.stdout());
        assertFalse(reason.equals("null"), "the seam should be unavailable: " + f.stdout());
        assertTrue(missing.isEmpty() ? reason.contains(FLAG) : reason.contains(missing), reason);
        assertEquals("null", out.get("currentTask on a platform thread"), f.stdout());
        assertEquals("null", out.get("currentTask on a virtual thread"), f.stdout());
        assertEquals("null", out.get("Carrier.schedulerOf a virtual thread"), f.stdout());
        String failure = "!" + IllegalStateException.class.getName() + ": " + reason;
        for (String entry : List.of("Carrier.currentCarrierThread", "Carrier.newVirtualThread")) {
            assertEquals(failure, out.get(entry), entry + " in:\n" + f.stdout());
        }
        List<String> loopEntries = List.of("currentTask inside a run attempt", "currentTask inside a run attempt on a virtual thread",
                "newEventLoop", "Runner.getLoop", "completed", "carrierMode");
        if (fastForced) {
            for (String entry : loopEntries) {
                String got = out.get(entry);
                assertTrue(got.startsWith(failure) && got.contains(MODE + "=fast"), entry + " in:\n" + f.stdout());
            }
        } else {
            assertEquals("PORTABLE", out.get("carrierMode"), f.stdout());
            assertTrue(out.get("currentTask inside a run attempt").startsWith("ran: Task[pending name=Task-1"), f.stdout());
            assertTrue(out.get("currentTask inside a run attempt on a virtual thread").startsWith("ran: Task["), f.stdout());
            assertTrue(out.get("newEventLoop").startsWith("EventLoop[idle"), f.stdout());
            assertTrue(out.get("Runner.getLoop").startsWith("EventLoop[idle"), f.stdout());
            assertFalse(out.get("completed").startsWith("!"), f.stdout());
            List<String> info = f.stderrLines("INFO");
            assertEquals(1, info.size(), f.both());
            assertTrue(info.get(0).contains(reason), f.both());
        }
    }
}
