package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.taskGroup;
import static org.asyncio4j.TaskGroupLambdaTest.shape;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Collections;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * api.md's "Structured concurrency: what holds on every path", for both forms of
 * {@link TaskGroup} and nested groups: the regressions of issue 8 (items 1-3) and the
 * cancellation harness run at every suspension point.
 */
@Timeout(30)
class StructuredConcurrencyTest {

    private static double now() {
        return getRunningLoop().time();
    }

    /** Every throwable reachable from {@code root} through causes, suppressed and members. */
    static Set<Throwable> reachable(Throwable root) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> todo = new ArrayList<>();
        if (root != null) {
            todo.add(root);
        }
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(todo.size() - 1);
            if (t == null || !seen.add(t)) {
                continue;
            }
            todo.add(t.getCause());
            todo.addAll(List.of(t.getSuppressed()));
            if (t instanceof ExceptionGroup g) {
                todo.addAll(g.exceptions());
            }
        }
        return seen;
    }

    // ------------------------------------------------------------------ issue 8, items 1-3

    @Test
    void nestedTryForm_innerChildFails_outerCancelsItsLongSibling_insteadOfWaitingForIt() {
        List<Object> out = runVc(() -> {
            Task<?> slow = null;
            ExceptionGroup caught = null;
            try (var outer = new TaskGroup()) {
                slow = outer.createTask(() -> sleep(10));
                try (var inner = new TaskGroup()) {
                    inner.createTask(() -> { sleep(1); throw new IllegalArgumentException("inner"); });
                }
            } catch (ExceptionGroup e) {
                caught = e;
            }
            return List.of(now(), slow.isCancelled(), shape(caught));
        });
        assertEquals(1.0, (double) out.get(0), 1e-9, "the outer group cancelled its 10 s child at once");
        assertEquals(true, out.get(1));
        assertEquals("EG[IllegalArgumentException(inner)]", out.get(2));
    }

    @Test
    void outerChildFails_whileTheBodyWaitsInInnerClose_innerChildrenAreCancelledAndAwaited_andTheirFailuresKept() {
        List<Object> out = new ArrayList<>();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> {
            try (var outer = new TaskGroup()) {
                outer.createTask(() -> { sleep(1); throw new IllegalArgumentException("outer"); });
                try (var inner = new TaskGroup()) {
                    out.add(inner.createTask(() -> {
                        try {
                            sleep(10);
                        } catch (CancelledException e) {
                            sleep(2);                // cleanup takes time: close() must wait for it
                            throw new IOException("inner cleanup failed");
                        }
                    }));
                }
                out.add("after inner at " + now());
            } finally {
                out.add("outer done at " + now() + ", inner child done: " + ((Task<?>) out.get(0)).isDone());
            }
        }));
        assertEquals("outer done at 3.0, inner child done: true", out.get(out.size() - 1));
        assertFalse(out.contains("after inner at 3.0"), "the inner statement ended by the outer's interruption");
        Set<Throwable> all = reachable(eg);
        assertTrue(all.stream().anyMatch(t -> "inner cleanup failed".equals(t.getMessage())), "inner failure kept: " + shape(eg));
        assertTrue(all.stream().anyMatch(t -> "outer".equals(t.getMessage())), shape(eg));
    }

    @Test
    void cancelFromOutside_justAfterAChildFailed_isNotLost_whenTheBodySwallowsTheGroup() {
        List<Object> out = runVc(() -> {
            Task<?>[] child = new Task[1];
            Task<String> t = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    child[0] = tg.createTask(() -> { sleep(1); throw new IllegalArgumentException("x"); });
                    sleep(10);
                } catch (ExceptionGroup e) {
                    return "swallowed";
                }
                return "normal";
            });
            sleep(0);
            // Cancel right after the child failed: this callback runs after the group's (which
            // asked the body to stop) and before the body resumes.
            boolean[] accepted = {false};
            child[0].addDoneCallback(f -> accepted[0] = t.cancel());
            Asyncio.wait(List.of(t), ReturnWhen.ALL_COMPLETED);
            return List.of(accepted[0], t.isCancelled(), t.cancelling());
        });
        assertEquals(List.of(true, true, 1), out, "Python 3.13 ends this task cancelled");
    }

    @Test
    void tryForm_cancelledFromOutside_childFailureInCleanup_reachesTheTasksAwaiter() {
        Throwable seen = runVc(() -> {
            Task<Void> t = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        try {
                            sleep(10);
                        } catch (CancelledException e) {
                            throw new IOException("cleanup failed");
                        }
                    });
                    sleep(10);
                }
            });
            sleep(1);
            t.cancel();
            try {
                t.await();
                return null;
            } catch (CancelledException e) {
                return e;
            }
        });
        assertTrue(reachable(seen).stream().anyMatch(x -> "cleanup failed".equals(x.getMessage())),
                "the failure is attached to the CancelledException the awaiter sees");
    }

    @Test
    void tryForm_timeoutInsideTheBody_cancelsTheChildren() {
        List<Object> out = runVc(() -> {
            Task<?> c = null;
            try (var tg = new TaskGroup()) {
                c = tg.createTask(() -> sleep(10));
                Asyncio.timeout(java.time.Duration.ofSeconds(1), () -> sleep(5));
            } catch (AsyncTimeoutException e) {
                return List.of(now(), c.isCancelled());
            }
            return List.of("no timeout");
        });
        assertEquals(List.of(1.0, true), out);
    }

    @Test
    void tryForm_bodysOwnException_waitsForTheChildren_asDocumented() {
        List<Object> out = runVc(() -> {
            Task<Integer> c = null;
            try (var tg = new TaskGroup()) {
                c = tg.createTask(() -> { sleep(2); return 7; });
                sleep(0);
                throw new IOException("body");
            } catch (IOException e) {
                return List.of(now(), c.resultNow());
            }
        });
        assertEquals(List.of(2.0, 7), out);
    }

    @Test
    void tryForm_groupInterruption_isACancellationToLibraryCleanup_andNotAfterTheStatement() {
        runVc(() -> {
            Throwable[] seen = new Throwable[1];
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw new IllegalArgumentException("x"); });
                try {
                    sleep(10);
                } catch (ExceptionGroup e) {
                    seen[0] = e;
                    assertTrue(org.asyncio4j.internal.Cancellation.isCancellation(e), "inside the body it stops like a cancellation");
                    throw e;
                }
            } catch (ExceptionGroup e) {
                assertEquals(seen[0], e, "the statement ends with the group the body got");
                assertFalse(org.asyncio4j.internal.Cancellation.isCancellation(e), "after the statement: an ordinary failure");
            }
            assertNotNull(seen[0]);
        });
    }

    @Test
    void tryForm_bodyThatSwallowsTheGroup_stillGetsTheFailureFromClose() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw new IllegalArgumentException("kept"); });
                try {
                    sleep(10);
                } catch (ExceptionGroup swallowed) {
                    sleep(0);         // goes on as if nothing happened
                }
            }
        }));
        assertEquals("EG[IllegalArgumentException(kept)]", shape(eg));
    }

    @Test
    void lambdaInsideTryForm_outerChildFails_innerChildrenAreAwaited_beforeTheOuterStatementEnds() {
        List<Object> out = new ArrayList<>();
        assertThrows(ExceptionGroup.class, () -> runVc(() -> {
            try (var outer = new TaskGroup()) {
                outer.createTask(() -> { sleep(1); throw new IllegalArgumentException("outer"); });
                taskGroup(inner -> {
                    out.add(inner.createTask(() -> {
                        try {
                            sleep(10);
                        } finally {
                            sleep(1);
                        }
                    }));
                    return null;
                });
            } finally {
                out.add(((Task<?>) out.get(0)).isDone());
                out.add(now());
            }
        }));
        assertEquals(List.of(true, 2.0), out.subList(1, 3));
    }

    // ------------------------------------------------------------------ the harness

    /** Invariants shared by the harness scenarios, checked after each run. */
    private static void checkGroupRun(CancellationHarness.Run run, Task<?> body, List<Task<?>> children,
                                      boolean allDoneAtExit, Throwable bomb) {
        assertTrue(body.isDone(), "the body task ended");
        assertTrue(allDoneAtExit, "every child was done when the statement ended");
        for (Task<?> c : children) {
            assertTrue(c.isDone(), "child " + c.getName() + " outlived its group");
        }
        if (run.injected() && run.injectedInto() == body && run.point() >= 0 && bomb == null) {
            assertFalse(body.state() == java.util.concurrent.Future.State.SUCCESS,
                    "a cancel that the body's task accepted was lost: " + body);
        }
        if (bomb != null && !body.isCancelled()) {
            Throwable outcome = body.exceptionNow();
            assertTrue(reachable(outcome).contains(bomb), "the sibling's failure was lost: " + shape(outcome));
        }
    }

    /** Runs {@code body} in a group of the given form (the try form records doneAtExit itself). */
    private static void inGroup(boolean lambda, List<Task<?>> children, boolean[] doneAtExit,
                                TaskGroup.Body<Void> body) throws Exception {
        if (lambda) {
            taskGroup(body);
            return;
        }
        try (var tg = new TaskGroup()) {
            body.run(tg);
        } finally {
            doneAtExit[0] = children.stream().allMatch(Task::isDone);
        }
    }

    /**
     * A body task running a group (nested or not) with children of different shapes; the
     * harness cancels (or fails a sibling) at each suspension point of the scenario's tasks.
     */
    private static void groupScenario(boolean lambda, boolean nested, boolean bombing) {
        CancellationHarness.everySuspensionPoint(CancellationHarness.named("sc-"), run -> {
            List<Task<?>> children = new ArrayList<>();
            boolean[] doneAtExit = {true};
            boolean[] innerDoneAtExit = {true};
            CancellationHarness.Bomb bomb = run.bomb(bombing, 4.0);
            Future<Void> trigger = bomb.trigger();
            Task<Object> body = createTask(() -> {
                inGroup(lambda, children, doneAtExit, tg -> {
                    if (bombing) {
                        children.add(tg.createTask(() -> { trigger.await(); }, "sc-bomb"));
                    }
                    children.add(tg.createTask(() -> { sleep(1.5); return 2; }, "sc-outer-a"));
                    if (nested) {
                        List<Task<?>> mine = new ArrayList<>();
                        inGroup(lambda, mine, innerDoneAtExit, inner -> {
                            mine.add(inner.createTask(() -> { sleep(1); return 1; }, "sc-inner-a"));
                            mine.add(inner.createTask(() -> {
                                try {
                                    sleep(3);
                                } finally {
                                    sleep(0.5);
                                }
                            }, "sc-inner-b"));
                            children.addAll(mine);
                            sleep(2);
                            return null;
                        });
                        if (lambda) {
                            innerDoneAtExit[0] = mine.stream().allMatch(Task::isDone);
                        }
                    } else {
                        sleep(2.5);
                    }
                    return null;
                });
                return null;
            }, "sc-body");
            Asyncio.wait(List.of(body), ReturnWhen.ALL_COMPLETED);
            bomb.disarm();
            checkGroupRun(run, body, children, doneAtExit[0] && innerDoneAtExit[0], bomb.exception());
            if (body.state() == java.util.concurrent.Future.State.FAILED) {
                body.exceptionNow();
            }
        });
    }

    @Test
    void harness_tryForm_cancelAtEverySuspensionPoint() {
        groupScenario(false, false, false);
    }

    @Test
    void harness_tryFormNested_cancelAtEverySuspensionPoint() {
        groupScenario(false, true, false);
    }

    @Test
    void harness_lambdaForm_cancelAtEverySuspensionPoint() {
        groupScenario(true, false, false);
    }

    @Test
    void harness_lambdaFormNested_cancelAtEverySuspensionPoint() {
        groupScenario(true, true, false);
    }

    @Test
    void harness_tryFormNested_siblingFailsAtEverySuspensionPoint() {
        groupScenario(false, true, true);
    }

    @Test
    void harness_lambdaFormNested_siblingFailsAtEverySuspensionPoint() {
        groupScenario(true, true, true);
    }
}
