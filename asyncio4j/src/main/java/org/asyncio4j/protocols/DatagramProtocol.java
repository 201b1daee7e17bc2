package org.asyncio4j.protocols;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP protocol.
 *
 * <p>Python: {@code asyncio.DatagramProtocol}.
 */
public interface DatagramProtocol extends BaseProtocol<DatagramTransport> {
    /**
     * A datagram arrived. The buffer is the transport's and valid only during the call.
     *
     * @param data the payload, from position to limit
     * @param from the sender
     */
    default void datagramReceived(ByteBuffer data, InetSocketAddress from) {
    }

    /**
     * A send or receive failed (an ICMP "port unreachable" on a connected endpoint, say); the
     * transport stays open.
     *
     * @param error the failure
     */
    default void errorReceived(Exception error) {
    }
}
