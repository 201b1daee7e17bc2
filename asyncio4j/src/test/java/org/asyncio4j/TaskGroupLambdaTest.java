package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.taskGroup;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lambda form {@link TaskGroup#run} / {@link Asyncio#taskGroup}: Python 3.13's
 * {@code async with TaskGroup()} with its exact semantics (each expectation below was checked
 * against CPython 3.13 with the equivalent program), and {@link TaskGroup#cancel()}.
 */
@Timeout(10)
class TaskGroupLambdaTest {

    /** The exceptions of a group, as "Type(message)" strings, nested groups in brackets. */
    static String shape(Throwable e) {
        if (e instanceof ExceptionGroup g) {
            List<String> parts = new ArrayList<>();
            for (Throwable x : g.exceptions()) {
                parts.add(shape(x));
            }
            return "EG" + parts;
        }
        return e.getClass().getSimpleName() + "(" + e.getMessage() + ")";
    }

    private static double now() {
        return getRunningLoop().time();
    }

    @Test
    void run_returnsTheBodysValue_afterEveryChildIsDone() {
        List<Object> out = runVc(() -> {
            Task<Integer>[] kids = new Task[2];
            String v = TaskGroup.run(tg -> {
                kids[0] = tg.createTask(() -> { sleep(1); return 1; });
                kids[1] = tg.createTask(() -> { sleep(2); return 2; });
                return "body";
            });
            return List.of(v, kids[0].resultNow(), kids[1].resultNow(), now());
        });
        assertEquals("body", out.get(0));
        assertEquals(1, out.get(1));
        assertEquals(2, out.get(2));
        assertEquals(2.0, (double) out.get(3), 0.01);
    }

    @Test
    void childFailure_stopsTheBodyWithAPlainCancelledException_soItsCatchRuns_andThrowsTheGroup() {
        List<String> seen = new ArrayList<>();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> taskGroup(tg -> {
            tg.createTask(() -> { sleep(1); throw new IllegalArgumentException("c1"); });
            try {
                sleep(10);
            } catch (CancelledException e) {
                seen.add("cancelled at " + now());
                throw e;
            }
            return null;
        })));
        assertEquals(List.of("cancelled at 1.0"), seen);
        assertEquals("EG[IllegalArgumentException(c1)]", shape(eg));
    }

    @Test
    void bodyFailure_cancelsTheChildren_andIsInTheGroup() {
        List<Object> out = new ArrayList<>();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> taskGroup(tg -> {
            Task<?> c = tg.createTask(() -> sleep(10));
            out.add(c);
            sleep(1);
            throw new IOException("body");
        })));
        assertEquals("EG[IOException(body)]", shape(eg));
        assertTrue(((Task<?>) out.get(0)).isCancelled(), "the child was cancelled by the body's failure");
    }

    @Test
    void bodyFailure_comesLast_afterAChildThatFailedInItsCancellationCleanup() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> taskGroup(tg -> {
            tg.createTask(() -> {
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    throw new NoSuchElementException("c2");
                }
            });
            sleep(1);
            throw new IllegalArgumentException("body");
        })));
        assertEquals("EG[NoSuchElementException(c2), IllegalArgumentException(body)]", shape(eg));
    }

    @Test
    void failuresOfSeveralChildren_allReachTheGroup_inTheOrderTheyHappened() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> taskGroup(tg -> {
            tg.createTask(() -> { sleep(1); throw new IllegalArgumentException("c1"); });
            tg.createTask(() -> {
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    throw new NoSuchElementException("c2");
                }
            });
            sleep(10);
            return null;
        })));
        assertEquals("EG[IllegalArgumentException(c1), NoSuchElementException(c2)]", shape(eg));
    }

    @Test
    void cancelFromOutside_cancelsAndAwaitsTheChildren_andEndsWithCancelledException() {
        List<Object> out = runVc(() -> {
            Task<?>[] child = new Task[1];
            Task<Object> t = createTask(() -> taskGroup(tg -> {
                child[0] = tg.createTask(() -> sleep(10));
                sleep(10);
                return null;
            }));
            sleep(1);
            t.cancel();
            Asyncio.wait(List.of(t), ReturnWhen.ALL_COMPLETED);
            return List.of(t.isCancelled(), child[0].isCancelled(), now());
        });
        assertEquals(List.of(true, true, 1.0), out);
    }

    @Test
    void cancelFromOutside_withAChildFailingInItsCleanup_endsWithTheGroup_andTheTaskStillEndsCancelledIfItSwallowsIt() {
        List<Object> out = runVc(() -> {
            Task<Integer> t = createTask(() -> {
                try {
                    taskGroup(tg -> {
                        tg.createTask(() -> {
                            try {
                                sleep(10);
                            } catch (CancelledException e) {
                                throw new IOException("cleanup failed");
                            }
                        });
                        sleep(10);
                        return null;
                    });
                } catch (ExceptionGroup e) {
                    assertEquals("EG[IOException(cleanup failed)]", shape(e));
                }
                return 5;                 // Python 3.13: the task still ends cancelled
            });
            sleep(1);
            assertTrue(t.cancel());
            Asyncio.wait(List.of(t), ReturnWhen.ALL_COMPLETED);
            return List.of(t.isCancelled(), t.cancelling());
        });
        assertEquals(List.of(true, 1), out);
    }

    @Test
    void nestedGroups_innerFailure_cancelsTheOuterSiblings_andNestsTheInnerGroup() {
        List<Object> out = new ArrayList<>();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> taskGroup(outer -> {
            out.add(outer.createTask(() -> sleep(10)));
            taskGroup(inner -> inner.createTask(() -> { sleep(1); throw new IllegalArgumentException("inner"); }));
            return null;
        })));
        assertEquals("EG[EG[IllegalArgumentException(inner)]]", shape(eg));
        assertTrue(((Task<?>) out.get(0)).isCancelled());
    }

    @Test
    void cancel_inTheLambdaForm_stopsBodyAndChildren_andReturnsNullWithoutException() {
        List<Object> out = runVc(() -> {
            Task<?>[] child = new Task[1];
            boolean[] bodyStopped = {false};
            Object v = taskGroup(tg -> {
                child[0] = tg.createTask(() -> sleep(10));
                tg.createTask(() -> { sleep(1); tg.cancel(); });
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    bodyStopped[0] = true;
                    throw e;
                }
                return "not reached";
            });
            return java.util.Arrays.asList(v, bodyStopped[0], child[0].isCancelled(), currentTask().cancelling(), now());
        });
        assertNull(out.get(0));
        assertEquals(List.of(true, true, 0, 1.0), out.subList(1, 5));
    }

    @Test
    void cancel_isIdempotent_andRefusesNewChildren_andIsANoOpOnceDone() {
        runVc(() -> {
            TaskGroup[] keep = new TaskGroup[1];
            taskGroup(tg -> {
                keep[0] = tg;
                tg.cancel();
                tg.cancel();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> tg.createTask(() -> 1));
                assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
                return null;
            });
            keep[0].cancel();             // done: nothing happens
            assertThrows(IllegalStateException.class, () -> keep[0].createTask(() -> 1));
            assertEquals("TaskGroup[done, children=0, failed=0]", keep[0].toString());
        });
    }

    @Test
    void cancel_inTheTryForm_doesNotInterruptTheBody_andCloseReturnsNormally() {
        List<Object> out = runVc(() -> {
            Task<?> c;
            double bodyEnd;
            try (var tg = new TaskGroup()) {
                c = tg.createTask(() -> sleep(10));
                tg.createTask(() -> { sleep(1); tg.cancel(); });
                sleep(2);                 // not interrupted by cancel()
                bodyEnd = now();
            }
            return List.of(bodyEnd, c.isCancelled(), now(), currentTask().cancelling());
        });
        assertEquals(List.of(2.0, true, 2.0, 0), out);
    }

    @Test
    void cancel_afterAChildFailed_stillThrowsThatFailure() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { throw new IllegalArgumentException("early"); });
                sleep(0);
                sleep(0);
                tg.cancel();
            }
        }));
        assertEquals("EG[IllegalArgumentException(early)]", shape(eg));
    }

    @Test
    void close_onTheLambdaFormsGroup_isRefused() {
        runVc(() -> taskGroup(tg -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, tg::close);
            assertTrue(e.getMessage().contains("closes itself"), e.getMessage());
            return null;
        }));
    }

    @Test
    void toString_showsThePhaseAndTheCounts() {
        List<String> seen = runVc(() -> {
            List<String> s = new ArrayList<>();
            try {
                taskGroup(tg -> {
                    tg.createTask(() -> sleep(5));
                    tg.createTask(() -> sleep(5));
                    s.add(tg.toString());
                    tg.createTask(() -> { sleep(1); s.add(tg.toString()); throw new IllegalStateException("x"); });
                    try {
                        sleep(10);
                    } finally {
                        s.add(tg.toString());
                    }
                    return null;
                });
            } catch (ExceptionGroup expected) {
                // expected
            }
            return s;
        });
        assertEquals(List.of("TaskGroup[running, children=2, failed=0]",
                "TaskGroup[running, children=3, failed=0]",
                "TaskGroup[aborting, children=2, failed=1]"), seen);
    }

    @Test
    void run_withNullBody_throwsNpe_andOutsideATask_throwsIllegalState() {
        assertThrows(NullPointerException.class, () -> TaskGroup.run(null));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TaskGroup.run(tg -> null));
        assertTrue(e.getMessage().contains("task"), e.getMessage());
    }

    @Test
    void aChildMayAddSiblings_whileTheExitWaits() {
        int n = runVc(() -> {
            List<Task<Integer>> kids = new ArrayList<>();
            taskGroup(tg -> {
                kids.add(tg.createTask(() -> {
                    sleep(1);
                    kids.add(tg.createTask(() -> { sleep(1); return 2; }));
                    return 1;
                }));
                return null;
            });
            int sum = 0;
            for (Task<Integer> k : kids) {
                sum += k.resultNow();
            }
            return sum;
        });
        assertEquals(3, n);
    }

    @Test
    void checkedExceptionOfTheBody_isInTheGroupAsItself() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runVc(() -> taskGroup(tg -> {
            throw new IOException("checked");
        })));
        assertInstanceOf(IOException.class, eg.exceptions().get(0));
        assertSame(eg.exceptions().get(0), eg.getSuppressed()[0]);
        assertFalse(org.asyncio4j.internal.Cancellation.isCancellation(eg), "a finished group is an ordinary failure");
    }
}
