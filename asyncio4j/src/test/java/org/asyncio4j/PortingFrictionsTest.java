package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.gatherSettled;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.toThread;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.sync.Barrier;
import org.asyncio4j.sync.Condition;
import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The frictions met porting CPython's asyncio documentation examples, each fixed or explained:
 * Python's method names that compile as {@code Object}'s, void bodies in {@code gather},
 * callbacks that throw checked exceptions, and method references to overloaded methods. Most
 * cases here are compile-level: the test class compiles only if each call resolves, and the
 * result shows which overload ran.
 */
@Timeout(20)
class PortingFrictionsTest {

    // ------------------------------------------------------------------ Object's wait/notify

    /** What a port of Python's {@code await event.wait()} does, and the hint it then carries. */
    private static IllegalMonitorStateException failureOf(ThrowingRunnable pythonSpelling) {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, () -> runVc(() -> {
            Task<Void> t = createTask(() -> {
                try {
                    pythonSpelling.run();
                } catch (Throwable x) {
                    thrown.set(x);
                    throw x;
                }
            });
            t.await();
        }));
        assertSame(thrown.get(), e, "the task's own exception object arrives, not a replacement");
        return e;
    }

    private static String hintOf(Throwable e) {
        return Arrays.stream(e.getSuppressed()).map(Throwable::getMessage)
                .filter(m -> m != null && m.startsWith("hint:")).findFirst().orElse(null);
    }

    @Test
    void eventWait_isObjectsWait_andItsFailureCarriesAHintNamingAwait() {
        Event event = new Event();
        IllegalMonitorStateException e = failureOf(() -> event.wait());
        String hint = hintOf(e);
        assertTrue(hint != null && hint.contains("Object.wait()") && hint.contains("Event.await()"), String.valueOf(hint));
        assertTrue(hint.contains("PortingFrictionsTest"), "the hint names where it was called: " + hint);
    }

    @Test
    void conditionNotify_isObjectsNotify_andItsFailureCarriesAHintNamingSignal() {
        Condition condition = new Condition();
        String hint = hintOf(failureOf(() -> {
            try (var held = condition.acquire()) {
                condition.notify();
            }
        }));
        assertTrue(hint != null && hint.contains("Object.notify()") && hint.contains("signal()"), String.valueOf(hint));
        String all = hintOf(failureOf(condition::notifyAll));
        assertTrue(all != null && all.contains("Object.notifyAll()") && all.contains("signalAll()"), String.valueOf(all));
    }

    @Test
    void barrierWait_isObjectsWait_andItsFailureCarriesAHintNamingAwait() {
        Barrier barrier = new Barrier(2);
        String hint = hintOf(failureOf(() -> barrier.wait()));
        assertTrue(hint != null && hint.contains("Barrier.await()"), String.valueOf(hint));
    }

    @Test
    void anIllegalMonitorStateExceptionNotFromObjectsMethods_getsNoHint() {
        IllegalMonitorStateException e = failureOf(() -> {
            throw new IllegalMonitorStateException("mine");
        });
        assertEquals(0, e.getSuppressed().length);
    }

    // ------------------------------------------------------------------ gather over void bodies

    private static int m1() {
        sleep(1);
        return 10;
    }

    private static void chore() {
        sleep(1);
    }

    @Test
    void gather_voidBodies_runConcurrently_andGiveOneNullEach() {
        List<Object> out = runVc(() -> {
            double t0 = getRunningLoop().time();
            List<Void> r = gather(() -> sleep(1), () -> sleep(2));
            List<Void> blocks = gather(() -> { sleep(1); }, () -> { sleep(1); });
            List<Void> refs = gather(PortingFrictionsTest::chore, PortingFrictionsTest::chore);
            return List.of(r, blocks.size(), refs.size(), getRunningLoop().time() - t0);
        });
        assertEquals(Arrays.asList(null, null), out.get(0));
        assertEquals(2, out.get(1));
        assertEquals(2, out.get(2));
        assertEquals(4.0, (double) out.get(3), 0.01, "2 s, then 1 s, then 1 s: each pair concurrently");
    }

    @Test
    void gather_valueBodies_stillReturnTheirValues() {
        List<Object> out = runVc(() -> {
            List<Integer> lambdas = gather(() -> m1(), () -> m1());
            List<Integer> refs = gather(PortingFrictionsTest::m1, PortingFrictionsTest::m1);
            List<Integer> blocks = gather(() -> { sleep(1); return 1; }, () -> 2);
            return List.of(lambdas, refs, blocks);
        });
        assertEquals(List.of(List.of(10, 10), List.of(10, 10), List.of(1, 2)), out);
    }

    @Test
    void gather_mixOfFuturesAndBodies_passesEachFutureAsItsAwait() {
        List<Integer> out = runVc(() -> {
            Task<Integer> running = createTask(PortingFrictionsTest::m1);
            return gather(() -> m1(), running::await, () -> 3);
        });
        assertEquals(List.of(10, 10, 3), out);
    }

    @Test
    void gatherSettled_voidBodies_giveTheirDoneFutures() {
        List<Future<Void>> out = runVc(() -> gatherSettled(() -> sleep(1), () -> {
            throw new IOException("x");
        }));
        assertEquals(null, out.get(0).resultNow());
        assertInstanceOf(IOException.class, out.get(1).exceptionNow());
    }

    // ------------------------------------------------------------------ callbacks that throw

    private int overloaded() {
        return 1;
    }

    @SuppressWarnings("unused")
    private int overloaded(int x) {
        return x;
    }

    @Test
    void callSoonCallLaterCallAt_acceptCallbacksThrowingCheckedExceptions_theHandlerGetsThemAsThemselves() {
        IOException soon = new IOException("soon"), later = new IOException("later"), at = new IOException("at"),
                safe = new IOException("threadsafe");
        List<Throwable> handled = new ArrayList<>();
        runVc(() -> {
            EventLoop loop = getRunningLoop();
            loop.setExceptionHandler((l, ctx) -> handled.add(ctx.exception()));
            loop.callSoon(() -> { throw soon; });
            loop.callLater(0.5, () -> { throw later; });
            loop.callLater(java.time.Duration.ofSeconds(1), () -> Thread.sleep(0));
            loop.callAt(loop.time() + 1, () -> { throw at; });
            loop.callSoonThreadsafe(() -> { throw safe; });
            sleep(2);
        });
        assertEquals(List.of(soon, safe, later, at), handled);
    }

    @Test
    void callSoon_runnableValuesAndMethodReferences_resolveAsBefore() {
        List<String> ran = new ArrayList<>();
        runVc(() -> {
            EventLoop loop = getRunningLoop();
            Runnable r = () -> ran.add("runnable");
            EventLoop.Callback c = () -> ran.add("callback");
            loop.callSoon(r);
            loop.callSoon(c);
            loop.callSoon(this::overloaded);          // an inexact method reference: no ambiguity
            loop.callSoon(() -> ran.add("lambda"));   // a value-returning lambda, as a callback
            Handle h = loop.callSoon(() -> ran.add("cancelled"));
            h.cancel();
            sleep(0);
        });
        assertEquals(List.of("runnable", "callback", "lambda"), ran);
    }

    // ------------------------------------------------------------------ toThread and method references

    @Test
    void toThread_methodReferencesToOverloadedValueMethods_resolveToTheValueForm() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", "exit 3").start();
        CompletableFuture<String> future = CompletableFuture.completedFuture("got");
        List<Object> out = Asyncio.run(() -> {
            int code = toThread(process::waitFor);
            String got = toThread(future::get);
            return List.of(code, got);
        });
        assertEquals(List.of(3, "got"), out);
    }

    @Test
    void toThread_lambdas_resolveByTheirShape() {
        CountDownLatch latch = new CountDownLatch(1);
        List<Object> out = Asyncio.run(() -> {
            toThread(() -> latch.countDown());            // void: the ThrowingRunnable form
            toThread(() -> latch.await());                // how to write an overloaded void method's reference
            toThread(() -> { Thread.sleep(1); });
            int v = toThread(() -> 5);                    // a value
            int w = toThread(PortingFrictionsTest::five); // an exact method reference with a value
            return List.of(v, w, latch.getCount());
        });
        assertEquals(List.of(5, 5, 0L), out);
    }

    private static int five() {
        return 5;
    }

    // ------------------------------------------------------------------ seconds as double on the loop

    @Test
    void setSlowCallbackDuration_seconds_isTheThreshold_nanAndNegativeAreRefused() {
        List<String> reports = new ArrayList<>();
        Asyncio.run(() -> {
            EventLoop loop = getRunningLoop();
            loop.setExceptionHandler((l, ctx) -> reports.add(ctx.message()));
            assertThrows(IllegalArgumentException.class, () -> loop.setSlowCallbackDuration(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> loop.setSlowCallbackDuration(-1.0));
            loop.setSlowCallbackDuration(10.0);
            loop.setDebug(true);
            createTask(() -> {
                long end = System.nanoTime() + 200_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();          // holds the loop 0.2 s: twice the default threshold
                }
            }).await();
        });
        assertEquals(List.of(), reports, "under a 10 s threshold a 0.2 s step is not slow");
    }
}
