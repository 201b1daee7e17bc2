package org.asyncio4j.protocols;

import java.nio.ByteBuffer;

/**
 * A stream protocol that receives data as the transport reads it.
 *
 * <p>Python: {@code asyncio.Protocol}.
 */
public interface Protocol extends BaseProtocol<Transport> {
    /**
     * Bytes arrived. The buffer is the transport's and valid only during the call: copy what
     * you keep.
     *
     * @param data the bytes, from position to limit
     */
    default void dataReceived(ByteBuffer data) {
    }

    /**
     * The peer closed its write side. Return true to keep the connection open for writing
     * (then close it yourself); false (the default) closes the transport.
     *
     * @return whether to keep the transport open
     */
    default boolean eofReceived() {
        return false;
    }
}
