package org.asyncio4j.internal.carrier;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.Asyncio;
import org.asyncio4j.CancelledException;
import org.asyncio4j.CarrierMode;
import org.asyncio4j.EventLoop;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Future;
import org.asyncio4j.RunOptions;
import org.asyncio4j.Task;
import org.asyncio4j.queues.Queue;
import org.asyncio4j.streams.Connection;
import org.asyncio4j.streams.Server;
import org.asyncio4j.sync.Lock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The portable mode (api.md, "Portable mode: no --add-opens"): a JVM without the flag runs the
 * toolkit with the same results; in the portable pass of the suite, what the mode documents as
 * different (a blocking JDK call holds the loop up, a virtual thread started in a task is
 * foreign to the loop); and, in both passes, the guarantees both modes give: steps never
 * overlap, an interrupt from another thread is a cancel request, a task woken after its loop
 * closed still finishes.
 */
@Timeout(60)
class PortableModeTest {

    private static boolean portable() {
        return Asyncio.carrierMode() == CarrierMode.PORTABLE;
    }

    // ------------------------------------------------------------------ a JVM without the flag

    /**
     * Run in a JVM without {@code --add-opens}: a gather of sleeps, a Lock, a Queue ping-pong and
     * a TCP echo through streams, each printing {@code name=value}.
     */
    public static final class Program {
        public static void main(String[] args) throws Exception {
            System.out.println("mode=" + Asyncio.carrierMode());
            long t0 = System.nanoTime();
            List<Integer> slept = run(() -> gather(() -> {
                sleep(0.5);
                return 1;
            }, () -> {
                sleep(0.5);
                return 2;
            }, () -> {
                sleep(0.5);
                return 3;
            }));
            System.out.println("gather=" + slept);
            System.out.println("gatherMillis=" + (System.nanoTime() - t0) / 1_000_000);

            String order = run(() -> {
                Lock lock = new Lock();
                StringBuilder sb = new StringBuilder();
                List<Task<Void>> ts = new ArrayList<>();
                for (String name : List.of("a", "b", "c")) {
                    ts.add(createTask(() -> {
                        try (var held = lock.acquire()) {
                            sb.append(name).append('+');
                            sleep(0.01);          // others queue on the lock meanwhile
                            sb.append(name).append('-');
                        }
                    }));
                }
                gather(ts);
                return sb.toString();
            });
            System.out.println("lock=" + order);

            int pongs = run(() -> {
                Queue<Integer> ping = new Queue<>(1);
                Queue<Integer> pong = new Queue<>(1);
                Task<Void> echo = createTask(() -> {
                    while (true) {
                        int v = ping.get();
                        if (v < 0) {
                            return;
                        }
                        pong.put(v + 1);
                    }
                });
                int v = 0;
                for (int i = 0; i < 1000; i++) {
                    ping.put(v);
                    v = pong.get();
                }
                ping.put(-1);
                echo.await();
                return v;
            });
            System.out.println("pingpong=" + pongs);

            String echoed = run(() -> {
                Server server = Asyncio.startServer((reader, writer) -> {
                    byte[] line;
                    while ((line = reader.readLine()).length > 0) {
                        writer.write(line);
                        writer.drain();
                    }
                    writer.close();
                }, "127.0.0.1", 0);
                int port = server.addresses().get(0).getPort();
                Connection c = Asyncio.openConnection("127.0.0.1", port);
                StringBuilder sb = new StringBuilder();
                for (String s : List.of("one", "two", "three")) {
                    c.writer().write((s + "\n").getBytes(StandardCharsets.UTF_8));
                    sb.append(new String(c.reader().readLine(), StandardCharsets.UTF_8).trim()).append(' ');
                }
                c.writer().close();
                server.close();
                server.waitClosed();
                return sb.toString().trim();
            });
            System.out.println("echo=" + echoed);
        }
    }

