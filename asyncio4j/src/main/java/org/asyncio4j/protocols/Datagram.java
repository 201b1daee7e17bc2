package org.asyncio4j.protocols;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One received datagram: its payload and its sender.
 *
 * @param data the payload (the array is the record's: not copied)
 * @param from the sender
 */
public record Datagram(byte[] data, InetSocketAddress from) {
    /**
     * @throws NullPointerException if {@code data} or {@code from} is null
     */
    public Datagram {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(from, "from");
    }
}
