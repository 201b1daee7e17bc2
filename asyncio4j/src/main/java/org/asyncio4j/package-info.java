/**
 * asyncio4j: Python's asyncio for Java 25. Start with {@link org.asyncio4j.Asyncio}.
 *
 * <h2>Guarantees</h2>
 * These are named once here; the rest of the documentation refers to them.
 * <dl>
 *   <dt id="suspension-point">Suspension point</dt>
 *   <dd>A call where a task may give the loop up: every asyncio4j method that waits
 *       ({@code await}, {@code sleep}, {@code gather}, {@code wait}, {@code waitFor},
 *       {@code toThread}, {@code TaskGroup.close}, ...) and every JDK blocking call
 *       ({@code Thread.sleep}, {@code java.util.concurrent} waits, {@code Object.wait}, socket
 *       I/O, contended {@code synchronized}). Between two suspension points a task's code runs
 *       without interleaving with any other task of its loop: it is atomic with respect to
 *       them, exactly as code between two {@code await}s in Python.</dd>
 *   <dt id="loop-confinement">Loop confinement</dt>
 *   <dd>A loop's state (its queues, timers, futures, tasks) is touched only by the loop's
 *       owner thread and the tasks it carries. While the loop runs, the owner is the thread
 *       running it; while it is idle, the thread that created it or last ran it (running an
 *       idle loop makes a thread its owner; when the owner thread has ended, the next thread
 *       that uses the loop becomes it). Other threads enter through
 *       {@link org.asyncio4j.EventLoop#callSoonThreadsafe}, {@link org.asyncio4j.EventLoop#execute}
 *       and {@link org.asyncio4j.Asyncio#runCoroutineThreadsafe}, whether the loop runs or
 *       not: their {@code cancel()} of a task, future or handle is forwarded to the loop and
 *       takes effect when it next runs (it returns whether the target was pending when called),
 *       and a confined method called from another thread throws
 *       {@link java.lang.IllegalStateException} instead of corrupting anything.</dd>
 *   <dt id="fifo">FIFO</dt>
 *   <dd>Callbacks run in the order they were scheduled (timers due at the same time included),
 *       and the tasks awaiting one future resume in the order they started waiting.</dd>
 *   <dt id="cancellation">Cancellation</dt>
 *   <dd>{@link org.asyncio4j.Task#cancel(String)} is delivered once, as a
 *       {@link org.asyncio4j.CancelledException}, at the task's current or next suspension point
 *       (inside a JDK blocking call, as that call's interruption). Cancelling a task cancels the
 *       future it awaits (a task cancelled while it runs: the next future it awaits, as Python's
 *       {@code Task.__step} does), unless {@link org.asyncio4j.Asyncio#shield shield} protects
 *       it.</dd>
 *   <dt id="structured-concurrency">Structured concurrency</dt>
 *   <dd>A {@link org.asyncio4j.TaskGroup}'s statement, in either form, ends only when every child
 *       it created is done, whatever ends it (nested groups included); every child failure that
 *       is not a cancellation caused by the group reaches the code after the statement; and
 *       library cleanup treats a try-form group's interruption of its body exactly as a
 *       cancellation. The class comment of {@code TaskGroup} states the rules in full.</dd>
 *   <dt id="ownership">Ownership</dt>
 *   <dd>The loop holds every live task strongly: a task nobody references still runs to
 *       completion. A failure in a task or callback reaches its awaiter or the loop's exception
 *       handler, never the loop itself, which keeps running.</dd>
 *   <dt id="clean-exit">Clean exit</dt>
 *   <dd>{@link org.asyncio4j.Asyncio#run} leaves nothing behind: every other task cancelled and
 *       finished, the default executor shut down, the loop closed, every exception nobody
 *       retrieved reported. The one exception is a task that refuses to end (it keeps catching
 *       its cancellation): after the shutdown timeout
 *       ({@link org.asyncio4j.RunOptions#withShutdownTimeout}, 5 seconds of loop time by
 *       default) it is reported with its name and stack, and left behind, parked.</dd>
 * </dl>
 *
 * <h2>Virtual threads started inside a task</h2>
 * A virtual thread inherits its creator's scheduler, so one started inside a task
 * ({@code Thread.ofVirtual().start(...)}, {@code Executors.newVirtualThreadPerTaskExecutor()})
 * runs on the task's loop thread, interleaved cooperatively with the tasks (it never runs in
 * parallel with them). It is not a {@link org.asyncio4j.Task}: {@code currentTask()} is null in
 * it, {@code allTasks()} does not list it, it cannot be cancelled, and {@code run} neither waits
 * for it nor cancels it; if it is still running when the loop closes, it finishes on a fallback
 * platform thread. It may await asyncio4j futures of its loop. Prefer {@code createTask}.
 *
 * <h2>What still blocks the loop</h2>
 * Calls that block the carrier thread itself stall every task of the loop: file I/O, DNS
 * lookups, {@code Process} pipe streams, native code, long computations, and parks while a task
 * is pinned (inside a class initialiser or a native frame; the JDK reports those as the JFR event
 * {@code jdk.VirtualThreadPinned}). Run such code with {@link org.asyncio4j.Asyncio#toThread}.
 * Debug mode reports any step that holds the loop longer than 100 ms.
 */
package org.asyncio4j;
