package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
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

import org.asyncio4j.test.AsyncioTest;
import org.junit.jupiter.api.Test;

/**
 * Behaviours of CPython's Lib/test/test_asyncio/test_taskgroups.py, adapted to the Java contract
 * (api.md, section TaskGroup, and the class Javadoc of {@link TaskGroup}).
 *
 * <p>Each test that needs a loop is an {@link AsyncioTest}: its body is the loop's main task, on
 * the virtual clock unless it measures real time.
 */
class TaskGroupTest {

    private static double now() {
        return getRunningLoop().time();
    }

    // ------------------------------------------------------------------ success

    @AsyncioTest
    void children_areAllDone_whenTheTryStatementEnds() {
        Task<Integer> a, b;
        double t0 = now();
        try (var tg = new TaskGroup()) {
            a = tg.createTask(() -> { sleep(1); return 1; });
            b = tg.createTask(() -> { sleep(2); return 2; });
            assertFalse(a.isDone());
        }
        assertTrue(a.isDone());
        assertTrue(b.isDone());
        assertEquals(1, a.resultNow());
        assertEquals(2, b.resultNow());
        assertEquals(2.0, now() - t0, 0.05, "children ran concurrently");
    }

    @AsyncioTest
    void body_thatSleeps_stillWaitsForLongerChildren() {
        double t0 = now();
        Task<String> t;
        try (var tg = new TaskGroup()) {
            t = tg.createTask(() -> { sleep(3); return "x"; });
            sleep(1);
        }
        assertEquals("x", t.resultNow());
        assertEquals(3.0, now() - t0, 0.05);
    }

    @AsyncioTest
    void group_withNoChildren_endsNormally() {
        try (var tg = new TaskGroup()) {
            assertNotNull(tg);
        }
        try (var tg = new TaskGroup()) {
            sleep(1);
        }
        assertEquals(1.0, now(), 0.05);
    }

    @AsyncioTest
    void createTask_withName_namesTheChild() {
        Task<Void> t;
        try (var tg = new TaskGroup()) {
            t = tg.createTask(() -> sleep(0), "worker");
        }
        assertEquals("worker", t.getName());
    }

    @AsyncioTest(virtualClock = false)
    void seedExample_twoChildrenOfOneSecond_takeAboutOneSecond() {
        long t0 = System.nanoTime();
        Task<String> t1, t2;
        try (var tg = new TaskGroup()) {
            t1 = tg.createTask(() -> { sleep(1); return "Hello Word"; });
            t2 = tg.createTask(() -> { sleep(1); return "Hello Word"; });
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals("Hello WordHello Word", t1.resultNow() + t2.resultNow());
        assertTrue(secs >= 0.9, "slept at least 1 s, took " + secs);
        assertTrue(secs < 1.9, "children ran concurrently, took " + secs);
    }

    @AsyncioTest
    void seedM2_fiveChildrenSleepingOneToFive_giveResultsInOrder() {
        double t0 = now();
        List<Task<Integer>> tasks;
        try (var tg = new TaskGroup()) {
            tasks = IntStream.rangeClosed(1, 5)
                    .mapToObj(i -> tg.createTask(() -> { sleep(i); return i; }))
                    .toList();
        }
        assertEquals(List.of(1, 2, 3, 4, 5), tasks.stream().map(Task::resultNow).toList());
        assertEquals(5.0, now() - t0, 0.05);
    }

    // ------------------------------------------------------------------ one child fails

    @AsyncioTest
    void childFailure_cancelsSiblingsAndBody_andThrowsExceptionGroupOfFailuresOnly() {
        AtomicBoolean siblingCancelled = new AtomicBoolean();
        AtomicReference<Throwable> bodySaw = new AtomicReference<>();
        AtomicReference<Double> bodyInterruptedAt = new AtomicReference<>();
        AtomicReference<Task<?>> sibling = new AtomicReference<>();
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
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
        });
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

