package org.asyncio4j;

import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.newEventLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.toThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code EventLoop.addSignalHandler} and {@code removeSignalHandler} (Python's
 * {@code loop.add_signal_handler}): the callback runs on the loop; replacing, removing, closing
 * and two loops on one signal; names refused with a message that says why. In this JVM the
 * signals are raised with {@code Signal.raise} on USR1 (it throws, instead of ending the test
 * JVM, if no Java handler is installed); a forked JVM receives HUP from {@code kill} and shows
 * that removing the last handler gives the signal back to the JDK.
 */
@Timeout(60)
class SignalsTest {

    private static final Signal USR1 = new Signal("USR1");

    /** What is installed for the signal now (put back at once): SIG_DFL when nobody handles it. */
    static SignalHandler installed(String name) {
        Signal sig = new Signal(name);
        SignalHandler probe = s -> { };
        SignalHandler now = Signal.handle(sig, probe);
        Signal.handle(sig, now);
        return now;
    }

    /** Runs {@code loop} until {@code latch} opens (the signal's callback ran on it) or 10 s pass. */
    private static boolean runUntil(EventLoop loop, CountDownLatch latch) {
        return loop.runUntilComplete(() -> toThread(() -> latch.await(10, TimeUnit.SECONDS)));
    }

    @Test
    void callback_runsOnTheLoopsThread_asACallback() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Task<?>> inTask = new AtomicReference<>();
        Thread loopThread = Thread.currentThread();
        run(() -> {
            Event got = new Event();
            getRunningLoop().addSignalHandler("USR1", () -> {
                ranOn.set(Thread.currentThread());
                inTask.set(Asyncio.currentTask());
                got.set();
            });
            Signal.raise(USR1);
            Asyncio.timeout(java.time.Duration.ofSeconds(10), () -> got.await());
        });
        assertSame(loopThread, ranOn.get(), "the loop's own thread, not the JVM's signal thread");
        assertEquals(null, inTask.get(), "a callback, not a task");
        assertEquals(SignalHandler.SIG_DFL, installed("USR1"), "run's loop closed: its handler is gone");
    }

    @Test
    void addingAgain_replacesTheCallback() {
        AtomicInteger first = new AtomicInteger(), second = new AtomicInteger();
        try (EventLoop loop = newEventLoop()) {
            CountDownLatch latch = new CountDownLatch(1);
            loop.addSignalHandler("USR1", first::incrementAndGet);
            loop.addSignalHandler("USR1", () -> {
                second.incrementAndGet();
                latch.countDown();
            });
            Signal.raise(USR1);
            assertTrue(runUntil(loop, latch));
            assertEquals(0, first.get());
            assertEquals(1, second.get());
        }
    }

    @Test
    void remove_putsBackWhatWasThere_andAnswersWhetherThereWasOne() {
        try (EventLoop loop = newEventLoop()) {
            assertFalse(loop.removeSignalHandler("USR1"));
            loop.addSignalHandler("USR1", () -> { });
            assertFalse(installed("USR1") == SignalHandler.SIG_DFL);
            assertTrue(loop.removeSignalHandler("USR1"));
            assertEquals(SignalHandler.SIG_DFL, installed("USR1"));
            assertFalse(loop.removeSignalHandler("USR1"));
        }
    }

    @Test
    void remove_keepsAHandlerTheApplicationInstalledMeanwhile() {
        SignalHandler mine = s -> { };
        try (EventLoop loop = newEventLoop()) {
            loop.addSignalHandler("USR1", () -> { });
            Signal.handle(USR1, mine);
            assertTrue(loop.removeSignalHandler("USR1"));
            assertSame(mine, installed("USR1"));
        } finally {
            Signal.handle(USR1, SignalHandler.SIG_DFL);
        }
    }

    @Test
    void close_removesTheLoopsHandlers() {
        EventLoop loop = newEventLoop();
        loop.addSignalHandler("USR1", () -> { });
        loop.addSignalHandler("SIGWINCH", () -> { });
        loop.close();
        assertEquals(SignalHandler.SIG_DFL, installed("USR1"));
        assertEquals(SignalHandler.SIG_DFL, installed("WINCH"));
        assertFalse(loop.removeSignalHandler("USR1"), "a closed loop has none");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.addSignalHandler("USR1", () -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void twoLoops_theLastToAddGetsTheSignal_removingItGivesItBack() {
        try (EventLoop a = newEventLoop(); EventLoop b = newEventLoop()) {
            AtomicInteger toA = new AtomicInteger(), toB = new AtomicInteger();
            CountDownLatch[] latch = {new CountDownLatch(1)};
            a.addSignalHandler("USR1", () -> {
                toA.incrementAndGet();
                latch[0].countDown();
            });
            b.addSignalHandler("USR1", () -> {
                toB.incrementAndGet();
                latch[0].countDown();
            });
            Signal.raise(USR1);
            assertTrue(runUntil(b, latch[0]));
            assertEquals(List.of(0, 1), List.of(toA.get(), toB.get()));

            assertTrue(b.removeSignalHandler("USR1"));
            latch[0] = new CountDownLatch(1);
            Signal.raise(USR1);
            assertTrue(runUntil(a, latch[0]));
            assertEquals(List.of(1, 1), List.of(toA.get(), toB.get()));

            assertTrue(a.removeSignalHandler("USR1"));
            assertEquals(SignalHandler.SIG_DFL, installed("USR1"));
        }
    }

    @Test
    void sigPrefix_isAccepted() {
        try (EventLoop loop = newEventLoop()) {
            loop.addSignalHandler("SIGUSR1", () -> { });
            assertTrue(loop.removeSignalHandler("USR1"));
        }
    }

    @Test
    void signalsTheJvmKeeps_areRefused_withTheReason() {
        try (EventLoop loop = newEventLoop()) {
            for (String name : List.of("KILL", "STOP", "QUIT", "SEGV", "BUS", "USR2", "PIPE", "SIGKILL")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> loop.addSignalHandler(name, () -> { }), name);
                String plain = name.replace("SIG", "");
                assertTrue(e.getMessage().startsWith("signal " + plain + " cannot be handled in Java: "), e.getMessage());
            }
            assertFalse(loop.removeSignalHandler("KILL"), "a real signal, with no handler of this loop");
        }
        assertEquals("SIG_DFL", installed("USR1").toString());
    }

    @Test
    void unknownNames_areRefused_sayingHowToSpellOne() {
        try (EventLoop loop = newEventLoop()) {
            for (String name : List.of("FOO", "", "SIG", "int")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> loop.addSignalHandler(name, () -> { }), name);
                assertTrue(e.getMessage().startsWith("unknown signal \"" + name + "\": give its name as the OS spells it"),
                        e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> loop.removeSignalHandler(name));
            }
        }
    }

    @Test
    void nullArguments_nameTheParameter() {
        try (EventLoop loop = newEventLoop()) {
            assertEquals("signal", assertThrows(NullPointerException.class, () -> loop.addSignalHandler(null, () -> { }))
                    .getMessage());
            assertEquals("callback", assertThrows(NullPointerException.class, () -> loop.addSignalHandler("USR1", null))
                    .getMessage());
            assertEquals("signal", assertThrows(NullPointerException.class, () -> loop.removeSignalHandler(null))
                    .getMessage());
        }
    }

    // ------------------------------------------------------------------ forked JVMs

    /** The forked program: args[0] names the scenario. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook")));
            switch (args[0]) {
                case "hup" -> run(Child::hup);
                case "term" -> {
                    try {
                        run(() -> {                    // the README's graceful SIGTERM
                            Task<?> main = Asyncio.currentTask();
                            getRunningLoop().addSignalHandler("TERM", () -> main.cancel("SIGTERM"));
                            try {
                                System.out.println("ready");
                                Asyncio.sleep(60);
                            } finally {
                                System.out.println("main finally");
                            }
                        });
                    } catch (CancelledException e) {
                        System.out.println("run threw CancelledException: " + e.getMessage());
                        System.exit(143);
                    }
                }
                case "refused" -> {
                    try (EventLoop loop = newEventLoop()) {
                        loop.addSignalHandler(args[1], () -> { });
                        System.out.println("added");
                    } catch (IllegalArgumentException e) {
                        System.out.println("refused: " + e.getMessage());
                    }
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        static void hup() {
            EventLoop loop = getRunningLoop();
            Event first = new Event(), second = new Event();
            loop.addSignalHandler("HUP", () -> {
                System.out.println("first handler on thread " + Thread.currentThread().getName());
                first.set();
            });
            System.out.println("ready 1");
            first.await();
            loop.addSignalHandler("HUP", () -> {
                System.out.println("second handler");
                second.set();
            });
            System.out.println("ready 2");
            second.await();
            System.out.println("removed: " + loop.removeSignalHandler("HUP"));
            Asyncio.sleep(60);
            System.out.println("still alive");
        }
    }

    @Test
    void hupFromKill_reachesTheLoop_replaceAndRemove_thenTheJdksHandlerIsBack() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, "hup")) {
            child.awaitLine("ready 1");
            child.signal("HUP");
            assertEquals("first handler on thread main", child.awaitLine("first handler"));
            child.awaitLine("ready 2");
            child.signal("HUP");
            child.awaitLine("second handler");
            child.awaitLine("removed: true");
            child.signal("HUP");
            assertEquals(129, child.awaitExit(), child.output());
            assertTrue(child.printed("hook"), "the JDK's own HUP handler: shutdown hooks, exit 129\n" + child.output());
            assertFalse(child.printed("still alive"), child.output());
        }
    }

    @Test
    void aTermHandlerThatCancelsTheMainTask_givesAGracefulShutdown() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, "term")) {
            child.awaitLine("ready");
            child.signal("TERM");
            assertEquals(143, child.awaitExit(), child.output());
            assertTrue(child.printed("main finally"), child.output());
            assertTrue(child.printed("run threw CancelledException: SIGTERM"), child.output());
        }
    }

    @Test
    void underXrs_hupIntAndTerm_areRefused_namingTheFlag() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(List.of(), List.of("-Xrs"), Child.class, "refused", "INT")) {
            assertEquals(0, child.awaitExit(), child.output());
            String line = child.awaitLine("refused: ");
            assertTrue(line.startsWith("refused: signal INT cannot be handled in Java: the JVM keeps it for itself"), line);
            assertTrue(line.contains("-Xrs"), line);
        }
    }

    @Test
    void aSignalTheProcessIgnores_isRefused_sayingTheJvmWouldNotDeliverIt() throws Exception {
        // sh's trap "" makes INT ignored in the process it execs, as nohup does for HUP.
        try (ForkedJvm child = ForkedJvm.start(List.of("sh", "-c", "trap '' INT; exec \"$0\" \"$@\""), List.of(),
                Child.class, "refused", "INT")) {
            assertEquals(0, child.awaitExit(), child.output());
            String line = child.awaitLine("refused: ");
            assertTrue(line.startsWith("refused: signal INT cannot be handled in Java: this process ignores it"), line);
        }
    }
}
