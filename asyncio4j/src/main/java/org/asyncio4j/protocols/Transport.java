package org.asyncio4j.protocols;

import java.nio.ByteBuffer;

/**
 * A bidirectional byte stream under a {@link Protocol} or {@link BufferedProtocol}: TCP, TLS,
 * a Unix-domain socket or a process pipe. Writes never block: what the socket does not take at
 * once is buffered, and the protocol's {@code pauseWriting()} is called when the buffer rises
 * above the high-water mark, {@code resumeWriting()} when it falls to the low-water mark.
 * Loop-confined.
 *
 * <p>Python: {@code asyncio.Transport} (a {@code ReadTransport} and a {@code WriteTransport}).
 */
public interface Transport extends BaseTransport {
    /**
     * Writes the buffer's remaining bytes; what cannot be sent at once is copied into the
     * transport's buffer, so the caller may reuse {@code data} when the call returns.
     *
     * @param data the bytes, from its position to its limit (the position is advanced)
     * @throws IllegalStateException if the transport is closing or {@link #writeEof()} was called
     * @throws NullPointerException  if {@code data} is null
     */
    void write(ByteBuffer data);

    /**
     * Writes the bytes (as {@link #write(ByteBuffer)}).
     *
     * @param data the bytes
     * @throws IllegalStateException if the transport is closing or {@link #writeEof()} was called
     * @throws NullPointerException  if {@code data} is null
     */
    void write(byte[] data);

    /**
     * Writes each array in order, as {@link #write(byte[])} one after another would, with one
     * gathering send where the transport allows it (a plain socket with nothing buffered, up to
     * 16 chunks and 256 KiB: one {@code writev}, as Python 3.12 sends {@code writelines} with
     * {@code sendmsg}). Every chunk is checked before anything is written. A write that fails
     * (a reset peer) closes the transport and drops the chunks after it, without an exception.
     *
     * @param data the chunks
     * @throws IllegalStateException if the transport is closing or {@link #writeEof()} was called
     * @throws NullPointerException  if {@code data} or a chunk is null (then nothing is written)
     */
    void writeLines(Iterable<byte[]> data);

    /**
     * Closes the write side once the buffered output is sent (the peer reads EOF); reading goes
     * on.
     *
     * @throws UnsupportedOperationException if {@link #canWriteEof()} is false (TLS)
     */
    void writeEof();

    /**
     * Whether {@link #writeEof()} is supported: true for plain sockets and pipes, false over TLS.
     *
     * @return whether half-closing works
     */
    boolean canWriteEof();

    /** Stops calling the protocol's receive methods until {@link #resumeReading()}. Idempotent. */
    void pauseReading();

    /** Resumes calling the protocol's receive methods. Idempotent. */
    void resumeReading();

    /**
     * Whether the transport is receiving (not paused and not closing).
     *
     * @return true while reading
     */
    boolean isReading();

    /**
     * Sets the write buffer's water marks.
     *
     * @param high the high-water mark in bytes, at least {@code low}
     * @param low  the low-water mark in bytes, at least 0
     * @throws IllegalArgumentException if {@code low < 0} or {@code high < low}
     */
    void setWriteBufferLimits(int high, int low);

    /**
     * How many bytes wait in the write buffer.
     *
     * @return the buffered byte count
     */
    int getWriteBufferSize();
}
