package org.asyncio4j;

/**
 * How a JVM's event loops carry their tasks ({@link Asyncio#carrierMode()}), chosen once per
 * JVM: {@link #FAST} wherever {@code java.lang} is open to asyncio4j, else {@link #PORTABLE};
 * {@code -Dasyncio4j.carrier=fast} or {@code -Dasyncio4j.carrier=portable} forces one (an
 * unavailable or unknown mode makes every loop creation fail with an
 * {@link IllegalStateException} naming the fix).
 *
 * <p>Both modes run one task of a loop at a time, each from one suspension point to the next,
 * so asyncio's atomicity between suspension points holds, and every API behaves the same. They
 * differ where a task blocks in the JDK instead of in asyncio4j, and in cost:
 *
 * <table>
 *   <caption>The two modes</caption>
 *   <tr><th></th><th>{@code FAST}</th><th>{@code PORTABLE}</th></tr>
 *   <tr><td>needs</td><td>{@code --add-opens java.base/java.lang=ALL-UNNAMED}
 *       ({@code =org.asyncio4j} on the module path)</td><td>nothing</td></tr>
 *   <tr><td>a task's thread</td><td>a virtual thread carried by the loop's thread</td>
 *       <td>a virtual thread of the JDK's default scheduler, given the loop's turn for each step</td></tr>
 *   <tr><td>a blocking JDK call inside a task ({@code Thread.sleep}, a socket read, a
 *       {@code BlockingQueue}, a JDBC query)</td><td>parks the task; the loop runs the others</td>
 *       <td>holds up the loop's other tasks until it returns, as a blocking call does in Python
 *       (debug mode reports it as a slow step); a cancellation, a timeout or a
 *       {@code cancellable} hook reaches the task only when the call has returned</td></tr>
 *   <tr><td>a virtual thread started inside a task</td><td>carried by the loop too (it may
 *       {@code await} the loop's futures)</td><td>a plain virtual thread, foreign to the loop: it
 *       reaches the loop through {@code callSoonThreadsafe} and {@code Future.get()}</td></tr>
 *   <tr><td>a switch between tasks</td><td>a continuation yield and resume on the loop's thread</td>
 *       <td>two thread hand-offs (a park and an unpark each way): several times dearer</td></tr>
 * </table>
 *
 * <p>Python has one mode; {@code PORTABLE} is how asyncio itself treats a blocking call in a
 * coroutine.
 */
public enum CarrierMode {
    /** Tasks are virtual threads whose scheduler is their loop: blocking JDK calls inside tasks are cooperative. */
    FAST,
    /** Tasks are virtual threads of the JDK's default scheduler taking turns on their loop: blocking JDK calls hold the loop up. */
    PORTABLE
}
