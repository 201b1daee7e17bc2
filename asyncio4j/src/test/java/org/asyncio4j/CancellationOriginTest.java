package org.asyncio4j;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Debug mode: a cancellation records where it was requested. The CancelledException the
 * cancelled task's body sees, and the one its awaiters get, carry a "cancelled here" exception
 * (as the cause, or suppressed when there is a cause already) whose message names the
 * requesting task or thread and whose stack is the requester's. Without debug mode, nothing.
 */
@Timeout(10)
class CancellationOriginTest {

    private static final RunOptions DEBUG = RunOptions.defaults().withVirtualClock(true).withDebug(true);
    private static final String ORIGIN = "org.asyncio4j.internal.CancellationOrigin";

    static void stopIt(Task<?> t) {
        t.cancel();
    }

    /** A task named victim that sleeps 10 s and adds the CancelledException its body sees to {@code seen}. */
    static Task<Void> sleeperRecording(List<Throwable> seen) {
        return createTask(() -> {
            try {
                sleep(10);
            } catch (CancelledException e) {
                seen.add(e);
                throw e;
            }
        }, "victim");
    }

    @Test
    void debug_cancelByAnotherTask_bodyAndAwaiterSeeTheRequesterAndItsStack() {
        List<Throwable> seen = new ArrayList<>();
        run(() -> {
            Task<Void> victim = sleeperRecording(seen);
            sleep(1);
            createTask(() -> stopIt(victim), "canceller").await();
            seen.add(assertThrows(CancelledException.class, victim::await));
        }, DEBUG);
        for (Throwable c : seen) {
            Throwable origin = c.getCause();
            assertNotNull(origin, "no origin on " + c);
            assertEquals(ORIGIN, origin.getClass().getName());
            assertTrue(origin.getMessage().matches("cancelled by task canceller at CancellationOriginTest\\.stopIt\\(CancellationOriginTest\\.java:\\d+\\)"),
                    origin.getMessage());
            StackTraceElement[] st = origin.getStackTrace();
            assertEquals("cancel", st[0].getMethodName(), List.of(st).toString());
            assertEquals("stopIt", st[1].getMethodName(), List.of(st).toString());
        }
        assertEquals(2, seen.size());
    }

    @Test
    void debug_cancelWhileWaitingOnAnEvent_theWaitThrowsWithTheOrigin() {
        run(() -> {
            org.asyncio4j.sync.Event never = new org.asyncio4j.sync.Event();
            Throwable[] inBody = new Throwable[1];
            Task<Void> t = createTask(() -> {
                try {
                    never.await();
                } catch (CancelledException e) {
                    inBody[0] = e;
                    throw e;
                }
            }, "waiting");
            sleep(0);
            stopIt(t);
            assertThrows(CancelledException.class, t::await);
            Throwable origin = inBody[0].getCause();
            assertNotNull(origin, "the Event's wait lost the origin");
            assertEquals(ORIGIN, origin.getClass().getName());
            assertTrue(origin.getMessage().startsWith("cancelled by task Task-"), origin.getMessage());
        }, DEBUG);
    }

    @Test
    void debug_cancelWhileAwaitingAFuture_theAwaitThrowsWithTheOrigin_andTheFutureIsCancelled() {
        run(() -> {
            Future<Object> f = getRunningLoop().createFuture();
            Throwable[] inBody = new Throwable[1];
            Task<Object> t = createTask(() -> {
                try {
                    return f.await();
                } catch (CancelledException e) {
                    inBody[0] = e;
                    throw e;
                }
            }, "awaiting");
            sleep(0);
            stopIt(t);
            assertThrows(CancelledException.class, t::await);
            assertTrue(f.isCancelled());
            assertTrue(inBody[0].getCause().getMessage().startsWith("cancelled by task Task-1 at CancellationOriginTest.stopIt("),
                    inBody[0].getCause().getMessage());
        }, DEBUG);
    }

    @Test
    void debug_cancelFromAnotherThread_namesTheThreadAndKeepsItsStack() {
        run(() -> {
            Task<Void> t = createTask(() -> sleep(10), "victim");
            sleep(0.1);
            Thread other = new Thread(() -> stopIt(t), "remote-canceller");
            toThread(() -> {
                other.start();
                other.join();
            });
            CancelledException c = assertThrows(CancelledException.class, t::await);
            assertTrue(c.getCause().getMessage().startsWith("cancelled by thread 'remote-canceller' at CancellationOriginTest.stopIt("),
                    c.getCause().getMessage());
            assertEquals("stopIt", c.getCause().getStackTrace()[1].getMethodName());
        }, DEBUG);
    }

