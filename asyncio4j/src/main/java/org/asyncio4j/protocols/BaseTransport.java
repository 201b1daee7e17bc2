package org.asyncio4j.protocols;

/**
 * What every transport offers: closing, and information about what it runs on. Loop-confined:
 * call its methods on the loop's thread (from a protocol callback or a task of that loop). A
 * stream or datagram transport's writes, {@code close}, {@code abort} and reading switches
 * throw {@link IllegalStateException} when called from another thread.
 *
 * <p>Python: {@code asyncio.BaseTransport}.
 */
public interface BaseTransport {
    /**
     * Closes the transport: buffered output is still sent, then the protocol's {@code
     * connectionLost(null)} is called. Idempotent.
     */
    void close();

    /**
     * Closes the transport at once, discarding buffered output (a TCP reset where the transport
     * supports it); the protocol's {@code connectionLost(null)} is still called. Idempotent.
     */
    void abort();

    /**
     * Whether {@link #close()} or {@link #abort()} was called, or the connection was lost.
     *
     * @return true once closing has begun
     */
    boolean isClosing();

    /**
     * Information about the transport: {@code "peername"} and {@code "sockname"} ({@link
     * java.net.SocketAddress}), {@code "socket"} (the {@link java.nio.channels.NetworkChannel}),
     * {@code "sslcontext"} ({@link javax.net.ssl.SSLContext}) and {@code "ssl_object"} ({@link
     * javax.net.ssl.SSLEngine}) over TLS; subprocess transports answer {@code "subprocess"} (the
     * {@link Process}).
     *
     * @param key the name
     * @return the value, or null for a key the transport does not know
     * @throws NullPointerException if {@code key} is null
     */
    Object getExtraInfo(String key);

    /**
     * {@link #getExtraInfo(String)} with a fallback.
     *
     * @param key      the name
     * @param fallback what to return when the transport has no value for {@code key}
     * @return the value, or {@code fallback}
     * @throws NullPointerException if {@code key} is null
     */
    default Object getExtraInfo(String key, Object fallback) {
        Object v = getExtraInfo(key);
        return v != null ? v : fallback;
    }
}
