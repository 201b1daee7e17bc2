package org.asyncio4j.protocols;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP endpoint under a {@link DatagramProtocol}. Sends never block: a datagram the socket
 * cannot take at once is queued (copied) and sent in order. Loop-confined.
 *
 * <p>Python: {@code asyncio.DatagramTransport}.
 */
public interface DatagramTransport extends BaseTransport {
    /**
     * Sends one datagram, the buffer's remaining bytes, to {@code to}.
     *
     * @param data the payload (the position is advanced)
     * @param to   the destination; null on a connected endpoint means its remote address
     * @throws IllegalStateException    if the transport is closing
     * @throws IllegalArgumentException if the endpoint is connected and {@code to} is another
     *                                  address, or it is not connected and {@code to} is null,
     *                                  or the datagram is larger than a UDP datagram can be
     * @throws NullPointerException     if {@code data} is null
     */
    void sendTo(ByteBuffer data, InetSocketAddress to);

    /**
     * Sends one datagram to {@code to} (as {@link #sendTo(ByteBuffer, InetSocketAddress)}).
     *
     * @param data the payload
     * @param to   the destination
     * @throws IllegalStateException    if the transport is closing
     * @throws IllegalArgumentException as {@link #sendTo(ByteBuffer, InetSocketAddress)}
     * @throws NullPointerException     if {@code data} is null
     */
    void sendTo(byte[] data, InetSocketAddress to);

    /**
     * Sends one datagram to the connected remote address.
     *
     * @param data the payload (the position is advanced)
     * @throws IllegalStateException    if the transport is closing or not connected
     * @throws IllegalArgumentException if the datagram is larger than a UDP datagram can be
     * @throws NullPointerException     if {@code data} is null
     */
    void send(ByteBuffer data);

    /**
     * Sends one datagram to the connected remote address.
     *
     * @param data the payload
     * @throws IllegalStateException    if the transport is closing or not connected
     * @throws IllegalArgumentException if the datagram is larger than a UDP datagram can be
     * @throws NullPointerException     if {@code data} is null
     */
    void send(byte[] data);

    /**
     * How many bytes wait in the send queue.
     *
     * @return the queued byte count
     */
    int getWriteBufferSize();
}
