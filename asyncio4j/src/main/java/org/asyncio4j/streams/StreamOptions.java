package org.asyncio4j.streams;

import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * Options for connections and servers: the reader's limit, TLS, and the writer's water marks.
 * Immutable; each {@code with} method returns a copy.
 *
 * <p>Python: the {@code limit} and {@code ssl} arguments of {@code open_connection} and
 * {@code start_server}, and {@code transport.set_write_buffer_limits}.
 */
public final class StreamOptions {
    /** The default read limit: 64 KiB. */
    public static final int DEFAULT_LIMIT = 64 * 1024;
    /** The default high-water mark of the write buffer: 64 KiB. */
    public static final int DEFAULT_HIGH_WATER = 64 * 1024;
    /** The default low-water mark of the write buffer: 16 KiB. */
    public static final int DEFAULT_LOW_WATER = 16 * 1024;
    /**
     * The default listen backlog of servers: 1024 (Python's is 100; a burst of connections
     * beyond the backlog waits for the client's SYN retries, seconds apart, so asyncio4j
     * takes more; the kernel caps it at {@code somaxconn}).
     */
    public static final int DEFAULT_BACKLOG = 1024;

    /** The default TLS handshake timeout: 60 seconds, as Python's {@code ssl_handshake_timeout}. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);

    private static final StreamOptions DEFAULTS = new StreamOptions(DEFAULT_LIMIT, null, DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER, null,
            DEFAULT_BACKLOG, DEFAULT_HANDSHAKE_TIMEOUT);

    private final int limit;
    private final SSLContext ssl;
    private final int highWater;
    private final int lowWater;
    private final String serverName;
    private final int backlog;
    private final Duration handshakeTimeout;

    private StreamOptions(int limit, SSLContext ssl, int highWater, int lowWater, String serverName, int backlog,
            Duration handshakeTimeout) {
        this.limit = limit;
        this.ssl = ssl;
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.serverName = serverName;
        this.backlog = backlog;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * A 64 KiB read limit, no TLS, write buffer marks of 64 KiB and 16 KiB.
     *
     * @return the defaults
     */
    public static StreamOptions defaults() {
        return DEFAULTS;
    }

    /**
     * With another read limit: the most {@code readLine}/{@code readUntil} will buffer looking
     * for a separator.
     *
     * @param limit bytes, at least 1
     * @return a copy with the limit
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public StreamOptions withLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, not " + limit);
        }
        return new StreamOptions(limit, ssl, highWater, lowWater, serverName, backlog, handshakeTimeout);
    }

    /**
     * With TLS: clients verify the server's certificate and host name with this context's trust
     * material; servers present this context's key material.
     *
     * @param ssl the context
     * @return a copy with TLS
     * @throws NullPointerException if {@code ssl} is null
     */
    public StreamOptions withSsl(SSLContext ssl) {
        return new StreamOptions(limit, Objects.requireNonNull(ssl, "ssl"), highWater, lowWater, serverName, backlog, handshakeTimeout);
    }

    /**
     * With a TLS server name for the client to send (SNI) and to verify, instead of the host it
     * connects to.
     *
     * @param serverName the name
     * @return a copy with the name
     * @throws NullPointerException if {@code serverName} is null
     */
    public StreamOptions withServerHostname(String serverName) {
        return new StreamOptions(limit, ssl, highWater, lowWater, Objects.requireNonNull(serverName, "serverName"), backlog, handshakeTimeout);
    }

    /**
     * With other water marks: {@link StreamWriter#drain()} suspends while more than {@code high}
     * bytes wait to be sent, until at most {@code low} do.
     *
     * @param high the high-water mark, in bytes
     * @param low  the low-water mark, in bytes
     * @return a copy with the marks
     * @throws IllegalArgumentException if {@code low} is negative or above {@code high}
     */
    public StreamOptions withWriteBufferLimits(int high, int low) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("write buffer limits need 0 <= low <= high, not high=" + high + " low=" + low);
        }
        return new StreamOptions(limit, ssl, high, low, serverName, backlog, handshakeTimeout);
    }

    /**
     * With another listen backlog for servers: how many connections the kernel queues before
     * the server accepts them.
     *
     * @param backlog the backlog, at least 1
     * @return a copy with the backlog
     * @throws IllegalArgumentException if {@code backlog} is less than 1
     */
    public StreamOptions withBacklog(int backlog) {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, not " + backlog);
        }
        return new StreamOptions(limit, ssl, highWater, lowWater, serverName, backlog, handshakeTimeout);
    }

    /**
     * With another TLS handshake timeout: a peer that has not finished the handshake by then is
     * dropped ({@code SSLHandshakeException}).
     *
     * @param timeout the timeout, positive
     * @return a copy with the timeout
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalArgumentException if it is not positive
     */
    public StreamOptions withSslHandshakeTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive, not " + timeout);
        }
        return new StreamOptions(limit, ssl, highWater, lowWater, serverName, backlog, timeout);
    }

    /**
     * The TLS handshake timeout.
     *
     * @return the timeout
     */
    public Duration sslHandshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * The listen backlog of servers.
     *
     * @return the backlog
     */
    public int backlog() {
        return backlog;
    }

    /**
     * The read limit.
     *
     * @return bytes
     */
    public int limit() {
        return limit;
    }

    /**
     * The TLS context.
     *
     * @return the context, or null without TLS
     */
    public SSLContext ssl() {
        return ssl;
    }

    /**
     * The high-water mark.
     *
     * @return bytes
     */
    public int highWater() {
        return highWater;
    }

    /**
     * The low-water mark.
     *
     * @return bytes
     */
    public int lowWater() {
        return lowWater;
    }

    /**
     * The TLS server name set with {@link #withServerHostname(String)}.
     *
     * @return the name, or null
     */
    public String serverHostname() {
        return serverName;
    }

    @Override
    public String toString() {
        return "StreamOptions[limit=" + limit + ", ssl=" + (ssl != null) + ", writeBuffer=" + lowWater + ".." + highWater + "]";
    }
}
