package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.toThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a done future keeps of its outcome, as every reader sees it: the exception of a failed
 * one (read on any thread, reported once if nobody reads it), the message and the cause of a
 * cancelled one (a task's cancellation with a cause; debug mode's origin on a future that a
 * task's request cancelled). The future keeps these in one field whatever the state, so each
 * test reads one outcome through every door: await, get, exceptionNow, toString, the
 * CompletableFuture bridge.
 */
@Timeout(20)
class FutureOutcomeTest {

    private static final String ORIGIN = "org.asyncio4j.internal.CancellationOrigin";
    private static final RunOptions DEBUG = RunOptions.defaults().withVirtualClock(true).withDebug(true);

    @RegisterExtension
    final ClosingLoops loops = new ClosingLoops();

    // ------------------------------------------------------------------ layout

    /**
     * Every task, every waiter of a lock, event or queue, and every future is a FutureImpl: it
     * keeps its outcome in one field whatever the state (the value, the exception and its
     * unread report, the cancel message and cause), so it is 32 bytes with compressed
     * references, not 48. A structural check (the declared fields), not a measurement.
     */
    @Test
    void futureImpl_declaresFourInstanceFields_oneForTheOutcome() throws Exception {
        List<String> fields = Stream.of(Class.forName("org.asyncio4j.internal.FutureImpl").getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName)
                .sorted()
                .toList();
        assertEquals(List.of("callbacks", "loop", "outcome", "state"), fields,
                "a field added to FutureImpl costs 4-8 bytes in every task and waiter");
    }

    // ------------------------------------------------------------------ failed

    /**
     * Eight threads read one failed future at once (exceptionNow, get, the CompletableFuture
     * bridge): each gets the exception, and it counts as read: the close reports only the
     * control future nobody read.
     */
    @Test
    void failedFuture_readOnlyByOtherThreadsAtOnce_everyReaderGetsIt_andOnlyTheUnreadOneIsReported() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException control = new IllegalStateException("control");
        LoopCloseTest.Reports reports = new LoopCloseTest.Reports();
        EventLoop loop = loops.newLoop();
        loop.setExceptionHandler(reports);
        Future<String> f = loop.createFuture();
        f.setException(boom);
        loop.<String>createFuture().setException(control);
        CountDownLatch start = new CountDownLatch(1);
        List<Throwable> seen = Collections.synchronizedList(new ArrayList<>());
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int way = i % 3;
            readers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    seen.add(switch (way) {
                        case 0 -> f.exceptionNow();
                        case 1 -> assertThrows(ExecutionException.class, f::get).getCause();
                        default -> assertThrows(ExecutionException.class,
                                () -> f.toCompletableFuture().get(5, TimeUnit.SECONDS)).getCause();
                    });
                } catch (Throwable t) {
                    seen.add(new AssertionError("reader failed", t));
                }
            }));
        }
        start.countDown();
        for (Thread t : readers) {
            t.join();
        }
        assertEquals(8, seen.size());
        for (Throwable t : seen) {
            assertSame(boom, t, String.valueOf(t));
        }
        assertEquals("Future[finished exception=java.lang.IllegalStateException: boom]", f.toString());
        IllegalStateException notReady = assertThrows(IllegalStateException.class, f::resultNow);
        assertTrue(notReady.getMessage().contains("boom"), notReady.getMessage());
        loop.close();
        assertEquals(0, reports.neverRetrieved(boom), reports.handled.toString());
        assertEquals(1, reports.neverRetrieved(control), reports.handled.toString());
    }

    /**
     * Unread when its loop closes: reported there, once. Read afterwards, it still gives the
     * same exception and describes itself the same, and nothing is reported again.
     */
    @Test
    void failedFuture_reportedAtClose_readAfterwards_givesTheException_andIsNotReportedAgain() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        LoopCloseTest.Reports reports = new LoopCloseTest.Reports();
        EventLoop loop = loops.newLoop();
        loop.setExceptionHandler(reports);
        Future<String> f = loop.createFuture();
        f.setException(boom);
        String before = f.toString();
        loop.close();
        assertEquals(1, reports.neverRetrieved(boom));
        assertSame(boom, f.exceptionNow());
        assertSame(boom, assertThrows(ExecutionException.class, f::get).getCause());
        assertSame(boom, assertThrows(IllegalStateException.class, f::await));
        assertEquals(before, f.toString());
        loop.close();
        assertEquals(1, reports.neverRetrieved(boom), reports.handled.toString());
    }

    /** A failed task read only by a thread of its own: read, not reported. */
    @Test
    void failedTask_readByGetOnAnotherThread_isNotReportedAtClose() {
        IllegalStateException boom = new IllegalStateException("boom");
        LoopCloseTest.Reports reports = new LoopCloseTest.Reports();
        Throwable got = run(() -> {
            getRunningLoop().setExceptionHandler(reports);
            Task<Void> t = createTask(() -> {
                throw boom;
            }, "doomed");
            sleep(0);
            assertTrue(t.isDone());
            return toThread(() -> assertThrows(ExecutionException.class, t::get).getCause());
        });
        assertSame(boom, got);
        assertEquals(0, reports.neverRetrieved(boom), reports.handled.toString());
    }

    // ------------------------------------------------------------------ cancelled

    /**
     * A task whose body ends with a CancelledException that has a cause ends cancelled; its
     * awaiters get the message and that cause, a foreign get() and the bridge the message.
     */
    @Test
    void cancelledTask_bodyEndsWithACancelledExceptionWithACause_awaiterGetsMessageAndCause_otherThreadsTheMessage() {
        IllegalStateException why = new IllegalStateException("driver: statement cancelled");
        run(() -> {
            Task<Void> t = createTask(() -> {
                CancelledException c = new CancelledException("stop");
                c.initCause(why);
                throw c;
            });
            CancelledException awaited = assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
            assertEquals("stop", awaited.getMessage());
            assertSame(why, awaited.getCause());
            CancelledException again = assertThrows(CancelledException.class, t::await);
            assertSame(why, again.getCause(), "every awaiter gets the cause");
            String[] foreign = toThread(() -> new String[] {
                    assertThrows(CancelledException.class, t::get).getMessage(),
                    t.toCompletableFuture().handle((v, e) -> e.getMessage()).get(5, TimeUnit.SECONDS)});
            assertEquals("stop", foreign[0]);
            assertEquals("stop", foreign[1]);
            assertEquals(Future.State.CANCELLED, t.state());
            assertThrows(IllegalStateException.class, t::exceptionNow);
        });
    }

    /** One that carries suppressed exceptions (a TaskGroup's failures) is itself the cause awaiters get. */
    @Test
    void cancelledTask_bodyEndsWithACancelledExceptionCarryingSuppressed_awaiterGetsThatExceptionAsCause() {
        run(() -> {
            CancelledException[] thrown = new CancelledException[1];
            Task<Void> t = createTask(() -> {
                thrown[0] = new CancelledException("group");
                thrown[0].addSuppressed(new IllegalArgumentException("a child failed"));
                throw thrown[0];
            });
            CancelledException awaited = assertThrows(CancelledException.class, t::await);
            assertEquals("group", awaited.getMessage());
            assertSame(thrown[0], awaited.getCause());
        });
    }

    /** A plain cancel: the message, no cause, through every door; a waiter of an Event likewise. */
    @Test
    void cancelWithoutCause_messageEverywhere_noCause() {
        run(() -> {
            Future<String> f = getRunningLoop().createFuture();
            f.cancel("bye");
            CancelledException awaited = assertThrows(CancelledException.class, f::await);
            assertEquals("bye", awaited.getMessage());
            assertNull(awaited.getCause());
            assertEquals("bye", toThread(() -> assertThrows(CancelledException.class, f::get).getMessage()));
            CompletableFuture<String> cf = f.toCompletableFuture();
            assertEquals("bye", cf.handle((v, e) -> e.getMessage()).join());

            Future<String> noMessage = getRunningLoop().createFuture();
            noMessage.cancel();
            assertNull(assertThrows(CancelledException.class, noMessage::await).getMessage());

            Event ev = new Event();
            Task<Void> waiter = createTask(ev::await);
            sleep(0);
            waiter.cancel("no longer");
            CancelledException c = assertThrows(CancelledException.class, waiter::await);
            assertEquals("no longer", c.getMessage());
            assertNull(c.getCause());
        });
    }

    /** Debug mode: a task that cancels itself and then returns ends cancelled; awaiters get the origin as cause. */
    @Test
    void debug_taskThatCancelsItselfAndReturns_endsCancelled_awaiterGetsTheOriginAsCause() {
        run(() -> {
            Task<Integer> t = createTask(() -> {
                currentTask().cancel("self");
                return 1;
            }, "quitter");
            CancelledException c = assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
            assertEquals("self", c.getMessage());
            assertEquals(ORIGIN, c.getCause().getClass().getName(), String.valueOf(c.getCause()));
            assertEquals(0, c.getSuppressed().length, "the origin is there once");
        }, DEBUG);
    }

    /**
     * Debug mode: a task cancelled while it awaits a gather of plain futures; the gather ends
     * cancelled when its children do, later, and the exception the body gets from it carries
     * the request's origin (left on the gather while it was still pending).
     */
    @Test
    void debug_cancelWhileAwaitingAGather_theGathersCancellationCarriesTheOrigin() {
        run(() -> {
            Future<Integer> a = getRunningLoop().createFuture();
            Future<Integer> b = getRunningLoop().createFuture();
            Throwable[] inBody = new Throwable[1];
            Task<List<Integer>> t = createTask(() -> {
                try {
                    return gather(a, b);
                } catch (CancelledException e) {
                    inBody[0] = e;
                    throw e;
                }
            }, "gatherer");
            sleep(0);
            CancellationOriginTest.stopIt(t);
            assertThrows(CancelledException.class, t::await);
            assertTrue(a.isCancelled() && b.isCancelled());
            assertEquals(ORIGIN, inBody[0].getCause().getClass().getName(), String.valueOf(inBody[0].getCause()));
            assertTrue(inBody[0].getCause().getMessage().startsWith("cancelled by task Task-1 at CancellationOriginTest.stopIt("),
                    inBody[0].getCause().getMessage());
        }, DEBUG);
    }
}
