package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.atomic.AtomicBoolean;

import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl+C under {@code run} and {@code Runner} (Python 3.11's runner): in a forked JVM that
 * receives SIGINT from {@code kill}, the first SIGINT cancels the main task, every task's
 * {@code finally} runs, {@code run} throws {@link CancelledException}, and a {@code main} that
 * exits with 130 on it ends as a shell expects; a second SIGINT during a slow cleanup ends the
 * JVM as the JDK does (its shutdown hooks run); with the option off, off the main thread, or
 * with the application's own handler, run leaves SIGINT alone. Every child prints "hook" from a
 * shutdown hook, which tells the JDK's handler (hooks, then exit 130) from the OS default
 * (killed, also status 130, no hooks).
 */
@Timeout(120)
class SigintTest {

    private static final double FOREVER = Double.POSITIVE_INFINITY;

    /** The forked program: args[0] names the scenario. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook")));
            switch (args[0]) {
                case "cleanup" -> exitOnCtrlC(() -> Asyncio.run(Child::cleanupScenario));
                case "slowCleanup" -> exitOnCtrlC(() -> Asyncio.run(Child::slowCleanup));
                case "optionOff" -> exitOnCtrlC(() -> Asyncio.run(Child::cleanupScenario,
                        RunOptions.defaults().withSigintHandler(false)));
                case "notMainThread" -> {
                    Thread t = Thread.ofPlatform().name("worker").start(() -> exitOnCtrlC(() -> Asyncio.run(Child::cleanupScenario)));
                    t.join();
                }
                case "ownHandler" -> ownHandler();
                case "runner" -> exitOnCtrlC(() -> {
                    try (Runner r = new Runner()) {
                        r.run(() -> System.out.println("first run done"));
                        r.run(Child::cleanupScenario);
                    }
                });
                case "loopHandler" -> exitOnCtrlC(() -> Asyncio.run(Child::loopHandlerFirst));
                case "restoredAfterRun" -> {
                    Asyncio.run(() -> sleep(0.01));
                    System.out.println("run returned");
                    Thread.sleep(60_000);
                    System.out.println("still alive");
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        /** What the README tells a main to do: exit with 130 when Ctrl+C ended run. */
        static void exitOnCtrlC(Runnable body) {
            try {
                body.run();
                System.out.println("run returned");
            } catch (CancelledException e) {
                System.out.println("run threw CancelledException: " + e.getMessage());
                System.exit(130);
            }
        }

        static void cleanupScenario() {
            createTask(() -> {
                System.out.println("other started");
                try {
                    sleep(FOREVER);
                } finally {
                    System.out.println("other finally");
                }
            }, "other");
            try {
                sleep(0);
                System.out.println("ready");
                sleep(FOREVER);
            } catch (CancelledException e) {
                System.out.println("main cancelled: " + e.getMessage());
                throw e;
            } finally {
                System.out.println("main finally");
            }
        }

        static void slowCleanup() {
            try {
                System.out.println("ready");
                sleep(FOREVER);
            } finally {
                System.out.println("cleaning up");
                sleep(60);                     // cooperative: the loop runs, a second SIGINT can come
                System.out.println("cleanup done");
            }
        }

        static void ownHandler() throws Exception {
            AtomicBoolean got = new AtomicBoolean();
            SignalHandler mine = sig -> {
                System.out.println("application handler");
                got.set(true);
            };
            Signal.handle(new Signal("INT"), mine);
            exitOnCtrlC(() -> Asyncio.run(() -> {
                System.out.println("ready");
                while (!got.get()) {
                    sleep(0.02);
                }
                System.out.println("main done");
            }));
            SignalHandler now = Signal.handle(new Signal("INT"), mine);
            System.out.println("the application's handler is still installed: " + (now == mine));
        }

        static void loopHandlerFirst() {
            Event got = new Event();
            EventLoop loop = getRunningLoop();
            loop.addSignalHandler("INT", () -> {
                System.out.println("loop handler");
                got.set();
            });
            System.out.println("ready");
            got.await();
            System.out.println("removed: " + loop.removeSignalHandler("INT"));
            try {
                sleep(FOREVER);
            } finally {
                System.out.println("main finally");
            }
        }
    }

    @Test
    void firstSigint_cancelsTheMainTask_everyFinallyRuns_runThrowsCancelled_exit130() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, "cleanup")) {
            child.awaitLine("ready");
            child.awaitLine("other started");
            child.signal("INT");
            assertEquals(130, child.awaitExit(), child.output());
            String out = child.output();
            assertTrue(child.printed("main cancelled: cancelled by SIGINT (Ctrl+C)"), out);
            assertTrue(child.printed("main finally"), out);
            assertTrue(child.printed("other finally"), out);
            assertTrue(child.printed("run threw CancelledException: cancelled by SIGINT (Ctrl+C)"), out);
            assertTrue(out.indexOf("main finally") < out.indexOf("other finally"),
                    "the main task's cleanup first, then the shutdown's cancellation of the rest:\n" + out);
        }
    }

    @Test
    void secondSigint_duringASlowCleanup_endsTheJvmAsTheJdkWould() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, "slowCleanup")) {
            child.awaitLine("ready");
            child.signal("INT");
            child.awaitLine("cleaning up");
            child.signal("INT");
            assertEquals(130, child.awaitExit(), child.output());
            assertTrue(child.printed("hook"), "the JDK's handler ran the shutdown hooks:\n" + child.output());
            assertFalse(child.printed("cleanup done"), child.output());
            assertFalse(child.printed("run returned"), child.output());
        }
    }

    @Test
    void withSigintHandlerFalse_theJvmEndsAtOnce_withoutCleanup() throws Exception {
        assertSigintLeftToTheJdk("optionOff");
    }

    @Test
    void runOffTheMainThread_leavesSigintToTheJdk() throws Exception {
        assertSigintLeftToTheJdk("notMainThread");
    }

    private static void assertSigintLeftToTheJdk(String scenario) throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, scenario)) {
            child.awaitLine("ready");
            child.signal("INT");
            assertEquals(130, child.awaitExit(), child.output());
            assertTrue(child.printed("hook"), child.output());
            assertFalse(child.printed("main finally"), child.output());
            assertFalse(child.printed("other finally"), child.output());
        }
    }

    @Test
    void theApplicationsOwnIntHandler_isLeftInPlace_andGetsTheSignal() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, "ownHandler")) {
            child.awaitLine("ready");
            child.signal("INT");
            assertEquals(0, child.awaitExit(), child.output());
            assertTrue(child.printed("application handler"), child.output());
            assertTrue(child.printed("main done"), child.output());
            assertTrue(child.printed("the application's handler is still installed: true"), child.output());
        }
    }

    @Test
    void runner_handlesSigintInEachRun() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, "runner")) {
            child.awaitLine("ready");
            child.awaitLine("other started");
            child.signal("INT");
            assertEquals(130, child.awaitExit(), child.output());
            assertTrue(child.printed("first run done"), child.output());
            assertTrue(child.printed("main finally"), child.output());
            assertTrue(child.printed("other finally"), child.output());
            assertTrue(child.printed("run threw CancelledException: cancelled by SIGINT (Ctrl+C)"), child.output());
        }
    }

    @Test
    void aLoopsIntHandler_takesPrecedence_andRemovingItGivesSigintBackToRun() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, "loopHandler")) {
            child.awaitLine("ready");
            child.signal("INT");
            child.awaitLine("removed: true");
            assertTrue(child.printed("loop handler"), child.output());
            assertFalse(child.printed("main finally"), "the loop's handler got it, not run's:\n" + child.output());
            child.signal("INT");
            assertEquals(130, child.awaitExit(), child.output());
            assertTrue(child.printed("main finally"), child.output());
            assertTrue(child.printed("run threw CancelledException: cancelled by SIGINT (Ctrl+C)"), child.output());
        }
    }

    @Test
    void afterRunReturns_sigintIsTheJdksAgain() throws Exception {
        try (ForkedJvm child = ForkedJvm.start(Child.class, "restoredAfterRun")) {
            child.awaitLine("run returned");
            child.signal("INT");
            assertEquals(130, child.awaitExit(), child.output());
            assertTrue(child.printed("hook"), child.output());
            assertFalse(child.printed("still alive"), child.output());
        }
    }

    @Test
    void onThisJvmsMainThread_runHoldsIntWhileItRuns_andPutsTheJdksBack() {
        assumeTrue(Thread.currentThread().getName().equals("main"), "Surefire runs the tests on the main thread");
        String jdks = SignalsTest.installed("INT").toString();
        assertTrue(jdks.startsWith("java.lang.Terminator"), jdks);
        String during = Asyncio.run(() -> SignalsTest.installed("INT").toString());
        assertFalse(during.startsWith("java.lang.Terminator"), during);
        assertEquals(jdks, SignalsTest.installed("INT").toString());
        String off = Asyncio.run(() -> SignalsTest.installed("INT").toString(), RunOptions.defaults().withSigintHandler(false));
        assertEquals(jdks, off);
    }

    @Test
    void aThreadTheApplicationNamedMain_isNotTheMainThread() throws Exception {
        String[] during = new String[1];
        Thread t = Thread.ofPlatform().name("main").start(
                () -> during[0] = Asyncio.run(() -> SignalsTest.installed("INT").toString()));
        t.join();
        assertTrue(during[0].startsWith("java.lang.Terminator"), "run left SIGINT to the JDK: " + during[0]);
    }

    @Test
    void runOptions_sigintHandler_defaultsToTrue_andShowsInToString() {
        assertTrue(RunOptions.defaults().sigintHandler());
        assertFalse(RunOptions.defaults().withSigintHandler(false).sigintHandler());
        assertFalse(RunOptions.defaults().withSigintHandler(false).withDebug(true).sigintHandler(),
                "the other with-methods keep it");
        assertTrue(RunOptions.defaults().withSigintHandler(false).toString().contains("sigintHandler=false"));
    }
}
