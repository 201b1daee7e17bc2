package org.asyncio4j.protocols;

import java.nio.ByteBuffer;

/**
 * A stream protocol that supplies the buffer the transport reads into, saving a copy.
 * {@link #getBuffer(int)} is the one method without a default.
 *
 * <p>Python: {@code asyncio.BufferedProtocol}.
 */
public interface BufferedProtocol extends BaseProtocol<Transport> {
    /**
     * The buffer for the next read: the transport fills its remaining space (from position to
     * limit) and then calls {@link #bufferUpdated(int)}.
     *
     * @param sizeHint a suggested size (-1: any), not binding
     * @return a buffer with space remaining
     */
    ByteBuffer getBuffer(int sizeHint);

    /**
     * {@code n} bytes were written into the buffer from {@link #getBuffer(int)}, starting at its
     * position (which is not advanced).
     *
     * @param n how many bytes, at least 1
     */
    default void bufferUpdated(int n) {
    }

    /**
     * The peer closed its write side; as {@link Protocol#eofReceived()}.
     *
     * @return whether to keep the transport open
     */
    default boolean eofReceived() {
        return false;
    }
}