    @Test
    void withoutTheFlag_runsInThePortableMode_andTheToolkitGivesTheSameResults() throws Exception {
        Forks.Fork f = Forks.fork(Program.class);
        assertEquals(0, f.exit(), f.both());
        Map<String, String> out = new LinkedHashMap<>();
        f.stdout().lines().filter(l -> l.contains("=")).forEach(l -> out.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertEquals("PORTABLE", out.get("mode"), f.both());
        assertEquals("[1, 2, 3]", out.get("gather"), f.both());
        assertTrue(Long.parseLong(out.get("gatherMillis")) < 1400, "three 0.5 s sleeps ran one after another: " + f.both());
        assertEquals("a+a-b+b-c+c-", out.get("lock"), f.both());
        assertEquals("1000", out.get("pingpong"), f.both());
        assertEquals("one two three", out.get("echo"), f.both());
        List<String> info = f.stderrLines("INFO");
        assertEquals(1, info.size(), f.both());
        assertTrue(info.get(0).contains("portable mode") && info.get(0).contains(Forks.FLAG), f.both());
    }

    // ------------------------------------------------------------------ what the portable mode documents

    @Test
    void carrierMode_isTheOneThePropertyAsksFor() {
        String asked = System.getProperty(TaskThreads.MODE_PROPERTY, "");
        assertEquals(asked.equals("portable") ? CarrierMode.PORTABLE : CarrierMode.FAST, Asyncio.carrierMode());
    }

    @Test
    void portable_aBlockingJdkCallInsideATask_holdsUpTheLoopsOtherTasks() {
        assumeTrue(portable(), "the portable mode's difference");
        int[] ticks = run(() -> {
            int[] n = {0, 0};
            Task<Void> ticker = createTask(() -> {
                while (true) {
                    n[0]++;
                    sleep(0.001);
                }
            });
            sleep(0.02);
            int before = n[0];
            Thread.sleep(200);            // keeps the turn: the ticker cannot run meanwhile
            n[1] = n[0] - before;
            ticker.cancel();
            return n;
        });
        assertTrue(ticks[0] > 0);
        assertEquals(0, ticks[1], "the ticker ran while a task was in Thread.sleep");
    }

    @Test
    void portable_debugMode_reportsABlockingCallAsASlowStep_withItsStack() {
        assumeTrue(portable(), "the portable mode's difference");
        List<ExceptionContext> reports = new ArrayList<>();
        run(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, c) -> reports.add(c));
            Thread.sleep(300);
        }, RunOptions.defaults().withDebug(true));
        List<ExceptionContext> slow = reports.stream().filter(c -> c.message().startsWith("Executing")).toList();
        assertEquals(1, slow.size(), reports.toString());
        assertTrue(slow.get(0).message().contains("Thread.sleep"), slow.get(0).message());
    }

    @Test
    void portable_aVirtualThreadStartedInATask_isAPlainThread_foreignToTheLoop() throws Exception {
        assumeTrue(portable(), "the portable mode's difference");
        Map<String, Object> seen = run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Future<String> f = loop.createFuture();
            Map<String, Object> m = new LinkedHashMap<>();
            Thread vt = Thread.ofVirtual().start(() -> {
                m.put("currentTask", String.valueOf(Asyncio.currentTask()));
                m.put("getRunningLoop", assertThrows(IllegalStateException.class, Asyncio::getRunningLoop).getClass());
                m.put("await", assertThrows(IllegalStateException.class, f::await).getMessage().contains("outside a task"));
                loop.callSoonThreadsafe(() -> f.setResult("set from a plain thread"));
                try {
                    m.put("get", f.get(10, TimeUnit.SECONDS));
                } catch (Exception e) {
                    m.put("get", e);
                }
            });
            String v = f.await();
            m.put("awaited", v);
            while (vt.isAlive()) {
                sleep(0.005);             // not vt.join(): that JDK wait would hold the loop, which vt's get() needs
            }
            return m;
        });
        assertEquals("null", seen.get("currentTask"));
        assertEquals(IllegalStateException.class, seen.get("getRunningLoop"));
        assertEquals(true, seen.get("await"));
        assertEquals("set from a plain thread", seen.get("awaited"));
        assertEquals("set from a plain thread", seen.get("get"));
    }

    // ------------------------------------------------------------------ both modes

    /**
     * Thousands of steps of many tasks, switching at random through every kind of asyncio4j
     * suspension point: every step runs while no other step of the loop runs (a plain counter
     * never exceeds one), inside a task, and each task sees itself as the current task.
     */
    @Test
    void stepsNeverOverlap_andEachRunsAsItsOwnTask() {
        int[] state = new int[4];           // inside, maxInside, notCurrent, steps
        run(() -> {
            Random rnd = new Random(12);
            Lock lock = new Lock();
            Queue<Integer> q = new Queue<>(4);
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long seed = rnd.nextLong();
                ts.add(createTask(() -> {
                    Random r = new Random(seed);
                    Task<?> me = Asyncio.currentTask();
                    for (int k = 0; k < 30; k++) {
                        state[0]++;
                        state[1] = Math.max(state[1], state[0]);
                        state[3]++;
                        if (Asyncio.currentTask() != me) {
                            state[2]++;
                        }
                        for (int spin = r.nextInt(50); spin > 0; spin--) {
                            Thread.onSpinWait();
                        }
                        state[0]--;
                        switch (r.nextInt(4)) {
                            case 0 -> sleep(0);
                            case 1 -> sleep(r.nextDouble() * 0.002);
                            case 2 -> {
                                try (var held = lock.acquire()) {
                                    sleep(0);
                                }
                            }
                            default -> {
                                if (r.nextBoolean()) {
                                    if (!q.isFull()) {
                                        q.put(k);
                                    }
                                } else if (!q.isEmpty()) {
                                    q.get();
                                }
                            }
                        }
                    }
                }));
            }
            gather(ts);
        });
        assertEquals(1, state[1], "two steps overlapped");
        assertEquals(0, state[2], "a step ran outside its own task");
        assertEquals(200 * 30, state[3]);
    }

    /** An interrupt of a task parked in an await, from another thread, is a cancel request (both modes). */
    @Test
    void interruptFromAnotherThread_ofATaskParkedInAwait_cancelsIt() {
        String outcome = run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Future<Void> never = loop.createFuture();
            AtomicReference<Thread> thread = new AtomicReference<>();
            Task<String> t = createTask(() -> {
                thread.set(Thread.currentThread());
                try {
                    never.await();
                    return "woke";
                } catch (CancelledException e) {
                    return "cancelled";
                }
            });
            sleep(0.01);
            Thread interrupter = Thread.ofPlatform().start(() -> thread.get().interrupt());
            String r = t.await();
            interrupter.join();
            return r + ", future cancelled: " + never.isCancelled();
        });
        assertEquals("cancelled, future cancelled: true", outcome);
    }

    /**
     * A task the loop left behind at its close (it refused to end within the shutdown timeout,
     * sleeping again), woken afterwards by an interrupt from another thread, still runs to its
     * end: its wake-up goes to the closed loop's fallback, never lost, never a rejection.
     */
    @Test
    void aTaskLeftBehindAtClose_wokenAfterwards_stillFinishes() throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<String> ended = new CompletableFuture<>();
        List<ExceptionContext> reports = new ArrayList<>();
        EventLoop loop = Asyncio.newEventLoop();
        loop.setExceptionHandler((l, c) -> reports.add(c));
        Task<Void> t = loop.createTask(() -> {
            thread.set(Thread.currentThread());
            try {
                sleep(3600);
            } catch (CancelledException first) {
                try {
                    sleep(3600);          // refuses the shutdown's cancellation: left behind
                } catch (CancelledException second) {
                    ended.complete("cancelled again after the close");
                    throw second;
                }
            }
        });
        loop.runUntilComplete(() -> {
            sleep(0.01);
            return null;
        });
        ((org.asyncio4j.internal.EventLoopImpl) loop).setShutdownTimeout(Duration.ofMillis(50));
        loop.close();
        assertTrue(loop.isClosed());
        assertFalse(t.isDone());
        assertTrue(reports.stream().anyMatch(c -> c.message().contains("refused to end")), reports.toString());
        thread.get().interrupt();         // its wake-up reaches the closed loop
        assertEquals("cancelled again after the close", ended.get(10, TimeUnit.SECONDS));
    }

    /** Inside a task, the current task is the task itself, in both modes, and the running loop its loop. */
    @Test
    void insideATask_currentTaskAndRunningLoopAreItsOwn() {
        Object[] seen = run(() -> {
            Task<?> outer = Asyncio.currentTask();
            EventLoop loop = Asyncio.getRunningLoop();
            Task<Object[]> inner = createTask(() -> new Object[] {Asyncio.currentTask(), Asyncio.getRunningLoop()});
            Object[] in = inner.await();
            return new Object[] {outer, loop, inner, in[0], in[1], Asyncio.currentTask()};
        });
        assertSame(seen[2], seen[3]);
        assertSame(seen[1], seen[4]);
        assertSame(seen[0], seen[5]);
        assertNull(Asyncio.currentTask());
    }
}
