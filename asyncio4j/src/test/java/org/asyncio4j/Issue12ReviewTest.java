package org.asyncio4j;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * Adversarial review of issue 12: context variables, signals, Timeout objects, eager tasks,
 * each case compared with what Python 3.13 does.
 */
@org.junit.jupiter.api.Timeout(30)
class Issue12ReviewTest {

    private static final sun.misc.Signal USR1 = new sun.misc.Signal("USR1");

    // ------------------------------------------------------------------ Timeout

    /**
     * Python: the expiry (call_soon from a zero delay) and a cancel from outside land in the
     * same iteration; uncancel() leaves 1 request, so CancelledError leaves the region, not
     * TimeoutError, and cancelling() is 1 after it.
     */
    @Test
    void timeout_expiryAndOutsideCancelInOneIteration_leaveAsACancellation() {
        String seen = run(() -> {
            Task<String> t = createTask(() -> {
                Task<?> me = currentTask();
                try {
                    timeout(Duration.ZERO, (Timeout.Body<Void>) tm -> {
                        getRunningLoop().callSoon(me::cancel);
                        sleep(1);
                        return null;
                    });
                    return "returned";
                } catch (AsyncTimeoutException e) {
                    return "timeout " + me.cancelling();
                } catch (CancelledException e) {
                    return "cancelled " + me.cancelling();
                }
            });
            return t.await();
        });
        assertEquals("cancelled 1", seen);
    }

