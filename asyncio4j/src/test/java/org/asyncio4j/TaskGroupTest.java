package org.asyncio4j;

import static org.asyncio4j.TestLoops.VC;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviours of CPython's Lib/test/test_asyncio/test_taskgroups.py, adapted to the Java contract
 * (api.md, section TaskGroup, and the class Javadoc of {@link TaskGroup}).
 */
@Timeout(10)
class TaskGroupTest {

    private static double now() {
        return getRunningLoop().time();
    }

    // ------------------------------------------------------------------ success

    @Test
    void children_areAllDone_whenTheTryStatementEnds() {
        List<Object> out = run(() -> {
            Task<Integer> a, b;
            double t0 = now();
            try (var tg = new TaskGroup()) {
                a = tg.createTask(() -> { sleep(1); return 1; });
                b = tg.createTask(() -> { sleep(2); return 2; });
                assertFalse(a.isDone());
            }
            return List.of(a.isDone(), b.isDone(), a.resultNow(), b.resultNow(), now() - t0);
        }, VC);
        assertEquals(true, out.get(0));
        assertEquals(true, out.get(1));
        assertEquals(1, out.get(2));
        assertEquals(2, out.get(3));
        assertEquals(2.0, (double) out.get(4), 0.05, "children ran concurrently");
    }

    @Test
    void body_thatSleeps_stillWaitsForLongerChildren() {
        double elapsed = run(() -> {
            double t0 = now();
            Task<String> t;
            try (var tg = new TaskGroup()) {
                t = tg.createTask(() -> { sleep(3); return "x"; });
                sleep(1);
            }
            assertEquals("x", t.resultNow());
            return now() - t0;
        }, VC);
        assertEquals(3.0, elapsed, 0.05);
    }

    @Test
    void group_withNoChildren_endsNormally() {
        String r = run(() -> {
            try (var tg = new TaskGroup()) {
                assertNotNull(tg);
            }
            try (var tg = new TaskGroup()) {
                sleep(1);
            }
            return "ok";
        }, VC);
        assertEquals("ok", r);
    }

    @Test
    void createTask_withName_namesTheChild() {
        String name = run(() -> {
            Task<Void> t;
            try (var tg = new TaskGroup()) {
                t = tg.createTask(() -> sleep(0), "worker");
            }
            return t.getName();
        }, VC);
        assertEquals("worker", name);
    }