    @AsyncioTest
    void childFailure_withCheckedException_putsTheOriginalExceptionInTheGroup() {
        IOException io = new IOException("disk");
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw io; });
            }
        });
        assertEquals(List.of(io), eg.exceptions());
    }

    @AsyncioTest
    void twoChildrenFailing_bothAreInTheGroup() {
        var e1 = new IllegalStateException("one");
        var e2 = new ArithmeticException("two");
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { throw e1; });
                tg.createTask(() -> { throw e2; });
                sleep(10);
            }
        });
        assertEquals(List.of(e1, e2), eg.exceptions());
        assertEquals(List.of(e1, e2), Arrays.asList(eg.getSuppressed()).subList(0, 2));
        assertTrue(eg.getMessage().contains("2 sub-exception"), eg.getMessage());
    }

    @AsyncioTest
    void cancelledSibling_failingInItsCleanup_isInTheGroupToo() {
        var first = new IllegalStateException("first");
        var cleanup = new ArithmeticException("in finally");
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
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
        });
        assertEquals(List.of(first, cleanup), eg.exceptions());
    }

    @AsyncioTest
    void exceptionGroupMessage_mentionsTheNumberOfSubExceptions() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw new IllegalStateException("x"); });
            }
        });
        assertTrue(eg.getMessage().contains("1 sub-exception"), eg.getMessage());
        assertFalse(eg.getMessage().contains("1 sub-exceptions"), eg.getMessage());
    }

    @AsyncioTest
    void childFailing_whileBodyIsAlreadyInClose_stillThrowsExceptionGroup() {
        var boom = new IllegalStateException("late");
        AtomicBoolean bodyEnded = new AtomicBoolean();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw boom; });
                tg.createTask(() -> sleep(10));
                bodyEnded.set(true);
            }
        });
        assertTrue(bodyEnded.get());
        assertEquals(List.of(boom), eg.exceptions());
    }

    @AsyncioTest
    void childCancelledIndividually_isNotAFailure_andTheGroupEndsNormally() {
        Task<Integer> victim, other;
        try (var tg = new TaskGroup()) {
            victim = tg.createTask(() -> { sleep(10); return 1; });
            other = tg.createTask(() -> { sleep(1); victim.cancel(); sleep(1); return 2; });
        }
        assertTrue(victim.isCancelled());
        assertEquals(2, other.resultNow());
    }

    @AsyncioTest
    void cancellingCount_isBackToZero_afterTheGroupHandledAChildFailure() {
        try {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(0); throw new IllegalStateException("x"); });
                sleep(10);
            }
        } catch (ExceptionGroup e) {
            // expected
        }
        assertEquals(0, currentTask().cancelling());
    }

    @AsyncioTest
    void cancellingCount_isBackToItsNonZeroEntryValue_andTheTaskStillEndsCancelled_afterTheGroupHandledAChildFailure() {
        // Python 3.13: the group uncancels and re-cancels a parent whose count is non-zero, so
        // the swallowed request stays pending and the task ends cancelled at its return.
        int[] counts = new int[2];
        Task<Integer> parent = createTask(() -> {
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
        });
        assertThrows(CancelledException.class, parent::await);
        assertTrue(parent.isCancelled());
        assertEquals(1, counts[0]);
        assertEquals(1, counts[1]);
    }


    @AsyncioTest
    void afterAChildFailure_theParentCanStillSuspend() {
        try {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { throw new IllegalStateException("x"); });
                sleep(10);
            }
        } catch (ExceptionGroup e) {
            // expected
        }
        double t0 = now();
        sleep(1);
        assertEquals(1.0, now() - t0, 0.05, "slept");
    }

    // ------------------------------------------------------------------ the body fails

    @AsyncioTest
    void bodyException_isThrown_withTheChildrensExceptionGroupSuppressed() {
        var childBoom = new ArithmeticException("child");
        AtomicReference<Task<?>> slow = new AtomicReference<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw childBoom; });
                slow.set(tg.createTask(() -> sleep(5)));
                throw new IllegalStateException("body");
            }
        });
        assertEquals("body", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        ExceptionGroup eg = assertInstanceOf(ExceptionGroup.class, e.getSuppressed()[0]);
        assertEquals(List.of(childBoom), eg.exceptions());
        assertTrue(slow.get().isCancelled(), "the failing child cancelled its sibling");
    }

    @AsyncioTest
    void bodyException_withoutChildFailures_waitsForChildrenAndHasNothingSuppressed() {
        AtomicReference<Task<Integer>> child = new AtomicReference<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (var tg = new TaskGroup()) {
                child.set(tg.createTask(() -> { sleep(1); return 7; }));
                throw new IllegalStateException("body");
            }
        });
        assertEquals(0, e.getSuppressed().length);
        assertEquals(7, child.get().resultNow(), "a failing body does not cancel the children (Java difference)");
    }

    // ------------------------------------------------------------------ cancellation from outside

    @AsyncioTest
    void parentCancelledFromOutside_cancelsChildren_andEndsWithCancelledExceptionAfterThem() {
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
        assertEquals(List.of(true, true, true),
                List.of(parent.isCancelled(), kids.get(0).isCancelled(), kids.get(1).isCancelled()));
        assertEquals(List.of("cancel", "kid0", "kid1", "parent"), log, "children done before the statement ends");
        assertEquals(2.0, now(), 0.05);
    }

    @AsyncioTest
    void parentCancelledFromOutside_whileInClose_endsWithCancelledException() {
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
        assertEquals(CancelledException.class, t.getClass());
        assertTrue(parent.isCancelled());
        assertTrue(kid.get().isCancelled());
        assertTrue(now() < 5, "the child was cancelled, not awaited to its end");
    }

    @AsyncioTest
    void parentCancelledFromOutside_thenAChildFailsInCleanup_endsWithCancelledAndGroupSuppressed() {
        var cleanup = new ArithmeticException("cleanup");
        AtomicReference<Throwable> statementThrew = new AtomicReference<>();
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
        assertTrue(parent.isCancelled());
        // TaskGroup Javadoc: the statement ends with the CancelledException, the group suppressed
        // (Python 3.13 would raise the group).
        CancelledException ce = assertInstanceOf(CancelledException.class, statementThrew.get());
        ExceptionGroup eg = Arrays.stream(ce.getSuppressed())
                .filter(ExceptionGroup.class::isInstance).map(ExceptionGroup.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no ExceptionGroup suppressed on " + ce));
        assertEquals(List.of(cleanup), eg.exceptions());
    }

    // ------------------------------------------------------------------ createTask rules

    @AsyncioTest
    void createTask_afterAChildFailed_throwsIllegalStateException() {
        AtomicReference<Throwable> late = new AtomicReference<>();
        assertThrows(ExceptionGroup.class, () -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(1); throw new ArithmeticException("x"); });
                try {
                    sleep(10);
                } catch (ExceptionGroup e) {
                    late.set(assertThrows(IllegalStateException.class, () -> tg.createTask(() -> 1)));
                    throw e;
                }
            }
        });
        assertNotNull(late.get());
    }

    @AsyncioTest
    void createTask_fromACancelledSibling_afterAChildFailed_throwsIllegalStateException() {
        AtomicReference<Throwable> fromSibling = new AtomicReference<>();
        assertThrows(ExceptionGroup.class, () -> {
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
        });
        assertInstanceOf(IllegalStateException.class, fromSibling.get());
    }

    @AsyncioTest
    void createTask_afterTheGroupFinished_throwsIllegalStateException() {
        TaskGroup done;
        try (var tg = new TaskGroup()) {
            tg.createTask(() -> sleep(1));
            done = tg;
        }
        assertThrows(IllegalStateException.class, () -> done.createTask(() -> 1));
    }

    @AsyncioTest
    void child_mayAddSiblings_whileCloseWaits() {
        AtomicReference<Task<String>> late = new AtomicReference<>();
        double t0 = now();
        try (var tg = new TaskGroup()) {
            tg.createTask(() -> {
                sleep(1);
                late.set(tg.createTask(() -> { sleep(2); return "late"; }));
            });
        }
        assertTrue(late.get().isDone());
        assertEquals("late", late.get().resultNow());
        assertEquals(3.0, now() - t0, 0.05, "close() waited for the sibling added late");
    }

    // ------------------------------------------------------------------ nesting

    @AsyncioTest
    void nestedGroups_allSucceed_innerEndsBeforeOuter() {
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
        assertEquals(List.of(1, 2, 3, 4), log);
    }

    @AsyncioTest
    void nestedGroups_innerChildFailure_reachesOuterAsNestedExceptionGroup() {
        var boom = new IllegalArgumentException("deep");
        AtomicReference<Task<?>> outerSibling = new AtomicReference<>();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
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
        });
        assertEquals(1, eg.exceptions().size());
        ExceptionGroup innerGroup = assertInstanceOf(ExceptionGroup.class, eg.exceptions().get(0));
        assertEquals(List.of(boom), innerGroup.exceptions());
        assertTrue(outerSibling.get().isCancelled());
    }

    @AsyncioTest
    void nestedGroup_inTheBody_parentCancelledFromOutside_cancelsBothLevels() {
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
        assertEquals(List.of(true, true, true, true),
                List.of(parent.isCancelled(), kids.get(0).isCancelled(), kids.get(1).isCancelled(), now() < 5));
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void newTaskGroup_outsideATask_throwsIllegalStateException() {
        assertThrows(IllegalStateException.class, TaskGroup::new);
    }

    @AsyncioTest
    void createTask_withNullBody_throwsNullPointerException() {
        try (var tg = new TaskGroup()) {
            assertThrows(NullPointerException.class, () -> tg.createTask((java.util.concurrent.Callable<Object>) null));
            assertThrows(NullPointerException.class, () -> tg.createTask((ThrowingRunnable) null));
        }
    }

    @AsyncioTest(virtualClock = false)
    void childFails_whileTheBodyIsInAJdkBlockingCall_statementStillEndsWithTheGroup() {
        // Regression: the group's request used to interrupt Thread.sleep, so the statement
        // ended with InterruptedException instead of the ExceptionGroup.
        ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> {
                    sleep(0.05);
                    throw new IllegalArgumentException("child");
                });
                Thread.sleep(300);
            }
        });
        assertEquals(1, g.exceptions().size());
        assertInstanceOf(IllegalArgumentException.class, g.exceptions().get(0));
    }
}
