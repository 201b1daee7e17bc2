package org.asyncio4j;

import static org.asyncio4j.TestLoops.runVc;
import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AsyncGenerator (Python's asynchronous generators driven by {@code async for}): values in order,
 * laziness (the producer runs only while the consumer waits, one value at a time), failures,
 * close() (finally blocks, early break, not started, twice, a producer that ignores it), the
 * api.md seed over a TaskGroup (values as each task finishes; an early break cancels the rest),
 * cancellation of the waiting consumer, misuse and null checks.
 *
 * <p>Skipped (Python-only): {@code asend}/{@code athrow}, {@code aclose()} returning an awaitable,
 * the {@code ag_running}/{@code ag_frame} attributes, finalizer hooks ({@code sys.set_asyncgen_hooks}).
 */
@Timeout(10)
class AsyncGeneratorTest {

    private static double now() {
        return getRunningLoop().time();
    }

    private static void runBriefly() {
        for (int i = 0; i < 5; i++) {
            sleep(0);
        }
    }

    /**
     * A producer that yields 1, sleeps 10 s (where a consumer waits for 2), yields 2; it records
     * what it throws and that its finally ran.
     */
    private static AsyncGenerator<Integer> oneThenTwoAfterTenSeconds(AtomicReference<Throwable> inProducer, AtomicBoolean producerFinally) {
        return AsyncGenerator.of(y -> {
            try {
                y.yield(1);
                sleep(10);
                y.yield(2);
            } catch (Throwable t) {
                inProducer.set(t);
                throw t;
            } finally {
                producerFinally.set(true);
            }
        });
    }

    private static <T> List<T> collect(AsyncGenerator<T> gen) {
        List<T> out = new ArrayList<>();
        for (T x : gen) {
            out.add(x);
        }
        return out;
    }

    // ------------------------------------------------------------------ values

    @Test
    void values_arriveInTheOrderYielded() {
        List<Integer> got = runVc(() -> {
            List<Integer> out = new ArrayList<>();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                for (int i = 1; i <= 5; i++) {
                    sleep(0.1);
                    y.yield(i * i);
                }
            })) {
                for (int x : gen) {
                    out.add(x);
                }
            }
            return out;
        });
        assertEquals(List.of(1, 4, 9, 16, 25), got);
    }

    @Test
    void producerThatSleeps_valuesArriveOneSecondApart() {
        runVc(() -> {
            List<Double> times = new ArrayList<>();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                for (int i = 1; i <= 3; i++) {
                    sleep(1);
                    y.yield(i);
                }
            })) {
                for (int x : gen) {
                    times.add(now());
                }
            }
            assertEquals(3, times.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(i + 1.0, times.get(i), 0.1);
            }
        });
    }

    @Test
    void nullValues_canBeYielded() {
        List<String> got = runVc(() -> {
            List<String> out = new ArrayList<>();
            try (var gen = AsyncGenerator.<String>of(y -> {
                y.yield("a");
                y.yield(null);
                y.yield("b");
            })) {
                for (String s : gen) {
                    out.add(s);
                }
            }
            return out;
        });
        assertEquals(java.util.Arrays.asList("a", null, "b"), got);
    }

    @Test
    void emptyProducer_yieldsNothing() {
        runVc(() -> {
            try (var gen = AsyncGenerator.<Integer>of(y -> { })) {
                assertFalse(gen.iterator().hasNext());
                assertFalse(gen.iterator().hasNext());
            }
        });
    }

    @Test
    void hasNext_calledRepeatedly_doesNotSkipValues() {
        runVc(() -> {
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                y.yield(1);
                y.yield(2);
            })) {
                Iterator<Integer> it = gen.iterator();
                assertTrue(it.hasNext());
                assertTrue(it.hasNext());
                assertEquals(1, it.next());
                assertEquals(2, it.next());       // next without hasNext advances too
                assertFalse(it.hasNext());
            }
        });
    }

    // ------------------------------------------------------------------ laziness

    @Test
    void producer_doesNotStartBeforeTheFirstHasNext() {
        runVc(() -> {
            AtomicBoolean started = new AtomicBoolean();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                started.set(true);
                y.yield(1);
            })) {
                sleep(1);
                Iterator<Integer> it = gen.iterator();
                runBriefly();
                assertFalse(started.get(), "creating the generator or its iterator must not run the producer");
                assertTrue(it.hasNext());
                assertTrue(started.get());
                assertEquals(1, it.next());
            }
        });
    }

    @Test
    void producer_neverRunsAheadOfTheConsumer() {
        runVc(() -> {
            Order o = new Order();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                o.expect(2);
                y.yield(1);
                o.expect(5);
                y.yield(2);
                o.expect(8);
            })) {
                Iterator<Integer> it = gen.iterator();
                o.expect(1);
                assertTrue(it.hasNext());
                o.expect(3);
                assertEquals(1, it.next());
                sleep(1);                          // the producer must stay suspended in yield
                o.expect(4);
                assertTrue(it.hasNext());
                o.expect(6);
                assertEquals(2, it.next());
                sleep(1);
                o.expect(7);
                assertFalse(it.hasNext());
                o.finish(9);
            }
        });
    }

    @Test
    void producer_yieldsOneValueAtATimeEvenWithoutSuspendingBetweenYields() {
        runVc(() -> {
            AtomicInteger produced = new AtomicInteger();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                for (int i = 0; i < 100; i++) {
                    produced.incrementAndGet();
                    y.yield(i);
                }
            })) {
                int consumed = 0;
                for (int x : gen) {
                    consumed++;
                    runBriefly();
                    assertEquals(consumed, produced.get(), "the producer ran ahead of the consumer");
                    assertEquals(consumed - 1, x);
                    if (consumed == 10) {
                        break;
                    }
                }
            }
            assertEquals(10, produced.get());
        });
    }

    // ------------------------------------------------------------------ failures

    @Test
    void uncheckedExceptionInProducer_reachesTheConsumerAsItself() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        runVc(() -> {
            List<Integer> got = new ArrayList<>();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                y.yield(1);
                y.yield(2);
                sleep(0.5);
                throw boom;
            })) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                    for (int x : gen) {
                        got.add(x);
                    }
                });
                assertSame(boom, e);
                assertEquals(List.of(1, 2), got);
                assertFalse(gen.iterator().hasNext(), "a failed generator is exhausted");
            }
        });
    }

    @Test
    void checkedExceptionInProducer_reachesTheConsumerWrappedInCompletionException() {
        IOException disk = new IOException("disk");
        runVc(() -> {
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                y.yield(1);
                throw disk;
            })) {
                Iterator<Integer> it = gen.iterator();
                assertEquals(1, it.next());
                CompletionException e = assertThrows(CompletionException.class, it::hasNext);
                assertSame(disk, e.getCause());
            }
        });
    }

    @Test
    void errorInProducer_reachesTheConsumerAsItself() {
        AssertionError err = new AssertionError("bad");
        runVc(() -> {
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                throw err;
            })) {
                assertSame(err, assertThrows(AssertionError.class, () -> gen.iterator().hasNext()));
            }
        });
    }

    @Test
    void exceptionBeforeTheFirstYield_isThrownByTheFirstHasNext() {
        runVc(() -> {
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                throw new IllegalStateException("early");
            })) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> gen.iterator().hasNext());
                assertEquals("early", e.getMessage());
            }
        });
    }

    // ------------------------------------------------------------------ close

    @Test
    void close_runsTheProducersFinallyBlocksAndWaitsForThem() {
        runVc(() -> {
            AtomicBoolean cleaned = new AtomicBoolean();
            AtomicReference<Throwable> seenInProducer = new AtomicReference<>();
            var gen = AsyncGenerator.<Integer>of(y -> {
                try {
                    y.yield(1);
                    y.yield(2);
                } catch (Throwable t) {
                    seenInProducer.set(t);
                    throw t;
                } finally {
                    sleep(1);                      // cleanup that suspends
                    cleaned.set(true);
                }
            });
            Iterator<Integer> it = gen.iterator();
            assertEquals(1, it.next());
            double before = now();
            gen.close();
            assertTrue(cleaned.get(), "close() must wait until the finally blocks have run");
            assertEquals(before + 1, now(), 0.1);
            assertInstanceOf(CancelledException.class, seenInProducer.get(),
                    "the producer is ended by a cancellation in yield");
            assertFalse(it.hasNext(), "a closed generator is exhausted");
            assertThrows(NoSuchElementException.class, it::next);
        });
    }

    @Test
    void earlyBreak_insideTryWithResources_closesTheGenerator() {
        runVc(() -> {
            AtomicBoolean cleaned = new AtomicBoolean();
            AtomicInteger produced = new AtomicInteger();
            List<Integer> got = new ArrayList<>();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                try {
                    for (int i = 1; i <= 10; i++) {
                        produced.incrementAndGet();
                        y.yield(i);
                    }
                } finally {
                    cleaned.set(true);
                }
            })) {
                for (int x : gen) {
                    got.add(x);
                    if (x == 2) {
                        break;
                    }
                }
                assertFalse(cleaned.get());
            }
            assertTrue(cleaned.get(), "leaving the try must run the producer's finally");
            assertEquals(List.of(1, 2), got);
            assertEquals(2, produced.get());
        });
    }

    @Test
    void close_onANotStartedGenerator_doesNothingAndTheProducerNeverRuns() {
        runVc(() -> {
            AtomicBoolean ran = new AtomicBoolean();
            var gen = AsyncGenerator.<Integer>of(y -> {
                ran.set(true);
                y.yield(1);
            });
            gen.close();
            runBriefly();
            assertFalse(gen.iterator().hasNext());
            runBriefly();
            assertFalse(ran.get());
        });
    }

    @Test
    void close_onANotStartedGenerator_worksOutsideALoop() {
        AtomicBoolean ran = new AtomicBoolean();
        var gen = AsyncGenerator.<Integer>of(y -> ran.set(true));
        assertDoesNotThrow(gen::close);
        assertFalse(ran.get());
    }

    @Test
    void close_twice_isFine() {
        runVc(() -> {
            AtomicInteger finallies = new AtomicInteger();
            var gen = AsyncGenerator.<Integer>of(y -> {
                try {
                    y.yield(1);
                    y.yield(2);
                } finally {
                    finallies.incrementAndGet();
                }
            });
            assertEquals(1, gen.iterator().next());
            gen.close();
            gen.close();
            assertEquals(1, finallies.get());
        });
    }

    @Test
    void close_afterExhaustion_isFine() {
        runVc(() -> {
            var gen = AsyncGenerator.<Integer>of(y -> y.yield(1));
            List<Integer> got = new ArrayList<>();
            for (int x : gen) {
                got.add(x);
            }
            assertDoesNotThrow(gen::close);
            assertEquals(List.of(1), got);
        });
    }

    @Test
    void producerThatYieldsAgainAfterClose_makesCloseThrowIllegalStateException() {
        runVc(() -> {
            var gen = AsyncGenerator.<Integer>of(y -> {
                try {
                    y.yield(1);
                } finally {
                    y.yield(2);                    // ignores the close
                }
            });
            assertEquals(1, gen.iterator().next());
            assertThrows(IllegalStateException.class, gen::close);
        });
    }

    @Test
    void producerThatSwallowsTheCloseAndYields_makesCloseThrowIllegalStateException() {
        runVc(() -> {
            var gen = AsyncGenerator.<Integer>of(y -> {
                while (true) {
                    try {
                        y.yield(1);
                    } catch (CancelledException e) {
                        // swallowed: keeps yielding
                    }
                }
            });
            assertEquals(1, gen.iterator().next());
            assertThrows(IllegalStateException.class, gen::close);
        });
    }

    // ------------------------------------------------------------------ the seed: TaskGroup inside

    @Test
    void seed_generatorOverTaskGroup_yieldsEachValueAsItsTaskFinishes() {
        runVc(() -> {
            List<Integer> got = new ArrayList<>();
            List<Double> times = new ArrayList<>();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                try (var tg = new TaskGroup()) {
                    var tasks = IntStream.rangeClosed(1, 5).mapToObj(i -> tg.createTask(() -> {
                        sleep(i);
                        return i;
                    })).toList();
                    for (var t : tasks) {
                        y.yield(t.await());
                    }
                }
            })) {
                for (int x : gen) {
                    got.add(x);
                    times.add(now());
                }
            }
            assertEquals(List.of(1, 2, 3, 4, 5), got);
            for (int i = 0; i < 5; i++) {
                assertEquals(i + 1.0, times.get(i), 0.1, "value " + (i + 1) + " arrived at " + times.get(i));
            }
        });
    }

    @Test
    void seed_breakingOutAfterTheFirstValue_cancelsTheRemainingTaskGroupChildrenPromptly() {
        runVc(() -> {
            AtomicInteger childrenCancelled = new AtomicInteger();
            AtomicInteger childrenFinished = new AtomicInteger();
            AtomicBoolean groupLeft = new AtomicBoolean();
            List<Integer> got = new ArrayList<>();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                try (var tg = new TaskGroup()) {
                    var tasks = IntStream.rangeClosed(1, 5).mapToObj(i -> tg.createTask(() -> {
                        try {
                            sleep(i);
                            childrenFinished.incrementAndGet();
                            return i;
                        } catch (CancelledException e) {
                            childrenCancelled.incrementAndGet();
                            throw e;
                        }
                    })).toList();
                    for (var t : tasks) {
                        y.yield(t.await());
                    }
                } finally {
                    groupLeft.set(true);
                }
            })) {
                for (int x : gen) {
                    got.add(x);
                    break;
                }
            }
            assertEquals(List.of(1), got);
            assertTrue(groupLeft.get(), "close() waits for the producer to leave the TaskGroup");
            assertEquals(1, childrenFinished.get());
            assertEquals(4, childrenCancelled.get());
            assertEquals(1.0, now(), 0.1, "the remaining children must be cancelled, not awaited");
        });
    }

    // ------------------------------------------------------------------ cancellation of the consumer

    @Test
    void cancellingTheWaitingConsumer_cancelsTheProducerAndTheConsumerGetsCancelledException() {
        runVc(() -> {
            AtomicBoolean producerFinally = new AtomicBoolean();
            AtomicReference<Throwable> inProducer = new AtomicReference<>();
            var gen = oneThenTwoAfterTenSeconds(inProducer, producerFinally);
            Task<List<Integer>> consumer = createTask(() -> collect(gen));
            sleep(1);
            assertFalse(consumer.isDone());
            consumer.cancel("stop");
            CancelledException e = assertThrows(CancelledException.class, consumer::await);
            assertEquals("stop", e.getMessage());
            assertTrue(consumer.isCancelled());
            runBriefly();
            assertTrue(producerFinally.get(), "the producer's finally must run");
            assertInstanceOf(CancelledException.class, inProducer.get());
            assertEquals(1.0, now(), 0.1, "the producer's sleep(10) must have been cancelled");
        });
    }

    @Test
    void cancellingTheWaitingConsumer_producersFinallyRunsBeforeTheConsumerSeesTheCancellation() {
        // Python delivers the CancelledError inside the generator's frame (the consumer's
        // __anext__ await drives it), so its finally blocks, even suspending ones, complete
        // before the consumer's except/finally sees the cancellation.
        runVc(() -> {
            Order o = new Order();
            var gen = AsyncGenerator.<Integer>of(y -> {
                try {
                    y.yield(1);
                    o.expect(2);
                    sleep(10);
                    y.yield(2);
                } finally {
                    o.expect(4);
                    sleep(1);                      // suspending cleanup
                    o.expect(5);
                }
            });
            Task<Double> consumer = createTask(() -> {
                try {
                    for (int x : gen) {
                        o.expect(1);
                    }
                    return -1.0;
                } catch (CancelledException e) {
                    o.expect(6);
                    return now();
                }
            });
            sleep(1);
            o.expect(3);
            consumer.cancel();
            double seenAt = consumer.await();
            o.finish(7);
            assertEquals(2.0, seenAt, 0.1, "the consumer sees the cancellation once the producer's cleanup is done");
        });
    }

    @Test
    void consumerWithACancelPendingWhenItAsksForTheNextValue_theProducerIsCancelledTooAndItsFinallyRuns() {
        // Regression: a cancel requested while the consumer ran was delivered when hasNext()
        // started waiting, after it had resumed the producer; the producer was left running on
        // its own (and failed later in yield).
        runVc(() -> {
            AtomicReference<Throwable> inProducer = new AtomicReference<>();
            AtomicBoolean producerFinally = new AtomicBoolean();
            var gen = oneThenTwoAfterTenSeconds(inProducer, producerFinally);
            Task<Void> consumer = createTask(() -> {
                Iterator<Integer> it = gen.iterator();
                assertEquals(1, it.next());
                currentTask().cancel();            // delivered at its next suspension point
                it.hasNext();
            });
            assertThrows(CancelledException.class, consumer::await);
            runBriefly();
            assertTrue(producerFinally.get(), "the producer must not be left running on its own");
            assertInstanceOf(CancelledException.class, inProducer.get(), "got " + inProducer.get());
            assertEquals(0.0, now(), 0.1, "the producer's sleep(10) must have been cancelled");
        });
    }

    @Test
    void producerYieldingInTheStepItsConsumerIsCancelled_getsTheCancellation() {
        // Regression: the yield completed the consumer's already-cancelled step future and the
        // producer failed with InvalidStateException instead of ending by the cancellation.
        runVc(() -> {
            var go = new org.asyncio4j.sync.Event();
            AtomicReference<Throwable> inProducer = new AtomicReference<>();
            var gen = AsyncGenerator.<Integer>of(y -> {
                try {
                    y.yield(1);
                    go.await();
                    y.yield(2);
                } catch (Throwable t) {
                    inProducer.set(t);
                    throw t;
                }
            });
            Task<Void> consumer = createTask(() -> {
                for (int x : gen) {
                    assertEquals(1, x);
                }
            });
            runBriefly();                          // the consumer waits for 2, the producer for go
            go.set();                              // the producer is about to yield 2 ...
            consumer.cancel();                     // ... as its consumer stops waiting
            assertThrows(CancelledException.class, consumer::await);
            runBriefly();
            assertInstanceOf(CancelledException.class, inProducer.get(), "got " + inProducer.get());
        });
    }

    @Test
    void consumerInterruptedByItsGroupWhileWaiting_cancelsTheProducerAndSeesTheInterruption() {
        runVc(() -> {
            AtomicReference<Throwable> inProducer = new AtomicReference<>();
            var gen = oneThenTwoAfterTenSeconds(inProducer, new AtomicBoolean());
            Task<Void> consumer = createTask(() -> {
                for (int x : gen) {
                    assertEquals(1, x);
                }
            });
            sleep(1);
            ExceptionGroup g = org.asyncio4j.sync.GroupInterruption.interrupt(consumer);
            assertSame(g, assertThrows(ExceptionGroup.class, consumer::await));
            assertInstanceOf(CancelledException.class, inProducer.get(), "got " + inProducer.get());
            assertEquals(1.0, now(), 0.1, "the producer's sleep(10) must have been cancelled");
            assertTrue(gen.toString().contains("finished"), gen.toString());
        });
    }

    @Test
    void close_fromAnotherTaskWhileTheConsumerWaits_endsTheProducerAndTheConsumerSeesHowItEnded() {
        runVc(() -> {
            AtomicBoolean producerFinally = new AtomicBoolean();
            var gen = oneThenTwoAfterTenSeconds(new AtomicReference<>(), producerFinally);
            Task<List<Integer>> consumer = createTask(() -> collect(gen));
            sleep(1);                              // the consumer waits for 2
            gen.close();
            assertTrue(producerFinally.get());
            assertThrows(CancelledException.class, consumer::await, "the producer's end by the close reaches the waiting consumer");
            assertTrue(gen.toString().contains("finished"), gen.toString());
        });
    }

    @Test
    void close_afterTheProducerEndedWhileNobodyWaited_dropsItsFailure() {
        runVc(() -> {
            var gen = AsyncGenerator.<Integer>of(y -> timeout(java.time.Duration.ofMillis(100), () -> {
                y.yield(1);
                y.yield(2);
            }));
            Iterator<Integer> it = gen.iterator();
            assertEquals(1, it.next());
            sleep(0.5);                            // the producer's timeout ends it in yield
            assertTrue(gen.toString().contains("ended"), gen.toString());
            gen.close();
            assertFalse(it.hasNext(), "closed: the failure is dropped, the generator is exhausted");
        });
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void hasNext_outsideATask_throwsIllegalStateException() {
        var gen = AsyncGenerator.<Integer>of(y -> y.yield(1));
        assertThrows(IllegalStateException.class, () -> gen.iterator().hasNext());
    }

    @Test
    void yield_calledFromAnotherTask_throwsIllegalStateException() {
        runVc(() -> {
            AtomicReference<AsyncGenerator.Yielder<Integer>> captured = new AtomicReference<>();
            AtomicReference<Throwable> fromChild = new AtomicReference<>();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                captured.set(y);
                Task<Void> child = createTask(() -> {
                    try {
                        y.yield(99);
                    } catch (Throwable t) {
                        fromChild.set(t);
                    }
                });
                child.await();
                y.yield(1);
                y.yield(2);
            })) {
                Iterator<Integer> it = gen.iterator();
                assertEquals(1, it.next());
                assertInstanceOf(IllegalStateException.class, fromChild.get(), "yield from a task the producer started");
                assertThrows(IllegalStateException.class, () -> captured.get().yield(5), "yield from the consumer");
                assertEquals(2, it.next(), "the misuse must not disturb the generator");
                assertFalse(it.hasNext());
            }
        });
    }

    @Test
    void next_afterExhaustion_throwsNoSuchElementException() {
        runVc(() -> {
            try (var gen = AsyncGenerator.<Integer>of(y -> y.yield(1))) {
                Iterator<Integer> it = gen.iterator();
                assertEquals(1, it.next());
                assertFalse(it.hasNext());
                assertThrows(NoSuchElementException.class, it::next);
                assertThrows(NoSuchElementException.class, it::next);
            }
        });
    }

    @Test
    void of_nullProducer_throwsNullPointerException() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> AsyncGenerator.of(null));
        assertTrue(String.valueOf(e.getMessage()).contains("producer"), e.getMessage());
    }

    @Test
    void iterator_isTheSameSingleIterator() {
        var gen = AsyncGenerator.<Integer>of(y -> y.yield(1));
        assertSame(gen.iterator(), gen.iterator());
    }

    @Test
    void toString_reflectsTheState() {
        runVc(() -> {
            var gen = AsyncGenerator.<Integer>of(y -> y.yield(1));
            assertTrue(gen.toString().contains("not started"), gen.toString());
            assertTrue(gen.iterator().hasNext());
            assertTrue(gen.toString().contains("suspended"), gen.toString());
            gen.iterator().next();
            assertFalse(gen.iterator().hasNext());
            assertTrue(gen.toString().contains("finished"), gen.toString());
        });
    }

    @Test
    void producerFailingWhileNoConsumerWaits_isThrownByTheNextHasNext() {
        // Regression: a producer ended by its own timeout while parked in yield was taken for
        // a normal end, and the failure was lost.
        List<Integer> got = new ArrayList<>();
        assertThrows(AsyncTimeoutException.class, () -> runVc(() -> {
            try (var gen = AsyncGenerator.<Integer>of(y -> timeout(java.time.Duration.ofMillis(100), () -> {
                y.yield(1);
                y.yield(2);
            }))) {
                for (int x : gen) {
                    got.add(x);
                    sleep(0.5);
                }
            }
        }));
        assertEquals(List.of(1), got);
    }

    @Test
    void producerTaskCancelledInYield_consumerAsksBeforeTheProducerRuns_getsTheCancellationNotAnInvalidState() {
        String seen = runVc(() -> {
            Task<?> self = currentTask();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                    y.yield(1);
                    y.yield(2);
                })) {
                Iterator<Integer> it = gen.iterator();
                assertEquals(1, it.next());
                // the producer's task, parked in yield: cancel it, then ask at once (same step)
                Task<?> producer = allTasks().stream().filter(t -> t != self && !t.isDone()).findFirst().orElseThrow();
                producer.cancel();
                try {
                    it.hasNext();
                    return "no exception";
                } catch (CancelledException e) {
                    return "CancelledException";
                }
            }
        });
        assertEquals("CancelledException", seen);
    }
}
