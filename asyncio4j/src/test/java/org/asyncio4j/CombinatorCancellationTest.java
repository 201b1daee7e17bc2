package org.asyncio4j;

import static org.asyncio4j.Asyncio.allTasks;
import static org.asyncio4j.Asyncio.asCompleted;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.gatherSettled;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.shield;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.timeout;
import static org.asyncio4j.Asyncio.timeoutAt;
import static org.asyncio4j.Asyncio.toThread;
import static org.asyncio4j.Asyncio.waitFor;
import static org.asyncio4j.CancellationHarness.assertNothingLeft;
import static org.asyncio4j.CancellationHarness.everySuspensionPoint;
import static org.asyncio4j.CancellationHarness.named;
import static org.asyncio4j.CancellationHarness.notMain;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.internal.Cancellation;
import org.asyncio4j.internal.TaskImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gather, gatherSettled, wait, waitFor, timeout, shield and asCompleted under a cancellation (or a
 * TaskGroup's interruption) injected at every suspension point of a scenario
 * ({@link CancellationHarness}), and regression tests for what the harness and the storm found.
 *
 * <p>Invariants checked in every run: the cancelled task ends cancelled (the harness, for tasks
 * cancelled through {@code run.cancel}); a cancellation from outside never leaves a combinator
 * as AsyncTimeoutException; what a combinator owns (gather's children, waitFor's inner) is
 * cancelled or done when the caller has ended, and what it watches (wait's and asCompleted's
 * futures, shield's inner) is never cancelled; no result lost; no task left at the end.
 */
@Timeout(60)
class CombinatorCancellationTest {

    static final class Planted extends RuntimeException {
        Planted(String m) {
            super(m, null, false, false);
        }
    }

    private static Duration secs(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** A body that sleeps, in several steps, then returns {@code value}; on cancel, cleans up with a sleep. */
    private static <T> Callable<T> work(T value, double... sleeps) {
        return () -> {
            try {
                for (double s : sleeps) {
                    sleep(s);
                }
            } catch (CancelledException e) {
                sleep(0.05);               // cleanup that suspends: more injection points
                throw e;
            }
            return value;
        };
    }

    /** run's main task. */
    private static Task<?> mainTask() {
        return allTasks().stream().filter(t -> t.getName().equals("Task-1")).findFirst().orElseThrow();
    }

    /** Every task except the current one that is not done must at least have been asked to cancel. */
    private static void assertNoOrphans(Set<Task<?>> allowedRunning, String when) {
        for (Task<?> t : allTasks()) {
            if (t != currentTask() && !allowedRunning.contains(t) && !t.isDone() && t.cancelling() == 0) {
                throw new AssertionError(when + ": " + t + " runs on, not asked to cancel");
            }
        }
    }

    /**
     * Cancels {@code caller} from outside at the injection (recorded: the harness checks it ended
     * cancelled) and awaits it.
     *
     * @return its value, or null when it ended cancelled
     */
    private static <T> T cancelAtInjectionAndAwait(CancellationHarness.Run run, Task<T> caller) {
        run.onInject(t -> run.cancel(caller));
        try {
            return caller.await();
        } catch (CancelledException e) {
            return null;               // a lost cancel shows as a normal end instead
        }
    }

    // ================================================================== gather

    @Test
    void gather_callerCancelledAtEachPoint_everyChildEndsCancelledOrDone_callerEndsCancelled() {
        everySuspensionPoint(notMain(), run -> {
            Task<?> main = currentTask();
            List<Task<?>> kids = new ArrayList<>();
            Task<List<String>> caller = createTask(() -> {
                try {
                    return gather(
                            () -> { kids.add(currentTask()); return work("a", 1).call(); },
                            () -> { kids.add(currentTask()); return work("b", 0.5, 0.5).call(); },
                            () -> {
                                kids.add(currentTask());
                                List<Integer> inner = gather(
                                        () -> { kids.add(currentTask()); return work(1, 0.3).call(); },
                                        () -> { kids.add(currentTask()); return work(2, 2).call(); });
                                return "c" + inner;
                            });
                } finally {
                    assertNoOrphans(Set.of(main), "when gather left");
                }
            }, "caller");
            List<String> r = cancelAtInjectionAndAwait(run, caller);
            assertNothingLeft(100);
            for (Task<?> k : kids) {
                assertTrue(k.isCancelled() || k.state() == java.util.concurrent.Future.State.SUCCESS, k + " failed");
            }
            if (!run.injected()) {
                assertEquals(List.of("a", "b", "c[1, 2]"), r);
            }
        });
    }

    @Test
    void gather_childCancelledAtEachPoint_gatherThrowsCancelled_callerNotCancelled_othersKeepRunning() {
        everySuspensionPoint(named("child-"), run -> {
            run.onInject(run::cancel);
            Task<String> a = createTask(work("a", 1), "child-a");
            Task<String> b = createTask(work("b", 0.5, 0.5), "child-b");
            List<Task<Integer>> grand = new ArrayList<>();
            Task<String> c = createTask(() -> {
                grand.add(createTask(work(1, 0.3), "child-c-1"));
                grand.add(createTask(work(2, 2), "child-c-2"));
                return "c" + gather(grand);
            }, "child-c");
            Task<String> caller = createTask(() -> {
                try {
                    return String.valueOf(gather(a, b, c));
                } catch (CancelledException e) {
                    return "gather cancelled";
                }
            }, "caller");
            String r = caller.await();
            assertNothingLeft(100);
            assertFalse(caller.isCancelled());
            assertEquals(0, caller.cancelling(), "the caller was never cancelled");
            if (!run.injected()) {
                assertEquals("[a, b, c[1, 2]]", r);
                return;
            }
            assertEquals("gather cancelled", r, "gather raises CancelledException as Python does");
            Task<?> hit = run.injectedInto();
            for (Task<?> t : List.of(a, b, c, grand.get(0), grand.get(1))) {
                // cancelling a task cancels what it awaits: child-c awaits the inner gather
                boolean shouldBeCancelled = t == hit || (t == c && hit.getName().startsWith("child-c-"))
                        || (hit == c && t.getName().startsWith("child-c-"));
                assertEquals(shouldBeCancelled, t.isCancelled(), t + " (the injection hit " + hit.getName() + ")");
            }
        });
    }

    @Test
    void gatherSettled_callerCancelledAtEachPoint_childrenCancelledOrDone_callerEndsCancelled() {
        everySuspensionPoint(notMain(), run -> {
            Task<?> main = currentTask();
            Task<List<Future<String>>> caller = createTask(() -> {
                try {
                    return gatherSettled(work("a", 1), work("b", 0.5, 0.5), () -> { sleep(0.2); throw new Planted("c"); });
                } finally {
                    assertNoOrphans(Set.of(main), "when gatherSettled left");
                }
            }, "caller");
            List<Future<String>> r = cancelAtInjectionAndAwait(run, caller);
            assertNothingLeft(100);
            if (!run.injected()) {
                assertEquals("a", r.get(0).resultNow());
                assertEquals("b", r.get(1).resultNow());
                assertInstanceOf(Planted.class, r.get(2).exceptionNow());
            }
        });
    }

    @Test
    void gatherSettled_childCancelledAtEachPoint_returnsItCancelledInPlace_othersWithResults() {
        everySuspensionPoint(named("child-"), run -> {
            run.onInject(run::cancel);
            Task<String> a = createTask(work("a", 1), "child-a");
            Task<String> b = createTask(work("b", 0.5, 0.5), "child-b");
            Task<List<Future<String>>> caller = createTask(() -> gatherSettled(a, b), "caller");
            List<Future<String>> r = caller.await();
            assertNothingLeft(100);
            assertEquals(0, caller.cancelling());
            assertSame(a, r.get(0));
            assertSame(b, r.get(1));
            for (Future<String> f : r) {
                assertTrue(f.isDone());
                assertEquals(f == run.injectedInto(), f.isCancelled(), String.valueOf(f));
            }
        });
    }

    // ================================================================== wait

    @ParameterizedTest(name = "timeout {0} s")
    @ValueSource(doubles = {100, 0.7})
    void wait_callerCancelledAtEachPoint_cancelsNoFuture_callerEndsCancelled(double timeoutSeconds) {
        everySuspensionPoint(notMain(), run -> {
            List<Task<String>> fs = List.of(createTask(work("a", 1), "f-a"), createTask(work("b", 0.5, 0.5), "f-b"),
                    createTask(work("c", 0.2), "f-c"));
            Task<Integer> caller = createTask(() -> {
                WaitResult<Task<String>> w = Asyncio.wait(fs, ReturnWhen.FIRST_COMPLETED);
                int rounds = 1;
                while (!w.pending().isEmpty()) {
                    w = Asyncio.wait(w.pending(), secs(timeoutSeconds), ReturnWhen.ALL_COMPLETED);
                    rounds++;
                }
                return rounds;
            }, "caller");
            cancelAtInjectionAndAwait(run, caller);
            assertNothingLeft(100);
            assertEquals(List.of("a", "b", "c"), fs.stream().map(Task::resultNow).toList(), "wait never cancels its futures");
        });
    }

    @Test
    void wait_futureCancelledAtEachPoint_isReportedDone_othersUntouched() {
        everySuspensionPoint(named("f-"), run -> {
            run.onInject(run::cancel);
            List<Task<String>> fs = List.of(createTask(work("a", 1), "f-a"), createTask(work("b", 0.5, 0.5), "f-b"));
            Task<WaitResult<Task<String>>> caller = createTask(() -> Asyncio.wait(fs, ReturnWhen.ALL_COMPLETED), "caller");
            WaitResult<Task<String>> w = caller.await();
            assertNothingLeft(100);
            assertEquals(Set.copyOf(fs), w.done());
            for (Task<String> f : fs) {
                assertEquals(f == run.injectedInto(), f.isCancelled(), String.valueOf(f));
            }
            assertEquals(0, caller.cancelling());
        });
    }

    // ================================================================== waitFor

    @ParameterizedTest(name = "deadline {0} s")
    @ValueSource(doubles = {10, 1})
    void waitFor_callerCancelledAtEachPoint_innerCancelledAndAwaited_neverATimeout(double deadline) {
        everySuspensionPoint(notMain(), run -> {
            Task<String> inner = createTask(work("in", 1, 1), "inner");
            AtomicBoolean innerDoneAtExit = new AtomicBoolean();
            Task<String> caller = createTask(() -> {
                String r;
                try {
                    r = waitFor(inner, secs(deadline));
                } catch (AsyncTimeoutException e) {
                    r = "timeout";
                } finally {
                    innerDoneAtExit.set(inner.isDone());
                }
                assertEquals(0, currentTask().cancelling(), "after waitFor without a cancel from outside");
                sleep(0.1);                // a cancel that lands here still ends the caller cancelled
                return r;
            }, "caller");
            String r = cancelAtInjectionAndAwait(run, caller);
            assertTrue(innerDoneAtExit.get(), "waitFor left before the inner ended");
            assertNothingLeft(100);
            assertTrue(inner.isCancelled() || "in".equals(inner.resultNow()));
            if (!run.injected()) {
                assertEquals(deadline > 2 ? "in" : "timeout", r);
            }
        });
    }

    @Test
    void waitForCallable_callerCancelledAtEachPoint_leavesNoInnerBehind() {
        everySuspensionPoint(notMain(), run -> {
            Task<?> main = currentTask();
            Task<String> caller = createTask(() -> {
                try {
                    return waitFor(work("in", 0.5, 0.5), secs(0.7));
                } catch (AsyncTimeoutException e) {
                    return "timeout";
                } finally {
                    assertEquals(Set.of(main, currentTask()), allTasks(), "the inner outlived waitFor");
                }
            }, "caller");
            String r = cancelAtInjectionAndAwait(run, caller);
            if (!caller.isCancelled()) {
                assertEquals("timeout", r);
            }
            assertNothingLeft(100);
        });
    }

    @ParameterizedTest(name = "deadline {0} s")
    @ValueSource(doubles = {10, 1.5})
    void waitFor_innerCancelledAtEachPoint_callerGetsCancelledOrTimeout_butIsNotCancelled(double deadline) {
        everySuspensionPoint(named("inner"), run -> {
            run.onInject(run::cancel);
            Task<String> inner = createTask(work("in", 1, 1), "inner");
            Task<String> caller = createTask(() -> {
                try {
                    return waitFor(inner, secs(deadline));
                } catch (AsyncTimeoutException e) {
                    return "timeout";
                } catch (CancelledException e) {
                    return "inner cancelled";
                }
            }, "caller");
            String r = caller.await();
            assertNothingLeft(100);
            assertEquals(0, caller.cancelling());
            if (!run.injected()) {
                assertEquals(deadline > 2 ? "in" : "timeout", r);
            } else if (deadline > 2) {
                assertEquals("inner cancelled", r);
            } else {
                assertTrue(r.equals("inner cancelled") || r.equals("timeout"), r);
            }
        });
    }

    @Test
    void waitFor_expiryAndInnerResultInTheSameIteration_returnsTheResult() {
        List<Object> out = runVc(() -> {
            Future<String> f = getRunningLoop().createFuture();
            getRunningLoop().callLater(1, () -> f.setResult("made it"));   // before waitFor's timer: runs first
            String r = waitFor(f, secs(1));
            return List.of(r, currentTask().cancelling());
        });
        assertEquals(List.of("made it", 0), out);
    }

    @Test
    void waitFor_expiryAndInnerFailureInTheSameIteration_throwsTheFailure() {
        Planted boom = new Planted("boom");
        Throwable t = runVc(() -> {
            Future<String> f = getRunningLoop().createFuture();
            getRunningLoop().callLater(1, () -> f.setException(boom));
            return assertThrows(Planted.class, () -> waitFor(f, secs(1)));
        });
        assertSame(boom, t);
    }

    @Test
    void waitFor_outsideCancelAndInnerResultInTheSameIteration_cancelWins_resultStaysInTheInner() {
        List<Object> out = runVc(() -> {
            Future<String> f = getRunningLoop().createFuture();
            Task<String> caller = createTask(() -> waitFor(f, secs(10)));
            sleep(0.5);
            f.setResult("kept");
            caller.cancel();                // the caller was woken but has not resumed yet
            assertThrows(CancelledException.class, caller::await);
            return List.of(caller.isCancelled(), f.resultNow());
        });
        assertEquals(List.of(true, "kept"), out);
    }

    @Test
    void waitFor_cancelPendingAtEntry_cancelsAndAwaitsTheInner() {
        AtomicReference<Task<?>> inner = new AtomicReference<>();
        runVc(() -> {
            Task<Void> caller = createTask(() -> {
                Task<Integer> in = createTask(work(1, 5));
                inner.set(in);
                currentTask().cancel();
                try {
                    waitFor(in, secs(10));
                } finally {
                    assertTrue(in.isDone(), "inner not awaited");
                }
            });
            assertThrows(CancelledException.class, caller::await);
            assertTrue(caller.isCancelled());
            assertTrue(inner.get().isCancelled());
        });
    }

    @Test
    void gather_cancelPendingAtEntry_cancelsTheChildren() {
        runVc(() -> {
            Task<?> main = currentTask();
            Task<Void> caller = createTask(() -> {
                currentTask().cancel();
                try {
                    gather(work(1, 5), work(2, 5));
                } finally {
                    assertNoOrphans(Set.of(main), "when gather left");
                }
            });
            assertThrows(CancelledException.class, caller::await);
            assertTrue(caller.isCancelled());
            assertNothingLeft(1);
        });
    }

    @Test
    void toThread_cancelPendingAtEntry_cancelsTheCall_whichNeverRuns() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        runVc(() -> {
            getRunningLoop().setDefaultExecutor(java.util.concurrent.Executors.newSingleThreadExecutor());
            Task<Boolean> blocker = createTask(() -> toThread(() -> release.await(10, TimeUnit.SECONDS)));
            sleep(0);                       // the one executor thread is now taken
            Task<Void> caller = createTask(() -> {
                currentTask().cancel();
                toThread(() -> ran.set(true));
            });
            assertThrows(CancelledException.class, caller::await);
            assertTrue(caller.isCancelled());
            sleep(0);                       // the call's cancellation reaches the executor
            release.countDown();
            assertTrue(blocker.await());
        });
        assertFalse(ran.get(), "the call of a cancelled toThread ran");
    }

    // ================================================================== timeout

    /** Nested timeouts, each kind of exit once; returns what it saw. */
    private static List<String> nestedTimeouts() {
        List<String> log = new ArrayList<>();
        int entry = currentTask().cancelling();
        try {
            timeout(secs(2), () -> {
                try {
                    timeout(secs(0.5), () -> {         // inner expires; its cleanup suspends
                        try {
                            sleep(1);
                        } finally {
                            sleep(0.1);
                        }
                    });
                } catch (AsyncTimeoutException e) {
                    log.add("inner expired");
                }
                assertEquals(entry, currentTask().cancelling(), "cancelling() back at its entry value after an expiry");
                timeout(secs(10), () -> sleep(0.3));   // in time
                double at = getRunningLoop().time() + 0.4;
                try {
                    timeoutAt(at, () -> timeoutAt(at, () -> sleep(1)));   // both at once: only the outer converts
                } catch (AsyncTimeoutException e) {
                    log.add("both expired");
                }
                timeout(secs(10), () -> {              // the outer (2 s) expires inside this one
                    try {
                        sleep(5);
                    } finally {
                        sleep(0.2);
                    }
                });
                log.add("not reached");
            });
        } catch (AsyncTimeoutException e) {
            log.add("outer expired");
        }
        assertEquals(entry, currentTask().cancelling(), "cancelling() back at its entry value after an expiry");
        return log;
    }

    @Test
    void timeout_outsideCancelAtEachPoint_staysCancelledException_neverATimeout() {
        everySuspensionPoint(named("worker"), run -> {
            Task<List<String>> worker = createTask(() -> {
                List<String> log = nestedTimeouts();
                sleep(0.1);
                return log;
            }, "worker");
            List<String> log = cancelAtInjectionAndAwait(run, worker);
            assertNothingLeft(100);
            if (!run.injected()) {
                assertEquals(List.of("inner expired", "both expired", "outer expired"), log);
            } else if (worker.isCancelled()) {
                assertEquals(1, worker.cancelling(), "only the outside request is left");
            }
        });
    }

    @Test
    void timeout_outsideCancelDuringCleanupAfterExpiry_isCancelledException() {
        List<Object> out = runVc(() -> {
            AtomicReference<Throwable> left = new AtomicReference<>();
            Task<Void> t = createTask(() -> {
                try {
                    timeout(secs(1), () -> {
                        try {
                            sleep(10);
                        } finally {
                            sleep(1);           // the outside cancel lands here, after the expiry
                        }
                    });
                } catch (Throwable e) {
                    left.set(e);
                    throw e;
                }
            });
            sleep(1.5);
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            return List.of(left.get().getClass().getSimpleName(), t.isCancelled(), t.cancelling());
        });
        assertEquals(List.of("CancelledException", true, 1), out);
    }

    // ================================================================== a TaskGroup's interruption

    /**
     * Runs {@code code} in the body of a try-form group (in a task named "body") whose sibling
     * fails when the harness injects, at each of the body's suspension points. The statement must
     * end with the group's ExceptionGroup holding the sibling's failure (never a timeout, never a
     * CancelledException), or normally when the injection came too late; the body's cancelling()
     * is 0 afterwards, and nothing is left running.
     */
    private static void groupInterruptionAtEachPoint(Callable<?> code) {
        Object boomSignal = new Object(), okSignal = new Object();
        everySuspensionPoint(named("body"), run -> {
            Planted boom = new Planted("boom");
            Future<Object> trigger = getRunningLoop().createFuture();
            run.onInject(t -> {
                if (!trigger.isDone()) {
                    trigger.setResult(boomSignal);
                }
            });
            Task<Throwable> body = createTask(() -> {
                Throwable left = null;
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        if (trigger.await() == boomSignal) {
                            throw boom;
                        }
                    }, "sibling");
                    code.call();
                    if (!trigger.isDone()) {
                        trigger.setResult(okSignal);
                    }
                } catch (Throwable e) {
                    left = e;
                }
                assertEquals(0, currentTask().cancelling(), "cancelling() after the statement");
                return left;
            }, "body");
            Throwable left = body.await();
            assertNothingLeft(100);
            if (trigger.resultNow() == boomSignal) {
                assertInstanceOf(ExceptionGroup.class, left, "the statement must end with the group, not " + left);
                assertEquals(List.of(boom), ((ExceptionGroup) left).exceptions());
            } else {
                assertEquals(null, left);
            }
        });
    }

    @Test
    void timeout_groupInterruptionAtEachPoint_passesThrough_neverATimeout() {
        groupInterruptionAtEachPoint(() -> nestedTimeouts());
    }

    @Test
    void waitFor_groupInterruptionAtEachPoint_innerCancelledAndAwaited_groupPassesThrough() {
        groupInterruptionAtEachPoint(() -> {
            for (double deadline : new double[] {10, 0.5}) {
                Task<String> inner = createTask(work("in", 1), "inner");
                try {
                    waitFor(inner, secs(deadline));
                } catch (AsyncTimeoutException e) {
                    // the second one
                } finally {
                    assertTrue(inner.isDone(), "waitFor left before its inner ended");
                }
            }
            return null;
        });
    }

    @Test
    void gather_groupInterruptionAtEachPoint_childrenCancelled_groupPassesThrough() {
        groupInterruptionAtEachPoint(() -> {
            try {
                gather(work(1, 1), work(2, 0.5, 0.5));
                gatherSettled(work(1, 0.3), work(2, 0.2));
            } finally {
                Set<Task<?>> allowed = new java.util.HashSet<>(Set.of(mainTask()));
                allTasks().stream().filter(t -> t.getName().equals("sibling")).forEach(allowed::add);
                assertNoOrphans(allowed, "when gather left");
            }
            return null;
        });
    }

    @Test
    void gather_inTryFormGroupBody_childFails_statementEndsWithTheGroup() {
        Planted boom = new Planted("boom");
        Throwable t = runVc(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw boom; });
                gather(work(1, 5), work(2, 5));
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        assertInstanceOf(ExceptionGroup.class, t);
        assertEquals(List.of(boom), ((ExceptionGroup) t).exceptions());
    }

    /**
     * A TaskGroup's interruption as the task engine delivers it, marked as a group's interruption
     * (as the rewritten TaskGroup marks it), requested while the task runs: it is pending when the
     * task reaches its next asyncio4j suspension point, as after a JDK blocking call.
     */
    private static ExceptionGroup interruptSelfLikeAGroup() {
        ExceptionGroup group = Cancellation.groups().create("unhandled errors in a TaskGroup", true);
        ((TaskImpl<?>) currentTask()).requestCancel(null, group, null);
        return group;
    }

    /**
     * In a task whose group's interruption is pending (as after a JDK blocking call), runs
     * {@code call}: it must throw that interruption itself, and then {@code after} checks what
     * became of the work the call owned.
     */
    private static void pendingInterruptionAtEntry(Callable<?> call, Runnable after) {
        runVc(() -> {
            Task<Void> body = createTask(() -> {
                ExceptionGroup group = interruptSelfLikeAGroup();
                Throwable e = assertThrows(Throwable.class, call::call);
                after.run();
                assertSame(group, e, "the call threw the interruption itself");
            }, "body");
            body.await();
            assertNothingLeft(1);
        });
    }

    @Test
    void groupInterruption_pendingAtEntry_gatherCancelsItsChildren_andThrowsTheInterruption() {
        pendingInterruptionAtEntry(() -> gather(work(1, 5), work(2, 5)),
                () -> assertNoOrphans(Set.of(mainTask()), "when gather left"));
    }

    @Test
    void groupInterruption_pendingAtEntry_waitForCancelsAndAwaitsTheInner_andThrowsTheInterruption() {
        pendingInterruptionAtEntry(() -> waitFor(work("in", 5), secs(10)),
                () -> assertEquals(Set.of(mainTask(), currentTask()), allTasks(), "the inner was awaited"));
    }

    @Test
    void groupInterruption_heldBackByAJdkCall_reachesGather_whichCancelsItsChildren() {
        Planted boom = new Planted("boom");
        Throwable t = runVc(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { throw boom; });
                Thread.sleep(10);     // a JDK call: the group's request waits for the next asyncio4j point
                gather(work(1, 5));
                return null;
            } catch (Throwable e) {
                assertEquals(Set.of(currentTask()), allTasks(), "a gather child outlived the group statement");
                return e;
            }
        });
        assertInstanceOf(ExceptionGroup.class, t);
    }

    // ================================================================== shield

    @Test
    void shield_callerCancelledAtEachPoint_innerKeepsRunning_resultRetrievable_outerEndsCancelled() {
        everySuspensionPoint(notMain(), run -> {
            Task<String> inner = createTask(work("kept", 0.5, 0.5), "inner");
            AtomicReference<Future<String>> outer = new AtomicReference<>();
            Task<String> caller = createTask(() -> {
                outer.set(shield(inner));
                String r = outer.get().await();
                sleep(0.1);
                return r;
            }, "caller");
            cancelAtInjectionAndAwait(run, caller);
            assertEquals("kept", inner.await(), "the inner ran on and its result is retrievable");
            assertFalse(inner.isCancelled());
            if (caller.isCancelled() && inner.isDone() && outer.get() != null && !outer.get().isCancelled()) {
                assertEquals("kept", outer.get().resultNow());
            }
            assertNothingLeft(100);
        });
    }

    @Test
    void shield_innerCancelledAtEachPoint_outerEndsCancelled_callerNotCancelled() {
        everySuspensionPoint(named("inner"), run -> {
            run.onInject(run::cancel);
            Task<String> inner = createTask(work("kept", 0.5, 0.5), "inner");
            AtomicReference<Future<String>> outer = new AtomicReference<>();
            Task<String> caller = createTask(() -> {
                outer.set(shield(inner));
                try {
                    return outer.get().await();
                } catch (CancelledException e) {
                    return "outer cancelled";
                }
            }, "caller");
            String r = caller.await();
            assertNothingLeft(100);
            assertEquals(0, caller.cancelling());
            if (run.injected()) {
                assertEquals("outer cancelled", r);
                assertTrue(outer.get().isCancelled());
            } else {
                assertEquals("kept", r);
            }
        });
    }

    // ================================================================== asCompleted

    @ParameterizedTest(name = "timeout {0} s")
    @ValueSource(doubles = {100, 0.7})
    void asCompleted_callerCancelledAtEachPoint_cancelsNoFuture_callerEndsCancelled(double timeoutSeconds) {
        everySuspensionPoint(notMain(), run -> {
            List<Task<String>> fs = List.of(createTask(work("a", 1), "f-a"), createTask(work("b", 0.4, 0.4), "f-b"),
                    createTask(work("c", 0.2), "f-c"));
            Task<List<String>> caller = createTask(() -> {
                List<String> order = new ArrayList<>();
                try {
                    for (Task<String> f : asCompleted(fs, secs(timeoutSeconds))) {
                        order.add(f.resultNow());
                        sleep(0.01);
                    }
                } catch (AsyncTimeoutException e) {
                    order.add("timeout");
                }
                sleep(0.1);
                return order;
            }, "caller");
            List<String> order = cancelAtInjectionAndAwait(run, caller);
            assertNothingLeft(100);
            assertEquals(List.of("a", "b", "c"), fs.stream().map(Task::resultNow).toList(), "asCompleted never cancels its futures");
            if (!run.injected()) {
                assertEquals(timeoutSeconds > 2 ? List.of("c", "b", "a") : List.of("c", "timeout"), order);
            }
        });
    }
}