    @Test
    void seedExample_twoChildrenOfOneSecond_takeAboutOneSecond() {
        long t0 = System.nanoTime();
        String r = run(() -> {
            Task<String> t1, t2;
            try (var tg = new TaskGroup()) {
                t1 = tg.createTask(() -> { sleep(1); return "Hello Word"; });
                t2 = tg.createTask(() -> { sleep(1); return "Hello Word"; });
            }
            return t1.resultNow() + t2.resultNow();
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals("Hello WordHello Word", r);
        assertTrue(secs >= 0.9, "slept at least 1 s, took " + secs);
        assertTrue(secs < 1.9, "children ran concurrently, took " + secs);
    }

    @Test
    void seedM2_fiveChildrenSleepingOneToFive_giveResultsInOrder() {
        List<Object> out = run(() -> {
            double t0 = now();
            List<Task<Integer>> tasks;
            try (var tg = new TaskGroup()) {
                tasks = IntStream.rangeClosed(1, 5)
                        .mapToObj(i -> tg.createTask(() -> { sleep(i); return i; }))
                        .toList();
            }
            List<Object> r = new ArrayList<>(tasks.stream().map(Task::resultNow).toList());
            r.add(now() - t0);
            return r;
        }, VC);
        assertEquals(List.of(1, 2, 3, 4, 5), out.subList(0, 5));
        assertEquals(5.0, (double) out.get(5), 0.05);
    }

    // ------------------------------------------------------------------ one child fails

    @Test
    void childFailure_cancelsSiblingsAndBody_andThrowsExceptionGroupOfFailuresOnly() {
        AtomicBoolean siblingCancelled = new AtomicBoolean();
        AtomicReference<Throwable> bodySaw = new AtomicReference<>();
        AtomicReference<Double> bodyInterruptedAt = new AtomicReference<>();
        AtomicReference<Task<?>> sibling = new AtomicReference<>();
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            double t0 = now();
            try (var tg = new TaskGroup()) {
                sibling.set(tg.createTask(() -> {
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        siblingCancelled.set(true);
                        throw e;
                    }
                }));
                tg.createTask(() -> { sleep(1); throw boom; });
                try {
                    sleep(100);
                } catch (Throwable t) {
                    bodySaw.set(t);
                    bodyInterruptedAt.set(now() - t0);
                    throw t;
                }
            }
            return null;
        }, VC));
        assertEquals(List.of(boom), eg.exceptions(), "only the failed child, not the cancelled one");
        assertTrue(Arrays.asList(eg.getSuppressed()).contains(boom), "each member also suppressed");
        // close() cannot tell whether the body let the group leave, so it also throws a copy,
        // which try-with-resources attaches to the group (it would carry the failures out of a
        // body that swallowed the group).
        assertEquals(2, eg.getSuppressed().length);
        ExceptionGroup copy = assertInstanceOf(ExceptionGroup.class, eg.getSuppressed()[1]);
        assertEquals(eg.exceptions(), copy.exceptions());
        assertTrue(siblingCancelled.get(), "sibling saw a CancelledException");
        assertTrue(sibling.get().isCancelled());
        assertSame(eg, bodySaw.get(), "the body is interrupted with the group itself");
        assertEquals(1.0, bodyInterruptedAt.get(), 0.05, "the body was interrupted at its suspension point");
    }

    @Test
    void childFailure_withCheckedException_putsTheOriginalExceptionInTheGroup() {
        IOException io = new IOException("disk");
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw io; });
            }
        }, VC));
        assertEquals(List.of(io), eg.exceptions());
    }

    @Test
    void twoChildrenFailing_bothAreInTheGroup() {
        var e1 = new IllegalStateException("one");
        var e2 = new ArithmeticException("two");
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { throw e1; });
                tg.createTask(() -> { throw e2; });
                sleep(10);
            }
        }, VC));
        assertEquals(List.of(e1, e2), eg.exceptions());
        assertEquals(List.of(e1, e2), Arrays.asList(eg.getSuppressed()).subList(0, 2));
        assertTrue(eg.getMessage().contains("2 sub-exception"), eg.getMessage());
    }

    @Test
    void cancelledSibling_failingInItsCleanup_isInTheGroupToo() {
        var first = new IllegalStateException("first");
        var cleanup = new ArithmeticException("in finally");
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw first; });
                tg.createTask(() -> {
                    try {
                        sleep(10);
                    } finally {
                        throw cleanup;
                    }
                });
            }
        }, VC));
        assertEquals(List.of(first, cleanup), eg.exceptions());
    }

    @Test
    void exceptionGroupMessage_mentionsTheNumberOfSubExceptions() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw new IllegalStateException("x"); });
            }
        }, VC));
        assertTrue(eg.getMessage().contains("1 sub-exception"), eg.getMessage());
        assertFalse(eg.getMessage().contains("1 sub-exceptions"), eg.getMessage());
    }

    @Test
    void childFailing_whileBodyIsAlreadyInClose_stillThrowsExceptionGroup() {
        var boom = new IllegalStateException("late");
        AtomicBoolean bodyEnded = new AtomicBoolean();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw boom; });
                tg.createTask(() -> sleep(10));
                bodyEnded.set(true);
            }
        }, VC));
        assertTrue(bodyEnded.get());
        assertEquals(List.of(boom), eg.exceptions());
    }

    @Test
    void childCancelledIndividually_isNotAFailure_andTheGroupEndsNormally() {
        List<Object> out = run(() -> {
            Task<Integer> victim, other;
            try (var tg = new TaskGroup()) {
                victim = tg.createTask(() -> { sleep(10); return 1; });
                other = tg.createTask(() -> { sleep(1); victim.cancel(); sleep(1); return 2; });
            }
            return List.of(victim.isCancelled(), other.resultNow());
        }, VC);
        assertEquals(List.of(true, 2), out);
    }

    @Test
    void cancellingCount_isBackToZero_afterTheGroupHandledAChildFailure() {
        int after = run(() -> {
            try {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> { sleep(0); throw new IllegalStateException("x"); });
                    sleep(10);
                }
            } catch (ExceptionGroup e) {
                // expected
            }
            return currentTask().cancelling();
        }, VC);
        assertEquals(0, after);
    }

    @Test
    void cancellingCount_isBackToItsNonZeroEntryValue_andTheTaskStillEndsCancelled_afterTheGroupHandledAChildFailure() {
        // Python 3.13: the group uncancels and re-cancels a parent whose count is non-zero, so
        // the swallowed request stays pending and the task ends cancelled at its return.
        int[] counts = new int[2];
        assertThrows(CancelledException.class, () -> run(() -> {
            currentTask().cancel();
            try {
                sleep(1);
            } catch (CancelledException e) {
                // leave cancelling() at 1, as Python code that swallows without uncancel()
            }
            counts[0] = currentTask().cancelling();
            try {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> { sleep(1); throw new IllegalStateException("x"); });
                    sleep(10);
                }
            } catch (ExceptionGroup e) {
                // expected
            }
            counts[1] = currentTask().cancelling();
            return 5;
        }, VC));
        assertEquals(1, counts[0]);
        assertEquals(1, counts[1]);
    }


    @Test
    void afterAChildFailure_theParentCanStillSuspend() {
        String r = run(() -> {
            try {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> { throw new IllegalStateException("x"); });
                    sleep(10);
                }
            } catch (ExceptionGroup e) {
                // expected
            }
            sleep(1);
            return "slept";
        }, VC);
        assertEquals("slept", r);
    }

    // ------------------------------------------------------------------ the body fails

    @Test
    void bodyException_isThrown_withTheChildrensExceptionGroupSuppressed() {
        var childBoom = new ArithmeticException("child");
        AtomicReference<Task<?>> slow = new AtomicReference<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw childBoom; });
                slow.set(tg.createTask(() -> sleep(5)));
                throw new IllegalStateException("body");
            }
        }, VC));
        assertEquals("body", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        ExceptionGroup eg = assertInstanceOf(ExceptionGroup.class, e.getSuppressed()[0]);
        assertEquals(List.of(childBoom), eg.exceptions());
        assertTrue(slow.get().isCancelled(), "the failing child cancelled its sibling");
    }

    @Test
    void bodyException_withoutChildFailures_waitsForChildrenAndHasNothingSuppressed() {
        AtomicReference<Task<Integer>> child = new AtomicReference<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                child.set(tg.createTask(() -> { sleep(1); return 7; }));
                throw new IllegalStateException("body");
            }
        }, VC));
        assertEquals(0, e.getSuppressed().length);
        assertEquals(7, child.get().resultNow(), "a failing body does not cancel the children (Java difference)");
    }

    // ------------------------------------------------------------------ cancellation from outside

    @Test
    void parentCancelledFromOutside_cancelsChildren_andEndsWithCancelledExceptionAfterThem() {
        List<Object> out = run(() -> {
            List<String> log = new ArrayList<>();
            List<Task<?>> kids = new ArrayList<>();
            Task<Void> parent = createTask(() -> {
                try {
                    try (var tg = new TaskGroup()) {
                        for (int i = 0; i < 2; i++) {
                            String name = "kid" + i;
                            kids.add(tg.createTask(() -> {
                                try {
                                    sleep(10);
                                } catch (CancelledException e) {
                                    sleep(1);   // cleanup that suspends
                                    log.add(name);
                                    throw e;
                                }
                            }));
                        }
                        sleep(100);
                    }
                } catch (CancelledException e) {
                    log.add("parent");
                    throw e;
                }
            });
            sleep(1);
            log.add("cancel");
            parent.cancel();
            assertThrows(CancelledException.class, parent::await);
            return List.of(parent.isCancelled(), kids.get(0).isCancelled(), kids.get(1).isCancelled(), log, now());
        }, VC);
        assertEquals(List.of(true, true, true), out.subList(0, 3));
        assertEquals(List.of("cancel", "kid0", "kid1", "parent"), out.get(3), "children done before the statement ends");
        assertEquals(2.0, (double) out.get(4), 0.05);
    }

    @Test
    void parentCancelledFromOutside_whileInClose_endsWithCancelledException() {
        List<Object> out = run(() -> {
            AtomicReference<Task<?>> kid = new AtomicReference<>();
            Task<Void> parent = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    kid.set(tg.createTask(() -> sleep(10)));
                }
            });
            sleep(1);
            parent.cancel();
            Throwable t = null;
            try {
                parent.await();
            } catch (Throwable e) {
                t = e;
            }
            return List.of(t.getClass(), parent.isCancelled(), kid.get().isCancelled(), now());
        }, VC);
        assertEquals(CancelledException.class, out.get(0));
        assertEquals(true, out.get(1));
        assertEquals(true, out.get(2));
        assertTrue((double) out.get(3) < 5, "the child was cancelled, not awaited to its end");
    }

    @Test
    void parentCancelledFromOutside_thenAChildFailsInCleanup_endsWithCancelledAndGroupSuppressed() {
        var cleanup = new ArithmeticException("cleanup");
        AtomicReference<Throwable> statementThrew = new AtomicReference<>();
        boolean parentCancelled = run(() -> {
            Task<Void> parent = createTask(() -> {
                try {
                    try (var tg = new TaskGroup()) {
                        tg.createTask(() -> {
                            try {
                                sleep(10);
                            } finally {
                                throw cleanup;
                            }
                        });
                        sleep(100);
                    }
                } catch (Throwable e) {
                    statementThrew.set(e);
                    throw e;
                }
            });
            sleep(1);
            parent.cancel();
            assertThrows(CancelledException.class, parent::await);
            return parent.isCancelled();
        }, VC);
        assertTrue(parentCancelled);
        // TaskGroup Javadoc: the statement ends with the CancelledException, the group suppressed
        // (Python 3.13 would raise the group).
        CancelledException ce = assertInstanceOf(CancelledException.class, statementThrew.get());
        ExceptionGroup eg = Arrays.stream(ce.getSuppressed())
                .filter(ExceptionGroup.class::isInstance).map(ExceptionGroup.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no ExceptionGroup suppressed on " + ce));
        assertEquals(List.of(cleanup), eg.exceptions());
    }

    // ------------------------------------------------------------------ createTask rules

    @Test
    void createTask_afterAChildFailed_throwsIllegalStateException() {
        AtomicReference<Throwable> late = new AtomicReference<>();
        assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw new ArithmeticException("x"); });
                try {
                    sleep(10);
                } catch (ExceptionGroup e) {
                    late.set(assertThrows(IllegalStateException.class, () -> tg.createTask(() -> 1)));
                    throw e;
                }
            }
        }, VC));
        assertNotNull(late.get());
    }

    @Test
    void createTask_fromACancelledSibling_afterAChildFailed_throwsIllegalStateException() {
        AtomicReference<Throwable> fromSibling = new AtomicReference<>();
        assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> {
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        try {
                            tg.createTask(() -> 1);
                        } catch (IllegalStateException ise) {
                            fromSibling.set(ise);
                        }
                        throw e;
                    }
                });
                tg.createTask(() -> { sleep(1); throw new ArithmeticException("x"); });
            }
        }, VC));
        assertInstanceOf(IllegalStateException.class, fromSibling.get());
    }

    @Test
    void createTask_afterTheGroupFinished_throwsIllegalStateException() {
        Throwable t = run(() -> {
            TaskGroup done;
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> sleep(1));
                done = tg;
            }
            return assertThrows(IllegalStateException.class, () -> done.createTask(() -> 1));
        }, VC);
        assertInstanceOf(IllegalStateException.class, t);
    }

    @Test
    void child_mayAddSiblings_whileCloseWaits() {
        List<Object> out = run(() -> {
            AtomicReference<Task<String>> late = new AtomicReference<>();
            double t0 = now();
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> {
                    sleep(1);
                    late.set(tg.createTask(() -> { sleep(2); return "late"; }));
                });
            }
            return List.of(late.get().isDone(), late.get().resultNow(), now() - t0);
        }, VC);
        assertEquals(true, out.get(0));
        assertEquals("late", out.get(1));
        assertEquals(3.0, (double) out.get(2), 0.05, "close() waited for the sibling added late");
    }

    // ------------------------------------------------------------------ nesting

    @Test
    void nestedGroups_allSucceed_innerEndsBeforeOuter() {
        List<Integer> out = run(() -> {
            List<Integer> log = new ArrayList<>();
            try (var outer = new TaskGroup()) {
                outer.createTask(() -> {
                    try (var inner = new TaskGroup()) {
                        inner.createTask(() -> { sleep(1); log.add(1); });
                        inner.createTask(() -> { sleep(2); log.add(2); });
                    }
                    log.add(3);
                });
                outer.createTask(() -> { sleep(3); log.add(4); });
            }
            return log;
        }, VC);
        assertEquals(List.of(1, 2, 3, 4), out);
    }

    @Test
    void nestedGroups_innerChildFailure_reachesOuterAsNestedExceptionGroup() {
        var boom = new IllegalArgumentException("deep");
        AtomicReference<Task<?>> outerSibling = new AtomicReference<>();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var outer = new TaskGroup()) {
                outer.createTask(() -> {
                    try (var inner = new TaskGroup()) {
                        inner.createTask(() -> { sleep(1); throw boom; });
                        inner.createTask(() -> sleep(10));
                    }
                });
                outerSibling.set(outer.createTask(() -> sleep(10)));
                sleep(100);
            }
        }, VC));
        assertEquals(1, eg.exceptions().size());
        ExceptionGroup innerGroup = assertInstanceOf(ExceptionGroup.class, eg.exceptions().get(0));
        assertEquals(List.of(boom), innerGroup.exceptions());
        assertTrue(outerSibling.get().isCancelled());
    }

    @Test
    void nestedGroup_inTheBody_parentCancelledFromOutside_cancelsBothLevels() {
        List<Object> out = run(() -> {
            List<Task<?>> kids = new ArrayList<>();
            Task<Void> parent = createTask(() -> {
                try (var outer = new TaskGroup()) {
                    kids.add(outer.createTask(() -> sleep(10)));
                    try (var inner = new TaskGroup()) {
                        kids.add(inner.createTask(() -> sleep(10)));
                        sleep(100);
                    }
                }
            });
            sleep(1);
            parent.cancel();
            assertThrows(CancelledException.class, parent::await);
            return List.of(parent.isCancelled(), kids.get(0).isCancelled(), kids.get(1).isCancelled(), now() < 5);
        }, VC);
        assertEquals(List.of(true, true, true, true), out);
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void newTaskGroup_outsideATask_throwsIllegalStateException() {
        assertThrows(IllegalStateException.class, TaskGroup::new);
    }

    @Test
    void createTask_withNullBody_throwsNullPointerException() {
        run(() -> {
            try (var tg = new TaskGroup()) {
                assertThrows(NullPointerException.class, () -> tg.createTask((java.util.concurrent.Callable<Object>) null));
                assertThrows(NullPointerException.class, () -> tg.createTask((ThrowingRunnable) null));
            }
        }, VC);
    }

    @Test
    void childFails_whileTheBodyIsInAJdkBlockingCall_statementStillEndsWithTheGroup() {
        // Regression: the group's request used to interrupt Thread.sleep, so the statement
        // ended with InterruptedException instead of the ExceptionGroup.
        ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> Asyncio.run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> {
                    sleep(0.05);
                    throw new IllegalArgumentException("child");
                });
                Thread.sleep(300);
            }
        }));
        assertEquals(1, g.exceptions().size());
        assertInstanceOf(IllegalArgumentException.class, g.exceptions().get(0));
    }
}
