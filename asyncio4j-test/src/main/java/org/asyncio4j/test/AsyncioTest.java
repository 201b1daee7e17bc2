package org.asyncio4j.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit Jupiter test that runs as the main task of a fresh event loop: the method may
 * {@code sleep}, {@code await}, {@code createTask} and open a {@code TaskGroup} as any task does.
 * The loop runs on an auto-advancing virtual clock by default: whenever every task waits on
 * timers only, time jumps to the next deadline, so {@code sleep(3600)} takes no real time.
 *
 * <pre>{@code
 * @AsyncioTest
 * void ticker_ticksOncePerSecond(TestClock clock) {
 *     List<Double> ticks = new ArrayList<>();
 *     Task<Void> ticker = createTask(() -> {
 *         while (true) {
 *             sleep(1);
 *             ticks.add(clock.time());
 *         }
 *     });
 *     clock.advanceBy(Duration.ofSeconds(3));
 *     assertEquals(List.of(1.0, 2.0, 3.0), ticks);
 *     ticker.cancel();                    // else the test fails: a task left pending
 * }
 * }</pre>
 *
 * <p>Parameters of type {@link TestClock} (manual control of the virtual clock) and
 * {@link org.asyncio4j.EventLoop} (the test's loop) are resolved. After the method returns,
 * the loop runs what is ready (no time passes), then the test fails, with one report naming
 * each finding, if
 * <ul>
 *   <li>tasks are still pending (each with its name and stack; they are then cancelled):
 *       {@link #allowPendingTasks()} permits it;</li>
 *   <li>a future or task failed and nobody read its exception: {@link #allowUnretrievedExceptions()};</li>
 *   <li>an exception reached the loop's exception handler (a failing callback, a task failing in
 *       its cancellation, a slow step in {@link #debug()} mode): {@link #allowHandlerExceptions()};</li>
 *   <li>the test passed its real-time limit, {@link #timeoutSeconds()}: the report lists every
 *       task with its stack at that moment, and the main task is cancelled.</li>
 * </ul>
 * When the method itself fails, its failure is reported, with the findings attached as suppressed
 * exceptions.
 *
 * <p>On a class, the annotation gives every test method of the class (and of its nested classes)
 * these settings, a method's own annotation taking precedence, and runs each method as above,
 * including each invocation of a {@code @ParameterizedTest} or {@code @RepeatedTest}, which
 * must not carry {@code @AsyncioTest} themselves (it is a {@code @Test}). Plain
 * {@code @ExtendWith(AsyncioExtension.class)} on a class does the same with the defaults.
 *
 * <p>Only the test method runs on the loop: {@code @BeforeEach} and {@code @AfterEach} methods
 * run on JUnit's thread, outside it. The method runs on a thread of its own (the loop's), as
 * with JUnit's {@code @Timeout(threadMode = SEPARATE_THREAD)}.
 *
 * <p>Python: pytest-asyncio's {@code @pytest.mark.asyncio}, with trio's {@code MockClock(autojump_threshold=0)}
 * (kotlinx-coroutines-test's {@code runTest}).
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(AsyncioExtension.class)
public @interface AsyncioTest {

    /**
     * Whether the loop runs on the virtual clock (default) or on real time. A {@link TestClock}
     * parameter needs the virtual clock.
     *
     * @return true for the virtual clock
     */
    boolean virtualClock() default true;

    /**
     * Whether tasks still pending when the method returns are cancelled silently instead of
     * failing the test.
     *
     * @return true to permit pending tasks
     */
    boolean allowPendingTasks() default false;

    /**
     * Whether a failed future or task whose exception nobody read is permitted.
     *
     * @return true to permit unread failures
     */
    boolean allowUnretrievedExceptions() default false;

    /**
     * Whether exceptions that reach the loop's exception handler are permitted.
     *
     * @return true to permit them
     */
    boolean allowHandlerExceptions() default false;

    /**
     * The real-time limit in seconds, from the start of the method to the end of the loop's
     * cleanup. Past it, the test fails with every task's stack, and the main task is cancelled.
     *
     * @return the limit, more than 0
     */
    double timeoutSeconds() default 60;

    /**
     * Whether the loop runs in debug mode (a step holding the loop longer than 100 ms is
     * reported to the exception handler, so it fails the test unless
     * {@link #allowHandlerExceptions()}).
     *
     * @return true for debug mode
     */
    boolean debug() default false;
}