    /** Python: reschedule on a finished Timeout raises RuntimeError, from any task of the loop. */
    @Test
    void timeout_rescheduleAfterTheBodyEnded_fromAnotherTask_isRefused() {
        String seen = run(() -> {
            AtomicReference<Timeout> kept = new AtomicReference<>();
            timeout(Duration.ofSeconds(5), (Timeout.Body<Void>) tm -> {
                kept.set(tm);
                return null;
            });
            Task<String> other = createTask(() -> {
                try {
                    kept.get().reschedule(Duration.ofMillis(1));
                    return "rescheduled";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            });
            return other.await() + " / " + kept.get();
        });
        assertEquals("Cannot change state of finished Timeout / Timeout[finished]", seen);
    }

    /** A reschedule from a thread that is not the loop's is refused, as the Javadoc says. */
    @Test
    void timeout_rescheduleFromAnotherThread_isRefused() {
        String seen = run(() -> timeout(Duration.ofSeconds(5), (Timeout.Body<String>) tm -> {
            AtomicReference<String> r = new AtomicReference<>();
            Thread th = Thread.ofPlatform().start(() -> {
                try {
                    tm.reschedule(Duration.ofMillis(1));
                    r.set("rescheduled");
                } catch (IllegalStateException e) {
                    r.set("refused");
                }
            });
            toThread(() -> { th.join(); return null; });
            sleep(0.05);
            return r.get() + " " + tm.expired();
        }));
        assertEquals("refused false", seen);
    }

    /**
     * Nested: the inner region is rescheduled into the past while the outer one also expires in
     * the same iteration; Python: each region sees its own expiry, the inner one raises
     * TimeoutError (its uncancel leaves the outer's request, 1 > 0: CancelledError instead), the
     * outer converts the CancelledError to TimeoutError.
     */
    @Test
    void timeout_nestedBothExpiringInOneIteration_theOuterReportsIt() {
        String seen = run(() -> {
            try {
                timeout(Duration.ZERO, (Timeout.Body<Void>) outer -> {
                    try {
                        timeout(Duration.ofSeconds(10), (Timeout.Body<Void>) inner -> {
                            inner.reschedule(Duration.ZERO);
                            sleep(1);
                            return null;
                        });
                    } catch (CancelledException e) {
                        throw e;
                    } catch (AsyncTimeoutException e) {
                        return null;   // wrong: the inner must not claim it
                    }
                    return null;
                });
                return "no timeout " + currentTask().cancelling();
            } catch (AsyncTimeoutException e) {
                return "outer timeout " + currentTask().cancelling();
            }
        });
        assertEquals("outer timeout 0", seen);
    }

    // ------------------------------------------------------------------ eager tasks

    /**
     * An eager task's first step creates an eager task in the same group that fails at once.
     * Python 3.13.0 (eager_task_factory) does the same: the failure aborts the group before the
     * outer task is in the group's set, so the outer one is not cancelled and the group waits for
     * its sleep; the group ends with the failure alone. (Checked against CPython 3.13.0.)
     */
    @Test
    void eager_stepCreatingAFailingEagerTask_inATaskGroup() {
        List<String> log = new ArrayList<>();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            taskGroup(tg -> {
                tg.createEagerTask(() -> {
                    tg.createEagerTask(() -> {
                        throw new IllegalStateException("boom");
                    });
                    try {
                        sleep(0.2);
                        log.add("outer slept");
                    } catch (CancelledException e) {
                        log.add("outer cancelled");
                        throw e;
                    }
                });
                sleep(5);
                return null;
            });
            return null;
        }));
        assertEquals(1, eg.exceptions().size(), eg.toString());
        assertEquals("boom", eg.exceptions().get(0).getMessage());
        assertEquals(List.of("outer slept"), log);
    }

    /** The creator cancels an eager task that completed synchronously: false, result kept. */
    @Test
    void eager_taskDoneInItsStep_cancelAnswersFalse() {
        String seen = run(() -> {
            Task<String> t = createEagerTask(() -> "done");
            return t.isDone() + " " + t.cancel() + " " + t.await();
        });
        assertEquals("true false done", seen);
    }

    /** A ContextVar set inside an eager task's first step: the creator does not see it. */
    @Test
    void eager_contextSetInTheStepThatCompletes_isNotTheCreators() {
        ContextVar<String> cv = new ContextVar<>("cv", "creator");
        String seen = run(() -> {
            Task<String> t = createEagerTask(() -> {
                cv.set("child");
                return cv.get();
            });
            return t.await() + " " + cv.get();
        });
        assertEquals("child creator", seen);
    }

    // ------------------------------------------------------------------ context

    /** Two tasks sharing one Context by createTask(..., ctx): each sees the other's sets (Python). */
    @Test
    void context_sharedByTwoTasks_isOneMapping() {
        ContextVar<Integer> cv = new ContextVar<>("cv", 0);
        String seen = run(() -> {
            Context ctx = new Context();
            Task<Void> a = getRunningLoop().createTask(() -> {
                cv.set(1);
                sleep(0.02);
                return null;
            }, "a", ctx);
            Task<Integer> b = getRunningLoop().createTask(() -> {
                sleep(0.01);
                return cv.get();
            }, "b", ctx);
            a.await();
            return b.await() + " " + ctx.get(cv);
        });
        assertEquals("1 1", seen);
    }

    /** Context.run of a context a suspended task holds open in its own run(): refused (entered). */
    @Test
    void context_runReenteredFromAnotherTask_whileTheFirstIsSuspendedInside_isRefused() {
        String seen = run(() -> {
            Context ctx = new Context();
            Task<Void> a = createTask(() -> {
                ctx.run(() -> sleep(0.05));
            });
            sleep(0.01);
            String r;
            try {
                ctx.run(() -> { });
                r = "entered";
            } catch (IllegalStateException e) {
                r = "refused";
            }
            a.await();
            ctx.run(() -> { });
            return r + " then ok";
        });
        assertEquals("refused then ok", seen);
    }

    /** A callback scheduled from a plain thread runs in that thread's context, and a set in it stays there. */
    @Test
    void context_callbackFromAnotherThread_runsInACopyOfItsContext() throws Exception {
        ContextVar<String> cv = new ContextVar<>("cv", "none");
        String seen = run(() -> {
            EventLoop loop = getRunningLoop();
            Future<String> f = loop.createFuture();
            Thread th = Thread.ofPlatform().start(() -> {
                cv.set("thread");
                loop.callSoonThreadsafe(() -> {
                    String before = cv.get();
                    cv.set("callback");
                    f.setResult(before);
                });
            });
            String before = f.await();
            toThread(() -> { th.join(); return null; });
            // a later callback from the loop (empty context) must not see the first one's set
            Future<String> g = loop.createFuture();
            loop.callSoon(() -> g.setResult(cv.get()));
            return before + " " + g.await() + " " + cv.get();
        });
        assertEquals("thread none none", seen);
    }

    // ------------------------------------------------------------------ signals

    /** Python: a signal handler that raises is reported to the exception handler; the loop goes on, the handler stays. */
    @Test
    void signal_handlerThatThrows_isReported_andStays() {
        AtomicInteger calls = new AtomicInteger();
        List<String> reported = new ArrayList<>();
        try (EventLoop loop = newEventLoop()) {
            loop.setExceptionHandler((l, c) -> reported.add(String.valueOf(c.exception())));
            CountDownLatch two = new CountDownLatch(2);
            loop.addSignalHandler("USR1", () -> {
                calls.incrementAndGet();
                two.countDown();
                throw new IllegalStateException("handler fails");
            });
            loop.runUntilComplete(() -> {
                sun.misc.Signal.raise(USR1);
                sleep(0.05);
                sun.misc.Signal.raise(USR1);
                toThread(() -> two.await(10, TimeUnit.SECONDS));
                sleep(0.01);
                return null;
            });
            assertEquals(2, calls.get());
            assertEquals(2, reported.size(), reported.toString());
            assertTrue(reported.get(0).contains("handler fails"), reported.toString());
        }
    }

    /** removeSignalHandler from inside the handler's own callback: true, and the next signal is not delivered. */
    @Test
    void signal_removedFromItsOwnCallback() {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Boolean> removed = new AtomicReference<>();
        try (EventLoop loop = newEventLoop()) {
            loop.addSignalHandler("USR1", () -> {
                calls.incrementAndGet();
                removed.set(getRunningLoop().removeSignalHandler("USR1"));
            });
            loop.runUntilComplete(() -> {
                sun.misc.Signal.raise(USR1);
                for (int i = 0; i < 200 && removed.get() == null; i++) {
                    sleep(0.01);
                }
                return null;
            });
            assertEquals(Boolean.TRUE, removed.get());
            assertEquals(1, calls.get());
            assertThrows(IllegalArgumentException.class, () -> sun.misc.Signal.raise(USR1),
                    "no Java handler is left for USR1");
        }
    }

    // ------------------------------------------------------------------ both carrier modes

    /**
     * run() ends with tasks parked in JDK blocking calls (Thread.sleep, a lock's await): they are
     * cancelled (interrupted) and run returns, in either carrier mode.
     */
    @Test
    @org.junit.jupiter.api.Tag("fast-only")   // portable mode: a JDK call holds the baton, cancellation waits for it (README)
    void run_endsWithTasksParkedInJdkCalls_theyAreInterrupted() {
        List<String> ends = java.util.Collections.synchronizedList(new ArrayList<>());
        run(() -> {
            for (int i = 0; i < 3; i++) {
                createTask(() -> {
                    try {
                        Thread.sleep(60_000);
                        ends.add("slept");
                    } catch (InterruptedException e) {
                        ends.add("interrupted");
                        throw e;
                    }
                });
            }
            sleep(0.05);
            return null;
        });
        assertEquals(List.of("interrupted", "interrupted", "interrupted"), ends, Asyncio.carrierMode().toString());
    }

    /**
     * Seeded interleavings of gather, wait and a TaskGroup, mixing loop sleeps, yields and JDK
     * sleeps: every run gives the same results and each task's steps stay in order.
     */
    @Test
    void seededInterleavings_gatherWaitTaskGroup_resultsHold() {
        for (long seed : new long[] {3, 17, 99}) {
            java.util.Random rnd = new java.util.Random(seed);
            int n = 12;
            int[] kinds = new int[n];
            for (int i = 0; i < n; i++) {
                kinds[i] = rnd.nextInt(3);
            }
            List<Integer> r = run(() -> {
                List<Callable<Integer>> bodies = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int k = kinds[i], v = i;
                    bodies.add(() -> {
                        for (int step = 0; step < 3; step++) {
                            switch (k) {
                                case 0 -> sleep(0.001 * (v % 3));
                                case 1 -> sleep(0);
                                default -> Thread.sleep(1);
                            }
                        }
                        return v;
                    });
                }
                List<Integer> g = gather(bodies.subList(0, 4).toArray(new Callable[0]));
                List<Integer> out = new ArrayList<>(g);
                List<Task<Integer>> ts = new ArrayList<>();
                for (Callable<Integer> b : bodies.subList(4, 8)) {
                    ts.add(createTask(b));
                }
                Asyncio.wait(ts, ReturnWhen.ALL_COMPLETED);
                for (Task<Integer> t : ts) {
                    out.add(t.resultNow());
                }
                out.addAll(taskGroup(tg -> {
                    List<Task<Integer>> tt = new ArrayList<>();
                    for (Callable<Integer> b : bodies.subList(8, 12)) {
                        tt.add(tg.createTask(b));
                    }
                    return tt;
                }).stream().map(Task::resultNow).toList());
                return out;
            });
            assertEquals(java.util.stream.IntStream.range(0, n).boxed().toList(), r, "seed " + seed);
        }
    }

    /**
     * Control for LoopGroupReviewTest's disabled leak case, on one plain loop: clients fill the
     * listening socket's backlog while no handler takes them, the server is closed and run ends;
     * Linux resets a closed listener's backlog, so every client must see EOF or a reset. Holds
     * (the leak is LoopGroup's alone).
     */
    @Test
    void plainLoop_serverClosedWithABacklog_everyClientEnds() throws Exception {
        List<java.net.Socket> sockets = new ArrayList<>();
        run(() -> {
            org.asyncio4j.streams.Server server = startServer((r, w) -> r.readLine(), "127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            toThread(() -> {
                for (int k = 0; k < 200; k++) {
                    sockets.add(new java.net.Socket("127.0.0.1", port));
                }
                return null;
            });
            server.close();
            sleep(0.2);
            return null;
        });
        Thread.sleep(1000);
        int open = 0;
        for (java.net.Socket s : sockets) {
            try (s) {
                s.setSoTimeout(open < 3 ? 1000 : 1);
                s.getInputStream().read();
            } catch (java.net.SocketTimeoutException stillOpen) {
                open++;
            } catch (java.io.IOException reset) {
                // ended
            }
        }
        assertEquals(0, open, "connections left open of " + sockets.size());
    }
}
