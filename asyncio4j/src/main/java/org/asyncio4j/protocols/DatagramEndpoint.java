package org.asyncio4j.protocols;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A UDP endpoint for tasks: {@link #receive()} suspends until a datagram arrives, {@link
 * #send(byte[], InetSocketAddress)} queues one without blocking (and suspends only while the
 * send queue is above its high-water mark). Made by {@code Asyncio.openDatagramEndpoint}; it
 * runs on a {@link DatagramTransport} under a protocol of its own. Loop-confined: use it from
 * tasks of the loop that opened it.
 *
 * <p>Received datagrams wait in a queue of at most 1,024 datagrams (or 4 MiB of payload);
 * while it is full the endpoint stops reading its socket, so what arrives meanwhile waits in
 * the kernel's receive buffer, and beyond that the kernel drops it, as UDP does. A send or
 * receive failure reported by the OS (a {@code PortUnreachableException} on a connected
 * endpoint whose peer is gone, say) is queued in order with the datagrams: the {@code
 * receive()} that reaches it throws it, and the endpoint stays open.
 *
 * <p>Python has no such type (its {@code DatagramProtocol} is callback-only); this is the
 * datagram twin of a stream pair.
 */
public interface DatagramEndpoint extends AutoCloseable {
    /**
     * Suspends until a datagram (or a reported failure) is queued and takes it. Cancellation
     * safe: a receive cancelled while it waits takes nothing, so no datagram is lost; the next
     * waiter gets it.
     *
     * @return the datagram, its payload a fresh array
     * @throws java.nio.channels.ClosedChannelException once the endpoint is closed (datagrams
     *                                                  still queued are discarded by close)
     * @throws IOException                              a send or receive failure the OS
     *                                                  reported (the endpoint stays open)
     * @throws IllegalStateException                    outside a task of the endpoint's loop
     */
    Datagram receive() throws IOException;

    /**
     * Sends one datagram to {@code to}: it goes to the socket at once, or is queued in order
     * when the socket is full; the call suspends while the queue is above the high-water mark
     * (64 KiB) and returns once it is at the low-water mark (16 KiB).
     *
     * @param data the payload (copied if it must wait)
     * @param to   the destination; on a connected endpoint null or the remote address
     * @throws java.nio.channels.ClosedChannelException if the endpoint is closed
     * @throws IOException                              if it is closed while the call waits
     * @throws IllegalArgumentException                 if the datagram is larger than UDP
     *                                                  allows (65,507 bytes over IPv4, 65,527
     *                                                  over IPv6), {@code to} is another
     *                                                  address than a connected endpoint's
     *                                                  remote, or {@code to} is null or
     *                                                  unresolved on an unconnected endpoint
     * @throws NullPointerException                     if {@code data} is null
     * @throws IllegalStateException                    if it must wait outside a task
     */
    void send(byte[] data, InetSocketAddress to) throws IOException;

    /**
     * Sends one datagram to the connected remote address, as {@link #send(byte[],
     * InetSocketAddress)}.
     *
     * @param data the payload
     * @throws java.nio.channels.ClosedChannelException if the endpoint is closed
     * @throws IOException                              if it is closed while the call waits
     * @throws IllegalStateException                    if the endpoint is not connected
     * @throws IllegalArgumentException                 if the datagram is larger than UDP allows
     * @throws NullPointerException                     if {@code data} is null
     */
    void send(byte[] data) throws IOException;

    /**
     * The address the socket is bound to (with the port the OS chose for port 0).
     *
     * @return the local address
     */
    InetSocketAddress localAddress();

    /**
     * The remote address of a connected endpoint.
     *
     * @return the remote address, or null if the endpoint is not connected
     */
    InetSocketAddress remoteAddress();

    /**
     * Whether {@link #close()} was called or the transport was lost.
     *
     * @return true once closed
     */
    boolean isClosed();

    /**
     * Closes the endpoint: datagrams already queued for sending are still sent, then the socket
     * is closed; waiting and later {@link #receive()} calls throw {@code ClosedChannelException}.
     * Idempotent; throws nothing.
     */
    @Override
    void close();
}
