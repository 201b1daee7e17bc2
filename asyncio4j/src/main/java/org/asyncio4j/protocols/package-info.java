/**
 * The callback half of asyncio: protocols and transports, datagrams, and the task-style
 * {@link org.asyncio4j.protocols.DatagramEndpoint}.
 *
 * <p>A protocol is an object whose methods the loop calls as things happen on a connection:
 * {@code connectionMade} first, then {@code dataReceived} (or {@code getBuffer}/{@code
 * bufferUpdated}) and {@code eofReceived}, {@code pauseWriting}/{@code resumeWriting} as the
 * write buffer crosses its water marks, and {@code connectionLost} once and last. Callbacks run
 * on the loop's thread, one at a time, never inside a task: a callback must not block or
 * suspend (start a task with {@code loop.createTask} for that). A callback that throws goes to
 * the loop's exception handler, and its transport is closed; the loop goes on.
 *
 * <p>Protocols and streams sit on the same transports: a {@code StreamReader}/{@code
 * StreamWriter} pair and a {@link org.asyncio4j.protocols.Protocol} on the same kind of
 * connection see the same bytes, in the same order, with the same backpressure.
 *
 * <p>Python: {@code asyncio.protocols} and {@code asyncio.transports}.
 */
package org.asyncio4j.protocols;