    @Test
    void debug_timeoutsExpiry_isNamedAsTheRequester() {
        run(() -> {
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> timeout(Duration.ofSeconds(1), () -> sleep(10)));
            Throwable origin = e.getCause().getCause();
            assertEquals(ORIGIN, origin.getClass().getName());
            assertTrue(origin.getMessage().startsWith("cancelled by a timeout that expired (a callback on the loop's thread '"),
                    origin.getMessage());
        }, DEBUG);
    }

    @Test
    void debug_taskGroupCancellingSiblings_isNamedAsTheRequester() {
        run(() -> {
            Throwable[] sibling = new Throwable[1];
            assertThrows(ExceptionGroup.class, () -> taskGroup(tg -> {
                tg.createTask(() -> {
                    try {
                        sleep(10);
                    } catch (CancelledException e) {
                        sibling[0] = e;
                        throw e;
                    }
                }, "sibling");
                tg.createTask(() -> {
                    sleep(1);
                    throw new IllegalStateException("child fails");
                }, "failing");
                return null;
            }));
            assertTrue(sibling[0].getCause().getMessage().startsWith("cancelled by its TaskGroup ("), sibling[0].getCause().getMessage());
        }, DEBUG);
    }

    @Test
    @Tag("fast-only")   // a task cancelled while in a JDK call
    void debug_cancelledInAJdkCall_theAwaitersExceptionCarriesTheOrigin() {
        run(() -> {
            Task<Void> t = createTask(() -> Thread.sleep(10_000), "jdk-sleeper");
            sleep(0.01);
            stopIt(t);
            CancelledException c = assertThrows(CancelledException.class, t::await);
            assertTrue(c.getCause().getMessage().startsWith("cancelled by task Task-1 at CancellationOriginTest.stopIt("),
                    String.valueOf(c.getCause()));
        }, DEBUG);
    }

    @Test
    @Tag("fast-only")   // a task cancelled while in a JDK call
    void debug_cancellationThatHasACauseAlready_carriesTheOriginAsSuppressed_andKeepsTheCauseAsWithoutDebug() {
        run(() -> {
            CountDownLatch hung = new CountDownLatch(1);
            Throwable[] inBody = new Throwable[1];
            Task<Void> t = createTask(() -> {
                try {
                    cancellable(hung::countDown, () -> {
                        hung.await();
                        throw new IllegalStateException("driver: statement cancelled");
                    });
                } catch (CancelledException e) {
                    inBody[0] = e;
                    throw e;
                }
            }, "driver-call");
            sleep(0.01);
            stopIt(t);
            CancelledException awaiter = assertThrows(CancelledException.class, t::await);
            for (Throwable c : List.of(inBody[0], awaiter)) {
                assertInstanceOf(IllegalStateException.class, c.getCause(), c.toString());
                assertEquals(1, c.getSuppressed().length, List.of(c.getSuppressed()).toString());
                assertEquals(ORIGIN, c.getSuppressed()[0].getClass().getName());
                assertTrue(c.getSuppressed()[0].getMessage().startsWith("cancelled by task Task-1 at CancellationOriginTest.stopIt("));
            }
        }, DEBUG);
    }

    @Test
    @Tag("fast-only")   // a task cancelled while in a JDK call
    void noDebug_nothingIsRecorded() {
        List<Throwable> seen = new ArrayList<>();
        run(() -> {
            Task<Void> victim = sleeperRecording(seen);
            sleep(1);
            stopIt(victim);
            seen.add(assertThrows(CancelledException.class, victim::await));
            Task<Void> jdk = createTask(() -> Thread.sleep(10_000));
            sleep(0.01);
            stopIt(jdk);
            seen.add(assertThrows(CancelledException.class, jdk::await));
        }, RunOptions.defaults().withVirtualClock(true));
        for (Throwable c : seen) {
            assertNull(c.getCause(), c.toString());
            assertEquals(0, c.getSuppressed().length);
        }
    }
}
