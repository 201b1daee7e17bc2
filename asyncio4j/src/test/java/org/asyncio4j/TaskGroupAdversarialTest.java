package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.taskGroup;
import static org.asyncio4j.TaskGroupLambdaTest.shape;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Adversarial review of the TaskGroup engine (issue 8). Every lambda-form expectation was
 * checked against CPython 3.13 with the equivalent program (quoted in the test's comment);
 * try-form tests check api.md's four rules and the documented differences.
 */
@Timeout(30)
class TaskGroupAdversarialTest {

    private static double now() {
        return Math.round(getRunningLoop().time() * 10) / 10.0;
    }

    /** A child that sleeps 10 s and, when cancelled, cleans up for 1 s, then fails with {@code fail} or re-throws. */
    private static void slowCleanup(String fail) throws Exception {
        try {
            sleep(10);
        } catch (CancelledException e) {
            sleep(1);
            if (fail != null) {
                throw new IOException(fail);
            }
            throw e;
        }
    }

    /** A child that fails with IllegalArgumentException(msg) after {@code seconds}. */
    private static ThrowingRunnable failAt(double seconds, String msg) {
        return () -> {
            sleep(seconds);
            throw new IllegalArgumentException(msg);
        };
    }

    /** Consumes a generator, sleeping 1.5 s after each value; logs the values and what it ends with. */
    private static List<String> consumeSlowly(AsyncGenerator<Integer> generator) {
        List<String> l = new ArrayList<>();
        try (var gen = generator) {
            for (int v : gen) {
                l.add("got " + v + " at " + now());
                sleep(1.5);
            }
        } catch (Throwable e) {
            l.add("consumer " + shape(e) + " at " + now());
        }
        return l;
    }

    private static String outcome(Task<?> t) {
        try {
            return "result=" + t.await();
        } catch (CancelledException e) {
            return "cancelled";
        } catch (Throwable e) {
            return "failed " + shape(e);
        }
    }

    @Test
    void lambda_bodyFails_thenCancelFromOutsideDuringExit_statementStillThrowsTheGroupWithTheBodysException() {
        // Python 3.13 (equivalent program): ['statement: EG[OSError(body)] at 3.0'] failed EG[OSError(body)] 1
        List<Object> out = runVc(() -> {
            List<String> log = new ArrayList<>();
            Task<Object> t = createTask(() -> {
                try {
                    return taskGroup(tg -> {
                        tg.createTask(() -> {
                            try {
                                sleep(10);
                            } catch (CancelledException e) {
                                sleep(2);
                                throw e;
                            }
                        });
                        sleep(1);
                        throw new IOException("body");
                    });
                } catch (Throwable e) {
                    log.add("statement: " + shape(e) + " at " + now());
                    throw e;
                }
            });
            sleep(2);
            t.cancel();
            String o = outcome(t);
            return List.of(log, o, t.cancelling());
        });
        assertEquals(List.of(List.of("statement: EG[IOException(body)] at 3.0"), "failed EG[IOException(body)]", 1), out);
    }

    @Test
    void lambda3Deep_outerChildFails_innermostCleanupFailure_reachesTheOuterGroup() {
        // Python 3.13 (equivalent program): statement: EG[ValueError(outer), EG[EG[OSError(inner cleanup)]]] 3.0 0
        String out = runVc(() -> {
            try {
                taskGroup(outer -> {
                    outer.createTask(failAt(1, "outer"));
                    return taskGroup(mid -> {
                        mid.createTask(() -> slowCleanup(null));
                        return taskGroup(inner -> inner.createTask(() -> slowCleanup("inner cleanup")));
                    });
                });
                return "no exception";
            } catch (ExceptionGroup e) {
                return "statement: " + shape(e) + " " + now() + " " + currentTask().cancelling();
            }
        });
        assertEquals("statement: EG[IllegalArgumentException(outer), EG[EG[IOException(inner cleanup)]]] 3.0 0", out);
    }

    @Test
    void lambda2Deep_cancelFromOutside_innerCleanupFailure_isNotReplacedByTheCancellation() {
        // Python 3.13 (equivalent program): ['statement: EG[EG[OSError(inner cleanup)]] 3.0'] failed EG[EG[OSError(inner cleanup)]] 1 3.0
        List<Object> out = runVc(() -> {
            List<String> log = new ArrayList<>();
            Task<Object> t = createTask(() -> {
                try {
                    return taskGroup(outer -> {
                        outer.createTask(() -> slowCleanup(null));
                        return taskGroup(inner -> inner.createTask(() -> slowCleanup("inner cleanup")));
                    });
                } catch (Throwable e) {
                    log.add("statement: " + shape(e) + " " + now());
                    throw e;
                }
            });
            sleep(1);
            t.cancel();
            String o = outcome(t);
            return List.of(log, o, t.cancelling(), now());
        });
        assertEquals(List.of(List.of("statement: EG[EG[IOException(inner cleanup)]] 3.0"), "failed EG[EG[IOException(inner cleanup)]]", 1, 3.0), out);
    }

    @Test
    void lambda_createTaskFromAnotherTask_afterTheLastChildEnded_beforeTheExitResumes_isRefusedAsFinished() {
        // Python 3.13 (equivalent program): refused: RuntimeError finished 1.0 / statement ended at 1.0
        List<String> log = new ArrayList<>();
        runVc(() -> {
            TaskGroup[] holder = new TaskGroup[1];
            Task<?>[] other = new Task[1];
            taskGroup(tg -> {
                holder[0] = tg;
                Task<?> a = tg.createTask(() -> sleep(1));
                other[0] = createTask(() -> {
                    a.await();
                    try {
                        holder[0].createTask(() -> sleep(1));
                        log.add("accepted at " + now());
                    } catch (IllegalStateException e) {
                        log.add("refused: " + (e.getMessage().contains("finished") ? "finished" : e.getMessage()) + " " + now());
                    }
                });
                return null;
            });
            log.add("statement ended at " + now());
            other[0].await();
        });
        assertEquals(List.of("refused: finished 1.0", "statement ended at 1.0"), log);
    }

    @Test
    void lambda_gatherOfGroupChildren_oneFails_bodyGetsTheFailure_andTheGroupHoldsItTwice() {
        // Python 3.13 (equivalent program): body got ValueError(a) 1.0 / statement EG[ValueError(a), ValueError(a)] True True 1.0
        List<String> log = new ArrayList<>();
        runVc(() -> {
            Task<?>[] b = new Task[1];
            try {
                taskGroup(tg -> {
                    Task<Void> a = tg.createTask(failAt(1, "a"));
                    b[0] = tg.createTask(() -> { sleep(10); return null; });
                    try {
                        Asyncio.gather(a, b[0]);
                    } catch (Throwable e) {
                        log.add("body got " + shape(e) + " " + now());
                        throw e;
                    }
                    return null;
                });
            } catch (ExceptionGroup e) {
                log.add("statement " + shape(e) + " " + (e.exceptions().get(0) == e.exceptions().get(1)) + " " + b[0].isCancelled() + " " + now());
            }
        });
        assertEquals(List.of("body got IllegalArgumentException(a) 1.0",
                "statement EG[IllegalArgumentException(a), IllegalArgumentException(a)] true true 1.0"), log);
    }

    @Test
    void lambda_cancelFromOutsideJustAfterAChildFailed_bodySwallowsTheGroup_taskStillEndsCancelled() {
        // Python 3.13 (equivalent program): sibling False [True] cancelled 1 (body done at +0)
        //                      sibling True  [True] cancelled 1 (body done at +1.0)
        for (boolean sibling : new boolean[] {false, true}) {
            List<Object> out = runVc(() -> {
                Task<?>[] c = new Task[1];
                double[] bodyDone = {0};
                Task<String> t = createTask(() -> {
                    try {
                        taskGroup(tg -> {
                            c[0] = tg.createTask(failAt(1, "x"));
                            if (sibling) {
                                tg.createTask(() -> slowCleanup(null));
                            }
                            sleep(10);
                            return null;
                        });
                    } catch (ExceptionGroup e) {
                        return "swallowed " + shape(e);
                    } finally {
                        bodyDone[0] = now();
                    }
                    return "normal";
                });
                sleep(0);
                boolean[] accepted = {false};
                c[0].addDoneCallback(f -> accepted[0] = t.cancel());
                String o = outcome(t);
                return List.of(accepted[0], o, t.cancelling(), bodyDone[0]);
            });
            assertEquals(List.of(true, "cancelled", 1, sibling ? 2.0 : 1.0), out, "sibling " + sibling);
        }
    }

    @Test
    void lambda_bodyUncancelsTheGroupsCancellation_andGoesOn_groupStillThrows_countZero() {
        // Python 3.13 (equivalent program): ['uncancel->0', 'slept until 2.0', 'statement EG[ValueError(x)] 2.0 c=0', 'after 3.0']
        List<String> log = runVc(() -> {
            List<String> l = new ArrayList<>();
            try {
                taskGroup(tg -> {
                    tg.createTask(failAt(1, "x"));
                    tg.createTask(() -> sleep(10));
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        l.add("uncancel->" + currentTask().uncancel());
                    }
                    sleep(1);
                    l.add("slept until " + now());
                    return null;
                });
            } catch (ExceptionGroup e) {
                l.add("statement " + shape(e) + " " + now() + " c=" + currentTask().cancelling());
            }
            sleep(1);
            l.add("after " + now());
            return l;
        });
        assertEquals(List.of("uncancel->0", "slept until 2.0", "statement EG[IllegalArgumentException(x)] 2.0 c=0", "after 3.0"), log);
    }

    @Test
    void lambda_cancelledTwiceFromOutsideWhileTheExitWaits_endsWithCancelledException_countTwo() {
        // Python 3.13 (equivalent program): result='caught CE 3.0 c=2' 2
        List<Object> out = runVc(() -> {
            Task<String> t = createTask(() -> {
                try {
                    taskGroup(tg -> tg.createTask(() -> {
                        try {
                            sleep(10);
                        } catch (CancelledException e) {
                            sleep(2);
                            throw e;
                        }
                    }));
                } catch (CancelledException e) {
                    return "caught CE " + now() + " c=" + currentTask().cancelling();
                }
                return "normal";
            });
            sleep(1);
            t.cancel();
            sleep(1);
            t.cancel();
            return List.of(outcome(t), t.cancelling());
        });
        assertEquals(List.of("result=caught CE 3.0 c=2", 2), out);
    }

    @Test
    void lambda_bodyCancelsItsOwnTaskBeforeItsFirstSuspension_childrenCancelled_taskEndsCancelled() {
        // Python 3.13 (equivalent program): cancelled 1 0.0
        List<Object> out = runVc(() -> {
            Task<?>[] c = new Task[1];
            Task<String> t = createTask(() -> {
                taskGroup(tg -> {
                    c[0] = tg.createTask(() -> sleep(10));
                    currentTask().cancel();
                    return null;
                });
                return "after";
            });
            return List.of(outcome(t), t.cancelling(), c[0].isCancelled(), now());
        });
        assertEquals(List.of("cancelled", 1, true, 0.0), out);
    }

    @Test
    void lambda_timeoutAndChildFailureDueAtTheSameLoopTime_timeoutWins() {
        // Python 3.13 (equivalent program, case a): TimeoutError() 1.0 0
        String out = runVc(() -> {
            try {
                Asyncio.timeout(java.time.Duration.ofSeconds(1), () -> taskGroup(tg -> {
                    tg.createTask(failAt(1, "x"));
                    sleep(10);
                    return null;
                }));
                return "no exception";
            } catch (Throwable e) {
                return e.getClass().getSimpleName() + " " + now() + " " + currentTask().cancelling();
            }
        });
        assertEquals("AsyncTimeoutException 1.0 0", out);
    }

    @Test
    void lambda_timeoutAroundAGroupWhoseChildFailsInCleanup_groupLeavesTheTimeout_taskNotLeftCancelled() {
        // Python 3.13 (equivalent program, case b): EG[OSError(cleanup)] 2.0 0 / b after 3.0
        List<String> log = runVc(() -> {
            List<String> l = new ArrayList<>();
            try {
                Asyncio.timeout(java.time.Duration.ofSeconds(1), () -> taskGroup(tg -> {
                    tg.createTask(() -> slowCleanup("cleanup"));
                    sleep(10);
                    return null;
                }));
            } catch (Throwable e) {
                l.add(shape(e) + " " + now() + " " + currentTask().cancelling());
            }
            sleep(1);
            l.add("after " + now());
            return l;
        });
        assertEquals(List.of("EG[IOException(cleanup)] 2.0 0", "after 3.0"), log);
    }

    @Test
    void lambda_timeoutInsideTheBody_isTheBodysFailure_childrenCancelled() {
        // Python 3.13 (equivalent program, case c): EG[TimeoutError()] True 1.0
        String out = runVc(() -> {
            Task<?>[] c = new Task[1];
            try {
                taskGroup(tg -> {
                    c[0] = tg.createTask(() -> sleep(10));
                    Asyncio.timeout(java.time.Duration.ofSeconds(1), () -> sleep(5));
                    return null;
                });
                return "no exception";
            } catch (ExceptionGroup e) {
                return e.exceptions().size() + " " + e.exceptions().get(0).getClass().getSimpleName() + " " + c[0].isCancelled() + " " + now();
            }
        });
        assertEquals("1 AsyncTimeoutException true 1.0", out);
    }

    @Test
    void lambda_waitForOnAGroupChildTimesOut_childCancelled_groupHoldsTheTimeout() {
        // Python 3.13 (equivalent program, case d): EG[TimeoutError()] True True 1.0
        String out = runVc(() -> {
            Task<?>[] c = new Task[2];
            try {
                taskGroup(tg -> {
                    c[0] = tg.createTask(() -> sleep(10));
                    c[1] = tg.createTask(() -> sleep(10));
                    Asyncio.waitFor(c[0], java.time.Duration.ofSeconds(1));
                    return null;
                });
                return "no exception";
            } catch (ExceptionGroup e) {
                return e.exceptions().size() + " " + e.exceptions().get(0).getClass().getSimpleName() + " "
                        + c[0].isCancelled() + " " + c[1].isCancelled() + " " + now();
            }
        });
        assertEquals("1 AsyncTimeoutException true true 1.0", out);
    }

    @Test
    void lambda_timeoutExpiresWhileTheBodyWaitsInANestedExit_bothLevelsCancelled_timeoutLeaves() {
        // Python 3.13 (equivalent program, case e): TimeoutError() True True 1.0
        String out = runVc(() -> {
            Task<?>[] c = new Task[2];
            try {
                Asyncio.timeout(java.time.Duration.ofSeconds(1), () -> taskGroup(outer -> {
                    c[0] = outer.createTask(() -> sleep(10));
                    return taskGroup(inner -> c[1] = inner.createTask(() -> sleep(10)));
                }));
                return "no exception";
            } catch (Throwable e) {
                return e.getClass().getSimpleName() + " " + c[0].isCancelled() + " " + c[1].isCancelled() + " " + now();
            }
        });
        assertEquals("AsyncTimeoutException true true 1.0", out);
    }

    @Test
    void lambda_shieldOfAGroupChild_cancelFromOutside_theGroupStillCancelsTheChild() {
        // Python 3.13 (equivalent program, case a): cancelled True 1.0
        List<Object> out = runVc(() -> {
            Task<?>[] c = new Task[1];
            Task<Object> t = createTask(() -> taskGroup(tg -> {
                c[0] = tg.createTask(() -> sleep(10));
                return Asyncio.shield(c[0]).await();
            }));
            sleep(1);
            t.cancel();
            return List.of(outcome(t), c[0].isCancelled(), now());
        });
        assertEquals(List.of("cancelled", true, 1.0), out);
    }

    @Test
    void lambda_childShieldingAPlainTask_groupAborts_theShieldedTaskRunsOn() {
        // Python 3.13 (equivalent program, case b): EG[ValueError(x)] True False 1.0 / plain 3.0
        List<String> log = runVc(() -> {
            List<String> l = new ArrayList<>();
            Task<String> plain = createTask(() -> { sleep(3); return "plain"; });
            Task<?>[] s = new Task[1];
            try {
                taskGroup(tg -> {
                    s[0] = tg.createTask(() -> Asyncio.shield(plain).await());
                    tg.createTask(failAt(1, "x"));
                    return null;
                });
            } catch (ExceptionGroup e) {
                l.add(shape(e) + " " + s[0].isCancelled() + " " + plain.isDone() + " " + now());
            }
            l.add(plain.await() + " " + now());
            return l;
        });
        assertEquals(List.of("EG[IllegalArgumentException(x)] true false 1.0", "plain 3.0"), log);
    }

    @Test
    void lambda_bodySwallowsTheGroupsCancellationAndGoesOn_aLaterCleanupFailureIsInTheGroupToo() {
        // Python 3.13 (equivalent program, case c): body went on until 4.0 / EG[ValueError(first), OSError(late)] 4.0
        List<String> log = runVc(() -> {
            List<String> l = new ArrayList<>();
            try {
                taskGroup(tg -> {
                    tg.createTask(failAt(1, "first"));
                    tg.createTask(() -> slowCleanup("late"));
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        // swallowed
                    }
                    sleep(3);
                    l.add("body went on until " + now());
                    return null;
                });
            } catch (ExceptionGroup e) {
                l.add(shape(e) + " " + now());
            }
            return l;
        });
        assertEquals(List.of("body went on until 4.0", "EG[IllegalArgumentException(first), IOException(late)] 4.0"), log);
    }

    @Test
    void lambda_assertionErrorOfTheBody_cancelsTheChildBeforeItFails_groupHoldsOnlyTheBodys() {
        // Python 3.13 (equivalent program, case d): EG[AssertionError(body)] 0.0
        String out = runVc(() -> {
            try {
                taskGroup(tg -> {
                    tg.createTask(() -> { sleep(1); throw new AssertionError("child"); });
                    sleep(0);
                    throw new AssertionError("body");
                });
                return "no exception";
            } catch (ExceptionGroup e) {
                return shape(e) + " " + now();
            }
        });
        assertEquals("EG[AssertionError(body)] 0.0", out);
    }

    @Test
    void assertionErrorInAChild_isInTheGroup_bothForms() {
        List<String> out = runVc(() -> {
            List<String> l = new ArrayList<>();
            try {
                taskGroup(tg -> tg.createTask(() -> { sleep(1); throw new AssertionError("child"); }));
            } catch (ExceptionGroup e) {
                l.add(shape(e));
            }
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw new AssertionError("child"); });
                tg.createTask(() -> sleep(10));
            } catch (ExceptionGroup e) {
                l.add(shape(e) + " " + now());
            }
            return l;
        });
        assertEquals(List.of("EG[AssertionError(child)]", "EG[AssertionError(child)] 2.0"), out);
    }

    @Test
    void lambda_bodyCatchesAnOutsideCancellationAndGoesOn_childrenNotCancelled_returnsNormally() {
        // Python 3.13 (equivalent program, case e): result='normal 3.0 c=1' False 3.0
        List<Object> out = runVc(() -> {
            Task<?>[] c = new Task[1];
            Task<String> t = createTask(() -> {
                taskGroup(tg -> {
                    c[0] = tg.createTask(() -> { sleep(3); return "kid"; });
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        // swallowed
                    }
                    sleep(1);
                    return null;
                });
                return "normal " + now() + " c=" + currentTask().cancelling();
            });
            sleep(1);
            t.cancel();
            return List.of(outcome(t), c[0].isCancelled(), now());
        });
        assertEquals(List.of("result=normal 3.0 c=1", false, 3.0), out);
    }

    @Test
    void lambda_aChildCancelsTheParentTask_likeACancelFromOutside() {
        // Python 3.13 (equivalent program, case f): cancelled True 1.0
        List<Object> out = runVc(() -> {
            Task<?>[] k = new Task[1];
            Task<Object> t = createTask(() -> {
                Task<?> me = currentTask();
                return taskGroup(tg -> {
                    k[0] = tg.createTask(() -> { sleep(1); me.cancel(); sleep(1); return "killer done"; });
                    sleep(10);
                    return null;
                });
            });
            return List.of(outcome(t), k[0].isCancelled(), now());
        });
        assertEquals(List.of("cancelled", true, 1.0), out);
    }

    // ------------------------------------------------------------------ mixed forms, try form

    @Test
    void tryOuterLambdaInner_outerChildFails_innerCleanupFails_bodyGoesOn_statementEndsWithTheGroupNotACancellation() {
        // Nobody cancels the task from outside: the statement must end with the ExceptionGroup
        // (class Javadoc, "A child fails"), and the task must not end cancelled.
        // Python 3.13 with both groups as "async with" (equivalent program): statement EG[ValueError(outer)] 2.0 / task result='done' 0
        List<Object> out = runVc(() -> {
            List<String> log = new ArrayList<>();
            Task<String> t = createTask(() -> {
                try (var outer = new TaskGroup()) {
                    outer.createTask(failAt(1, "outer"));
                    try {
                        taskGroup(inner -> inner.createTask(() -> slowCleanup("inner cleanup")));
                    } catch (ExceptionGroup e) {
                        log.add("inner " + shape(e));
                    }
                    sleep(1);
                    log.add("body went on");
                } catch (Throwable e) {
                    log.add("statement " + shape(e) + " " + now());
                }
                return "done";
            });
            return List.of(log, outcome(t), t.cancelling());
        });
        assertEquals(List.of(List.of("inner EG[IOException(inner cleanup)]", "statement EG[IllegalArgumentException(outer)] 2.0"),
                "result=done", 0), out);
    }

    @Test
    void tryOuterTryInner_outerChildFails_innerCleanupFails_bodyGoesOn_statementEndsWithTheGroup_innerFailureKept() {
        List<Object> out = runVc(() -> {
            List<String> log = new ArrayList<>();
            Throwable[] statement = new Throwable[1];
            Throwable[] innerSeen = new Throwable[1];
            Task<String> t = createTask(() -> {
                try (var outer = new TaskGroup()) {
                    outer.createTask(failAt(1, "outer"));
                    try {
                        try (var inner = new TaskGroup()) {
                            inner.createTask(() -> slowCleanup("inner cleanup"));
                        }
                    } catch (ExceptionGroup e) {
                        innerSeen[0] = e;
                    }
                    sleep(1);
                    log.add("body went on until " + now());
                } catch (Throwable e) {
                    statement[0] = e;
                    log.add("statement " + shape(e) + " " + now());
                }
                return "done";
            });
            String o = outcome(t);
            boolean innerKept = StructuredConcurrencyTest.reachable(innerSeen[0]).stream()
                    .anyMatch(x -> "inner cleanup".equals(x.getMessage()));
            return List.of(log, o, t.cancelling(), innerKept);
        });
        // As the lambda inner above (Python 3.13, both as "async with"): the outer group's request
        // stays pending after the inner statement, so the body's next sleep stops it at 2.0.
        assertEquals(List.of(List.of("statement EG[IllegalArgumentException(outer)] 2.0"), "result=done", 0, true), out);
    }

    @Test
    void mixed3Deep_tryLambdaTry_innermostChildFails_everyLevelsChildrenDoneWhenItsStatementEnds_failureReachesTheTop() {
        List<Object> out = new ArrayList<>();
        Throwable top = null;
        try {
            runVc(() -> {
                List<Task<?>> outerKids = new ArrayList<>(), midKids = new ArrayList<>(), innerKids = new ArrayList<>();
                try (var outer = new TaskGroup()) {
                    outerKids.add(outer.createTask(() -> slowCleanup(null)));
                    try {
                        taskGroup(mid -> {
                            midKids.add(mid.createTask(() -> slowCleanup(null)));
                            try (var inner = new TaskGroup()) {
                                innerKids.add(inner.createTask(() -> slowCleanup(null)));
                                innerKids.add(inner.createTask(() -> { sleep(1); throw new IllegalStateException("deep"); }));
                            } finally {
                                out.add("inner done " + innerKids.stream().allMatch(Task::isDone) + " " + now());
                            }
                            return null;
                        });
                    } finally {
                        out.add("mid done " + midKids.stream().allMatch(Task::isDone) + " " + now());
                    }
                } finally {
                    out.add("outer done " + outerKids.stream().allMatch(Task::isDone) + " " + now());
                }
            });
        } catch (Throwable e) {
            top = e;
        }
        assertEquals(List.of("inner done true 2.0", "mid done true 3.0", "outer done true 4.0"), out);
        assertTrue(StructuredConcurrencyTest.reachable(top).stream().anyMatch(x -> "deep".equals(x.getMessage())), shape(top));
    }

    @Test
    void mixed3Deep_lambdaTryLambda_outermostChildFailsWhileTheBodyWaitsInTheInnermostExit_innermostCleanupFailureKept() {
        Throwable[] top = new Throwable[1];
        List<String> out = runVc(() -> {
            List<String> l = new ArrayList<>();
            List<Task<?>> all = new ArrayList<>();
            try {
                taskGroup(outer -> {
                    all.add(outer.createTask(failAt(1, "outer")));
                    try (var mid = new TaskGroup()) {
                        all.add(mid.createTask(() -> slowCleanup(null)));
                        taskGroup(inner -> all.add(inner.createTask(() -> slowCleanup("inner cleanup"))));
                    }
                    return null;
                });
            } catch (Throwable e) {
                top[0] = e;
                l.add("all done " + all.stream().allMatch(Task::isDone) + " " + now());
            }
            return l;
        });
        assertEquals(List.of("all done true 3.0"), out);
        assertTrue(StructuredConcurrencyTest.reachable(top[0]).stream().anyMatch(x -> "inner cleanup".equals(x.getMessage())),
                "the innermost cleanup failure was lost: " + shape(top[0]));
        assertTrue(StructuredConcurrencyTest.reachable(top[0]).stream().anyMatch(x -> "outer".equals(x.getMessage())), shape(top[0]));
    }

    @Test
    void tryForm_bodyCatchesAnOutsideCancellationWithoutUncancel_isStillTreatedAsCancelled_itsChildrenAreCancelled() {
        // The documented reading (TaskGroup, rule 4): close() cannot tell a body that swallowed a
        // cancellation without uncancel() from one whose cancellation is leaving through a
        // finally block that waited, so a count above the entry value cancels the children.
        // Python's lambda-equivalent would wait for the child; code that swallows a
        // cancellation must call uncancel() (see the uncancel() case below, which waits).
        List<Object> out = runVc(() -> {
            Task<?>[] c = new Task[1];
            Task<String> t = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    c[0] = tg.createTask(() -> { sleep(3); return "kid"; });
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        // swallowed, without uncancel()
                    }
                    sleep(1);
                }
                return "normal " + now();
            });
            sleep(1);
            t.cancel();
            return List.of(outcome(t), c[0].isCancelled(), now());
        });
        assertEquals(List.of("result=normal 2.0", true, 2.0), out);
    }

    @Test
    void tryForm_bodyCatchesAnOutsideCancellationAndUncancels_goesOn_childrenAreNotCancelled() {
        List<Object> out = runVc(() -> {
            Task<?>[] c = new Task[1];
            Task<String> t = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    c[0] = tg.createTask(() -> { sleep(3); return "kid"; });
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        currentTask().uncancel();
                    }
                    sleep(1);
                }
                return "normal " + now();
            });
            sleep(1);
            t.cancel();
            return List.of(outcome(t), c[0].isCancelled(), now());
        });
        assertEquals(List.of("result=normal 3.0", false, 3.0), out);
    }

    @Test
    void tryForm_closeFromAnotherTask_isRefused_andTheOwnersCloseStillWaitsForEveryChild() {
        List<Object> out = runVc(() -> {
            List<Object> l = new ArrayList<>();
            Task<?>[] c = new Task[2];
            try (var tg = new TaskGroup()) {
                c[0] = tg.createTask(() -> sleep(2));
                Task<String> other = createTask(() -> {
                    try {
                        tg.close();
                        return "closed";
                    } catch (IllegalStateException e) {
                        c[1] = tg.createTask(() -> sleep(3));   // another task may still add children
                        return "refused";
                    }
                });
                l.add(other.await());
                l.add(tg.toString());
            }
            l.add(c[0].isDone() + " " + c[1].isDone() + " " + now());
            return l;
        });
        assertEquals(List.of("refused", "TaskGroup[running, children=2, failed=0]", "true true 3.0"), out);
    }

    @Test
    void lambdaGroup_closeFromAnotherTask_isRefused() {
        String out = runVc(() -> taskGroup(tg -> {
            Task<String> other = createTask(() -> {
                try {
                    tg.close();
                    return "closed";
                } catch (IllegalStateException e) {
                    return "refused";
                }
            });
            return other.await();
        }));
        assertEquals("refused", out);
    }

    @Test
    void createTaskAndCancel_fromAnotherThread_areRefused() {
        List<String> out = runVc(() -> {
            List<String> l = new ArrayList<>();
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> sleep(1));
                Asyncio.toThread(() -> {
                    try {
                        tg.createTask(() -> 1);
                        l.add("createTask accepted");
                    } catch (IllegalStateException e) {
                        l.add("createTask refused");
                    }
                    try {
                        tg.cancel();
                        l.add("cancel accepted");
                    } catch (IllegalStateException e) {
                        l.add("cancel refused");
                    }
                });
                l.add(tg.toString());
            }
            return l;
        });
        assertEquals(List.of("createTask refused", "cancel refused", "TaskGroup[running, children=1, failed=0]"), out);
    }

    // ------------------------------------------------------------------ JDK blocking calls in the body

    @Test
    void lambda_childFailsWhileTheBodyIsInAJdkBlockingCall_theInterruptIsTheGroupsCancellation_notABodyFailure() {
        // The Javadoc: the lambda form interrupts a blocked body "as a cancellation is"; api.md
        // "Cancellation stays a cancellation". The InterruptedException the group caused is its
        // own cancellation (Python: the CancelledError of the group's request is not in the group).
        ExceptionGroup eg = org.junit.jupiter.api.Assertions.assertThrows(ExceptionGroup.class, () -> Asyncio.run(() -> taskGroup(tg -> {
            tg.createTask(failAt(0, "child"));
            Thread.sleep(3000);
            return null;
        })));
        assertEquals("EG[IllegalArgumentException(child)]", shape(eg));
    }

    @Test
    void lambda_cancelFromOutsideWhileTheBodyIsInAJdkBlockingCall_statementEndsWithCancelledException() {
        // Python: a cancelled body ends the group with CancelledError; api.md: an interrupt caused
        // by the cancel is a cancellation.
        List<Object> out = Asyncio.run(() -> {
            Throwable[] statement = new Throwable[1];
            Task<Object> t = createTask(() -> {
                try {
                    return taskGroup(tg -> {
                        tg.createTask(() -> sleep(10));
                        Thread.sleep(3000);
                        return null;
                    });
                } catch (Throwable e) {
                    statement[0] = e;
                    throw e;
                }
            });
            sleep(0.05);
            t.cancel();
            String o = outcome(t);
            return List.of(statement[0].getClass().getSimpleName(), o);
        });
        assertEquals(List.of("CancelledException", "cancelled"), out);
    }

    @Test
    void tryForm_cancelFromOutsideWhileTheBodyIsInAJdkBlockingCall_childrenCancelled_taskEndsCancelled() {
        List<Object> out = Asyncio.run(() -> {
            Task<?>[] c = new Task[1];
            Task<Void> t = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    c[0] = tg.createTask(() -> sleep(10));
                    Thread.sleep(3000);
                }
            });
            sleep(0.05);
            t.cancel();
            String o = outcome(t);
            return List.of(o, c[0].isCancelled());
        });
        assertEquals(List.of("cancelled", true), out);
    }

    // ------------------------------------------------------------------ groups inside AsyncGenerator producers

    @Test
    void generator_groupInTheProducer_childFailsWhileTheProducerWaitsInYield_theConsumerGetsTheGroup() {
        // Rule 2: the child's failure must reach the consumer (the code after the producer's
        // statement is the consumer's next hasNext()).
        List<String> log = runVc(() -> consumeSlowly(AsyncGenerator.<Integer>of(y -> taskGroup(tg -> {
            tg.createTask(failAt(1, "child"));
            tg.createTask(() -> slowCleanup(null));
            y.yield(1);
            y.yield(2);
            return null;
        }))));
        assertEquals(List.of("got 1 at 0.0", "consumer EG[IllegalArgumentException(child)] at 2.0"), log);
    }

    @Test
    void generator_tryFormGroupInTheProducer_childFailsWhileTheProducerWaitsInYield_theConsumerGetsTheGroup() {
        List<String> log = runVc(() -> consumeSlowly(AsyncGenerator.<Integer>of(y -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(failAt(1, "child"));
                y.yield(1);
                y.yield(2);
            }
        })));
        assertEquals(List.of("got 1 at 0.0", "consumer EG[IllegalArgumentException(child)] at 1.5"), log);
    }

    @Test
    void generator_closedWhileTheProducersGroupWaitsForCleanup_closeWaitsForTheChildren_andReportsTheirFailure() {
        List<String> log = runVc(() -> {
            List<String> l = new ArrayList<>();
            List<Task<?>> kids = new ArrayList<>();
            var gen = AsyncGenerator.<Integer>of(y -> taskGroup(tg -> {
                kids.add(tg.createTask(() -> slowCleanup("cleanup")));
                y.yield(1);
                y.yield(2);
                return null;
            }));
            var it = gen.iterator();
            l.add("got " + it.next());
            try {
                gen.close();
                l.add("closed");
            } catch (Throwable e) {
                l.add("close threw " + shape(e));
            }
            l.add("kids done " + kids.stream().allMatch(Task::isDone) + " at " + now());
            return l;
        });
        assertEquals(List.of("got 1", "close threw EG[IOException(cleanup)]", "kids done true at 1.0"), log);
    }

    @Test
    void generator_consumerCancelledWhileTheProducerWaitsInItsGroup_childrenDoneBeforeTheConsumerSeesIt() {
        List<Object> out = runVc(() -> {
            List<Task<?>> kids = new ArrayList<>();
            boolean[] doneWhenSeen = {false};
            Task<Void> consumer = createTask(() -> {
                try (var gen = AsyncGenerator.<Integer>of(y -> taskGroup(tg -> {
                    kids.add(tg.createTask(() -> slowCleanup(null)));
                    sleep(10);
                    y.yield(1);
                    return null;
                }))) {
                    for (int v : gen) {
                        // never reached
                    }
                } catch (CancelledException e) {
                    doneWhenSeen[0] = kids.stream().allMatch(Task::isDone);
                    throw e;
                }
            });
            sleep(1);
            consumer.cancel();
            return List.of(outcome(consumer), doneWhenSeen[0], now());
        });
        assertEquals(List.of("cancelled", true, 2.0), out);
    }

    // ------------------------------------------------------------------ interruption caught, body goes on; cancel()

    @Test
    void lambda_bodySwallowsTheGroupsCancellation_thenCancelledFromOutside_groupThrown_taskStillEndsCancelled() {
        // Python 3.13 (equivalent program): ['group cancel at 1.0', 'outside cancel at 2.0', 'statement EG[ValueError(x)] 2.0 c=1'] cancelled 1
        List<Object> out = runVc(() -> {
            List<String> log = new ArrayList<>();
            Task<String> t = createTask(() -> {
                try {
                    taskGroup(tg -> {
                        tg.createTask(failAt(1, "x"));
                        try {
                            sleep(10);
                        } catch (CancelledException e) {
                            log.add("group cancel at " + now());
                        }
                        try {
                            sleep(5);
                        } catch (CancelledException e) {
                            log.add("outside cancel at " + now());
                            throw e;
                        }
                        return null;
                    });
                } catch (Throwable e) {
                    log.add("statement " + shape(e) + " " + now() + " c=" + currentTask().cancelling());
                }
                return "swallowed";
            });
            sleep(2);
            t.cancel();
            return List.of(log, outcome(t), t.cancelling());
        });
        assertEquals(List.of(List.of("group cancel at 1.0", "outside cancel at 2.0", "statement EG[IllegalArgumentException(x)] 2.0 c=1"),
                "cancelled", 1), out);
    }

    @Test
    void tryForm_bodySwallowsTheInterruption_thenCancelledFromOutside_statementEndsCancelled_groupAttached() {
        List<Object> out = runVc(() -> {
            Throwable[] statement = new Throwable[1];
            Task<String> t = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(failAt(1, "x"));
                    try {
                        sleep(10);
                    } catch (ExceptionGroup e) {
                        // swallowed
                    }
                    sleep(5);
                } catch (Throwable e) {
                    statement[0] = e;
                }
                return "swallowed";
            });
            sleep(2);
            t.cancel();
            String o = outcome(t);
            boolean kept = StructuredConcurrencyTest.reachable(statement[0]).stream().anyMatch(x -> "x".equals(x.getMessage()));
            return List.of(statement[0].getClass().getSimpleName(), kept, o, t.cancelling());
        });
        // The statement ends with the CancelledException (try form, documented); the task caught
        // it and returned, which is its own choice (as catching CancelledError in Python).
        assertEquals(List.of("CancelledException", true, "result=swallowed", 1), out);
    }

    @Test
    void lambda_cancelByAChild_thenCancelFromOutsideDuringTheExit_theOutsideCancelIsNotLost() {
        // Python 3.15 (TaskGroup.cancel(), with gh-155433): the remaining cancellation is
        // propagated: CancelledError, the task ends cancelled.
        List<Object> out = runVc(() -> {
            Task<Object> t = createTask(() -> taskGroup(tg -> {
                tg.createTask(() -> slowCleanup(null));
                tg.createTask(() -> { sleep(1); tg.cancel(); });
                sleep(10);
                return "body";
            }));
            sleep(1.5);
            t.cancel();
            return List.of(outcome(t), t.cancelling(), now());
        });
        assertEquals(List.of("cancelled", 1, 2.0), out);
    }

    @Test
    void tryForm_cancelByAChild_thenCancelFromOutsideInClose_theOutsideCancelIsNotLost() {
        List<Object> out = runVc(() -> {
            Task<Void> t = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> slowCleanup(null));
                    tg.createTask(() -> { sleep(1); tg.cancel(); });
                }
            });
            sleep(1.5);
            t.cancel();
            return List.of(outcome(t), t.cancelling(), now());
        });
        assertEquals(List.of("cancelled", 1, 2.0), out);
    }

    @Test
    void lambda_cancelFromTheBody_bodyCatchesAndGoesOn_theCallReturnsTheBodysValue_childrenCancelled() {
        List<Object> out = runVc(() -> {
            Task<?>[] c = new Task[1];
            Object v = taskGroup(tg -> {
                c[0] = tg.createTask(() -> sleep(10));
                tg.cancel();
                try {
                    sleep(1);
                } catch (CancelledException e) {
                    // Python 3.15: the body's next await raises CancelledError; it may go on
                }
                sleep(1);
                return "body value";
            });
            return java.util.Arrays.asList(v, c[0].isCancelled(), currentTask().cancelling(), now());
        });
        assertEquals(java.util.Arrays.asList("body value", true, 0, 1.0), out);
    }

    @Test
    void cancel_afterAChildFailed_lambdaForm_stillThrowsTheFailure() {
        String out = runVc(() -> {
            try {
                taskGroup(tg -> {
                    tg.createTask(() -> { throw new IllegalArgumentException("early"); });
                    try {
                        sleep(1);
                    } catch (CancelledException e) {
                        tg.cancel();
                        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(
                                IllegalStateException.class, () -> tg.createTask(() -> 1));
                        assertTrue(refused.getMessage().contains("shutting down"), refused.getMessage());
                        throw e;
                    }
                    return null;
                });
                return "no exception";
            } catch (ExceptionGroup e) {
                return shape(e) + " c=" + currentTask().cancelling();
            }
        });
        assertEquals("EG[IllegalArgumentException(early)] c=0", out);
    }

    @Test
    void tryForm_timeoutAroundTheStatement_expiresWhileCloseWaits_childrenCancelled_timeoutLeaves() {
        List<Object> out = runVc(() -> {
            Task<?>[] c = new Task[1];
            try {
                Asyncio.timeout(java.time.Duration.ofSeconds(1), () -> {
                    try (var tg = new TaskGroup()) {
                        c[0] = tg.createTask(() -> slowCleanup(null));
                    }
                });
                return List.of("no timeout");
            } catch (AsyncTimeoutException e) {
                return List.of(c[0].isCancelled(), now(), currentTask().cancelling());
            }
        });
        assertEquals(List.of(true, 2.0, 0), out);
    }

    @Test
    void tryForm_timeoutAroundTheStatement_childFailsInCleanup_failureReachesTheCaller_taskNotLeftCancelled() {
        List<Object> out = runVc(() -> {
            Throwable caught = null;
            try {
                Asyncio.timeout(java.time.Duration.ofSeconds(1), () -> {
                    try (var tg = new TaskGroup()) {
                        tg.createTask(() -> slowCleanup("cleanup"));
                        sleep(10);
                    }
                });
            } catch (Throwable e) {
                caught = e;
            }
            boolean kept = StructuredConcurrencyTest.reachable(caught).stream().anyMatch(x -> "cleanup".equals(x.getMessage()));
            sleep(1);                     // not left with a pending cancellation
            return List.of(kept, now(), currentTask().cancelling());
        });
        assertEquals(List.of(true, 3.0, 0), out);
    }

    @Test
    void tryForm_bodyUncancelsAnOutsideCancellation_andGoesOn_closeWaitsForTheChildren() {
        List<Object> out = runVc(() -> {
            Task<?>[] c = new Task[1];
            Task<String> t = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    c[0] = tg.createTask(() -> { sleep(3); return "kid"; });
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        currentTask().uncancel();
                    }
                    sleep(0);             // suspends again: nothing is leaving the body (rule 4)
                }
                return "normal " + now();
            });
            sleep(1);
            t.cancel();
            return List.of(outcome(t), c[0].isCancelled(), t.cancelling());
        });
        assertEquals(List.of("result=normal 3.0", false, 0), out);
    }

    // ------------------------------------------------------------------ harness: a failing body

    /**
     * A body that fails with its own exception after its children started, in either form, with
     * a cancel injected at every suspension point: every child is done when the statement ends,
     * and once the body has thrown, its exception reaches the task's awaiter (Python 3.13: the
     * group holds it; the try form: it is the exception that leaves).
     */
    private static void failingBodyScenario(boolean lambda) {
        CancellationHarness.everySuspensionPoint(CancellationHarness.named("fb-"), run -> {
            List<Task<?>> kids = new ArrayList<>();
            boolean[] allDoneAtEnd = {false};
            IOException[] thrown = {null};
            Task<Object> body = createTask(() -> {
                TaskGroup.Body<Object> b = tg -> {
                    kids.add(tg.createTask(() -> { sleep(1.5); return 1; }, "fb-a"));
                    kids.add(tg.createTask(() -> {
                        try {
                            sleep(3);
                        } finally {
                            sleep(0.5);
                        }
                    }, "fb-b"));
                    sleep(1);
                    thrown[0] = new IOException("body");
                    throw thrown[0];
                };
                try {
                    if (lambda) {
                        return taskGroup(b);
                    }
                    try (var tg = new TaskGroup()) {
                        return b.run(tg);
                    }
                } finally {
                    allDoneAtEnd[0] = kids.stream().allMatch(Task::isDone);
                }
            }, "fb-body");
            Throwable outcome = null;
            try {
                body.await();
            } catch (Throwable e) {
                outcome = e;
            }
            assertTrue(allDoneAtEnd[0], "a child outlived its group");
            if (thrown[0] != null) {
                assertTrue(StructuredConcurrencyTest.reachable(outcome).contains(thrown[0]),
                        "the body's exception was lost: the task ended with " + (outcome == null ? "a result" : shape(outcome)));
            }
        });
    }

    @Test
    void harness_lambdaForm_failingBody_cancelAtEverySuspensionPoint_theBodysExceptionIsNeverLost() {
        failingBodyScenario(true);
    }

    @Test
    void harness_tryForm_failingBody_cancelAtEverySuspensionPoint_theBodysExceptionIsNeverLost() {
        failingBodyScenario(false);
    }

    // ------------------------------------------------------------------ more Python 3.13 comparisons

    @Test
    void lambda_taskAlreadyCountingACancellation_childFails_groupThrown_taskStillEndsCancelled() {
        // Python 3.13 (equivalent program, case a): cancelled 1
        List<Object> out = runVc(() -> {
            Task<String> t = createTask(() -> {
                currentTask().cancel();
                try {
                    sleep(1);
                } catch (CancelledException e) {
                    // swallowed without uncancel()
                }
                try {
                    taskGroup(tg -> {
                        tg.createTask(failAt(1, "x"));
                        sleep(10);
                        return null;
                    });
                } catch (ExceptionGroup e) {
                    return shape(e);
                }
                return "normal";
            });
            return List.of(outcome(t), t.cancelling());
        });
        assertEquals(List.of("cancelled", 1), out);
    }

    @Test
    void lambda_cancelledFromOutside_aChildFailsDuringTheBodysCancellationCleanup_groupThrown_countKept() {
        // Python 3.13 (equivalent program, case b): ['outside cancel at 0.5', 'cleanup cancelled at 1.0',
        //   'statement EG[ValueError(x)] 1.0 c=1'] failed EG[ValueError(x)] 1
        List<Object> out = runVc(() -> {
            List<String> log = new ArrayList<>();
            Task<Object> t = createTask(() -> {
                try {
                    return taskGroup(tg -> {
                        tg.createTask(failAt(1, "x"));
                        try {
                            sleep(10);
                        } catch (CancelledException e) {
                            log.add("outside cancel at " + now());
                            try {
                                sleep(5);
                            } catch (CancelledException e2) {
                                log.add("cleanup cancelled at " + now());
                                throw e2;
                            }
                            throw e;
                        }
                        return null;
                    });
                } catch (Throwable e) {
                    log.add("statement " + shape(e) + " " + now() + " c=" + currentTask().cancelling());
                    throw e;
                }
            });
            sleep(0.5);
            t.cancel("bye");
            return List.of(log, outcome(t), t.cancelling());
        });
        assertEquals(List.of(List.of("outside cancel at 0.5", "cleanup cancelled at 1.0", "statement EG[IllegalArgumentException(x)] 1.0 c=1"),
                "failed EG[IllegalArgumentException(x)]", 1), out);
    }

    @Test
    void lambda_cancelFromOutsideWhileTheExitWaits_keepsTheCancelMessage() {
        // Python 3.13 (equivalent program, case c): result='CE(bye)'
        String out = runVc(() -> {
            Task<String> t = createTask(() -> {
                try {
                    taskGroup(tg -> tg.createTask(() -> sleep(10)));
                } catch (CancelledException e) {
                    return "CE(" + e.getMessage() + ")";
                }
                return "normal";
            });
            sleep(1);
            t.cancel("bye");
            return outcome(t);
        });
        assertEquals("result=CE(bye)", out);
    }

    @Test
    void bothForms_aChildAddsASiblingWhileTheExitWaits_thenFails_theNewSiblingIsCancelled() {
        // Python 3.13 (equivalent program, case d): EG[ValueError(adder)] True 2.0
        for (boolean lambda : new boolean[] {true, false}) {
            String out = runVc(() -> {
                TaskGroup[] holder = new TaskGroup[1];
                Task<?>[] added = new Task[1];
                ThrowingRunnable adder = () -> {
                    sleep(1);
                    added[0] = holder[0].createTask(() -> sleep(10));
                    sleep(1);
                    throw new IllegalArgumentException("adder");
                };
                try {
                    if (lambda) {
                        taskGroup(tg -> {
                            holder[0] = tg;
                            return tg.createTask(adder);
                        });
                    } else {
                        try (var tg = new TaskGroup()) {
                            holder[0] = tg;
                            tg.createTask(adder);
                        }
                    }
                    return "no exception";
                } catch (ExceptionGroup e) {
                    return shape(e) + " " + added[0].isCancelled() + " " + now();
                }
            });
            assertEquals("EG[IllegalArgumentException(adder)] true 2.0", out, lambda ? "lambda" : "try");
        }
    }

    @Test
    void tryNested_childrenOfBothLevelsFailAtTheSameMoment_bothFailuresReachTheCaller_allChildrenDone() {
        for (boolean outerFirst : new boolean[] {true, false}) {
            List<Task<?>> kids = new ArrayList<>();
            Throwable[] top = new Throwable[1];
            boolean[] done = {false};
            runVc(() -> {
                try {
                    try (var outer = new TaskGroup()) {
                        if (outerFirst) {
                            kids.add(outer.createTask(failAt(1, "outer")));
                        }
                        kids.add(outer.createTask(() -> slowCleanup(null)));
                        try (var inner = new TaskGroup()) {
                            kids.add(inner.createTask(() -> { sleep(1); throw new IllegalStateException("inner"); }));
                            kids.add(inner.createTask(() -> slowCleanup(null)));
                            if (!outerFirst) {
                                kids.add(outer.createTask(failAt(1, "outer")));
                            }
                            sleep(10);
                        }
                    }
                } catch (Throwable e) {
                    top[0] = e;
                    done[0] = kids.stream().allMatch(Task::isDone);
                }
            });
            assertTrue(done[0], "children done");
            var all = StructuredConcurrencyTest.reachable(top[0]);
            assertTrue(all.stream().anyMatch(x -> "outer".equals(x.getMessage())), shape(top[0]));
            assertTrue(all.stream().anyMatch(x -> "inner".equals(x.getMessage())), shape(top[0]));
        }
    }

    @Test
    void waitForAroundALambdaGroup_timesOut_afterEveryChildIsDone() {
        // Python 3.13 (equivalent program): True 3.0 (the outer child is cancelled only once the inner exit ends)
        List<Object> out = runVc(() -> {
            List<Task<?>> kids = new ArrayList<>();
            try {
                Asyncio.waitFor(() -> taskGroup(tg -> {
                    kids.add(tg.createTask(() -> slowCleanup(null)));
                    return taskGroup(inner -> kids.add(inner.createTask(() -> slowCleanup(null))));
                }), java.time.Duration.ofSeconds(1));
                return List.of("no timeout");
            } catch (AsyncTimeoutException e) {
                return List.of(kids.stream().allMatch(Task::isDone), now());
            }
        });
        assertEquals(List.of(true, 3.0), out);
    }

    @Test
    void toString_followsTheLifecycle_inBothForms() {
        List<String> out = runVc(() -> {
            List<String> l = new ArrayList<>();
            TaskGroup[] keep = new TaskGroup[1];
            try (var tg = new TaskGroup()) {
                keep[0] = tg;
                tg.createTask(() -> sleep(1));
                createTask(() -> { sleep(0.5); l.add(keep[0].toString()); });
            }
            l.add(keep[0].toString());
            taskGroup(tg -> {
                tg.createTask(() -> slowCleanup(null));
                tg.createTask(() -> { sleep(1); tg.cancel(); l.add(tg.toString()); });
                return null;
            });
            return l;
        });
        assertEquals(List.of("TaskGroup[closing, children=1, failed=0]", "TaskGroup[done, children=0, failed=0]",
                "TaskGroup[cancelled, children=2, failed=0]"), out);
    }

    @Test
    void lambda_timeoutInTheBodyAndAChildFailureDueAtTheSameTime_childTimerFirst_groupHoldsBothInOrder() {
        // Python 3.13 (equivalent program, case a): EG[ValueError(x), TimeoutError()] 1.0
        String out = runVc(() -> {
            try {
                taskGroup(tg -> {
                    tg.createTask(failAt(1, "x"));
                    sleep(0);
                    Asyncio.timeout(java.time.Duration.ofSeconds(1), () -> sleep(5));
                    return null;
                });
                return "no exception";
            } catch (ExceptionGroup e) {
                return e.exceptions().stream().map(x -> x.getClass().getSimpleName()).toList() + " " + now();
            }
        });
        assertEquals("[IllegalArgumentException, AsyncTimeoutException] 1.0", out);
    }

    @Test
    void bothForms_cancelledFromOutside_aChildRefusesTheCancellation_theStatementWaitsForIt() {
        // Python 3.13 (equivalent program, case b): cancelled refused 6.0
        for (boolean lambda : new boolean[] {true, false}) {
            List<Object> out = runVc(() -> {
                Task<?>[] s = new Task[1];
                Callable<String> stubborn = () -> {
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        sleep(5);
                        return "refused";
                    }
                    return "slept";
                };
                Task<Object> t = createTask(() -> {
                    if (lambda) {
                        return taskGroup(tg -> s[0] = tg.createTask(stubborn));
                    }
                    try (var tg = new TaskGroup()) {
                        s[0] = tg.createTask(stubborn);
                    }
                    return null;
                });
                sleep(1);
                t.cancel();
                return List.of(outcome(t), s[0].resultNow(), now());
            });
            assertEquals(List.of("cancelled", "refused", 6.0), out, lambda ? "lambda" : "try");
        }
    }

    @Test
    void tryForm_bodyCatchesTheInterruptionWithCatchException_andEndsWithoutSuspending_theFailureStillLeavesTheStatement() {
        // Rule 2: a child failure reaches the code after the statement. A body that swallows the
        // group and suspends again gets it from close() (StructuredConcurrencyTest); one that
        // swallows it and ends at once (a catch-all around a call, common in Java) must too.
        String out = runVc(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(failAt(1, "lost?"));
                try {
                    sleep(10);
                } catch (Exception e) {
                    // a catch-all: retry later, log, ...
                }
            } catch (ExceptionGroup e) {
                return "statement " + shape(e);
            }
            return "statement ended normally";
        });
        assertEquals("statement EG[IllegalArgumentException(lost?)]", out);
    }

    @Test
    void tryForm_explicitCloseInsideTheStatement_thenTryWithResourcesClose_isANoOp_andCreateTaskRefused() {
        List<String> out = runVc(() -> {
            List<String> l = new ArrayList<>();
            try (var tg = new TaskGroup()) {
                Task<?> c = tg.createTask(() -> sleep(1));
                tg.close();
                l.add("closed " + c.isDone() + " " + now());
                try {
                    tg.createTask(() -> 1);
                    l.add("accepted");
                } catch (IllegalStateException e) {
                    l.add("refused");
                }
            }
            l.add(now() + "");
            return l;
        });
        assertEquals(List.of("closed true 1.0", "refused", "1.0"), out);
    }

    @Test
    void tryForm_bodySwallowsTheInterruptionAndGoesOn_aSecondChildFails_closeThrowsBoth() {
        String out = runVc(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(failAt(1, "first"));
                tg.createTask(() -> slowCleanup("second"));
                try {
                    sleep(10);
                } catch (ExceptionGroup e) {
                    // swallowed
                }
                sleep(3);
            } catch (ExceptionGroup e) {
                return shape(e) + " " + now();
            }
            return "no exception";
        });
        assertEquals("EG[IllegalArgumentException(first), IOException(second)] 4.0", out);
    }

    @Test
    void tryForm_bodyCatchesTheInterruptionAndThrowsItsOwnException_withoutSuspending_theGroupIsAttached() {
        // Class Javadoc: "In the try form the body's own exception leaves instead, the group
        // attached as suppressed."
        String out = runVc(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(failAt(1, "child"));
                try {
                    sleep(10);
                } catch (ExceptionGroup e) {
                    throw new IOException("body");
                }
            } catch (IOException e) {
                return "statement " + shape(e) + " suppressed " + java.util.Arrays.stream(e.getSuppressed()).map(TaskGroupLambdaTest::shape).toList();
            }
            return "no exception";
        });
        assertEquals("statement IOException(body) suppressed [EG[IllegalArgumentException(child)]]", out);
    }

    // ------------------------------------------------------------------ harness: mixed forms

    /**
     * Mixed nesting (try outside lambda, lambda outside try), the inner child failing in its
     * cancellation cleanup, with a cancel of the body's task or a sibling's failure injected at
     * every suspension point: every child done when its statement ends; an injected failure and
     * the inner cleanup failure (once it happened) reach the task's awaiter; a task nobody
     * cancelled does not end cancelled.
     */
    private static void mixedScenario(boolean tryOutside, boolean bombing) {
        CancellationHarness.everySuspensionPoint(CancellationHarness.named("mx-"), run -> {
            List<Task<?>> kids = new ArrayList<>();
            boolean[] doneAtEnd = {true};
            IOException[] cleanupFailure = {null};
            CancellationHarness.Bomb bomb = run.bomb(bombing, 6.0);
            Future<Void> trigger = bomb.trigger();
            ThrowingRunnable failingCleanup = () -> {
                try {
                    sleep(3);
                } catch (CancelledException e) {
                    sleep(0.5);
                    cleanupFailure[0] = new IOException("inner cleanup");
                    throw cleanupFailure[0];
                }
            };
            TaskGroup.Body<Object> innerBody = inner -> {
                kids.add(inner.createTask(failingCleanup, "mx-inner-a"));
                kids.add(inner.createTask(() -> { sleep(1); return 1; }, "mx-inner-b"));
                sleep(2);
                return null;
            };
            Task<Object> body = createTask(() -> {
                try {
                    if (tryOutside) {
                        try (var outer = new TaskGroup()) {
                            if (bombing) {
                                kids.add(outer.createTask(() -> { trigger.await(); }, "mx-bomb"));
                            }
                            kids.add(outer.createTask(() -> sleep(2.5), "mx-outer"));
                            taskGroup(innerBody);
                        }
                    } else {
                        taskGroup(outer -> {
                            if (bombing) {
                                kids.add(outer.createTask(() -> { trigger.await(); }, "mx-bomb"));
                            }
                            kids.add(outer.createTask(() -> sleep(2.5), "mx-outer"));
                            try (var inner = new TaskGroup()) {
                                innerBody.run(inner);
                            }
                            return null;
                        });
                    }
                    return null;
                } finally {
                    doneAtEnd[0] = kids.stream().allMatch(Task::isDone);
                }
            }, "mx-body");
            Throwable outcome = null;
            try {
                body.await();
            } catch (Throwable e) {
                outcome = e;
            }
            bomb.disarm();
            assertTrue(doneAtEnd[0], "a child outlived its group");
            var reach = StructuredConcurrencyTest.reachable(outcome);
            if (bomb.exception() != null) {
                assertTrue(reach.contains(bomb.exception()), "the sibling's failure was lost: " + (outcome == null ? "a result" : shape(outcome)));
                assertTrue(!body.isCancelled(), "nobody cancelled the task, yet it ended cancelled: " + shape(outcome));
            }
            if (cleanupFailure[0] != null) {
                assertTrue(reach.contains(cleanupFailure[0]), "the inner cleanup failure was lost: " + (outcome == null ? "a result" : shape(outcome)));
            }
        });
    }

    @Test
    void harness_tryOutsideLambda_cancelAtEverySuspensionPoint() {
        mixedScenario(true, false);
    }

    @Test
    void harness_lambdaOutsideTry_cancelAtEverySuspensionPoint() {
        mixedScenario(false, false);
    }

    @Test
    void harness_tryOutsideLambda_siblingFailsAtEverySuspensionPoint() {
        mixedScenario(true, true);
    }

    @Test
    void harness_lambdaOutsideTry_siblingFailsAtEverySuspensionPoint() {
        mixedScenario(false, true);
    }

    @Test
    void lambdaOuterTryInner_outerChildFails_innerCleanupFailure_reachesTheOuterGroup() {
        // Python 3.13 with both as "async with": EG[ValueError(outer), EG[OSError(inner cleanup)]].
        // The try-form inner statement ends with the CancelledException the outer group stopped
        // the body with, the inner failures attached to it (documented); the outer lambda group
        // must not drop them when it swallows its own cancellation.
        Throwable[] top = new Throwable[1];
        runVc(() -> {
            try {
                taskGroup(outer -> {
                    outer.createTask(failAt(1, "outer"));
                    try (var inner = new TaskGroup()) {
                        inner.createTask(() -> slowCleanup("inner cleanup"));
                        sleep(10);        // stopped here by the outer group's CancelledException
                    }
                    return null;
                });
            } catch (Throwable e) {
                top[0] = e;
            }
        });
        var all = StructuredConcurrencyTest.reachable(top[0]);
        assertTrue(all.stream().anyMatch(x -> "outer".equals(x.getMessage())), shape(top[0]));
        assertTrue(all.stream().anyMatch(x -> "inner cleanup".equals(x.getMessage())), "inner cleanup failure lost: " + shape(top[0]));
    }
}
