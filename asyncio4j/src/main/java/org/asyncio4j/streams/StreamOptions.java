package org.asyncio4j.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;

import org.asyncio4j.internal.Structured;
import org.asyncio4j.internal.TaskImpl;
import org.asyncio4j.internal.TlsMaterial;

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
            DEFAULT_BACKLOG, DEFAULT_HANDSHAKE_TIMEOUT, Extras.NONE);

    private final int limit;
    private final SSLContext ssl;
    private final int highWater;
    private final int lowWater;
    private final String serverName;
    private final int backlog;
    private final Duration handshakeTimeout;
    private final Extras x;

    /** The options added with issue 13, in one value so each with-method passes them on whole. */
    private record Extras(Duration connectTimeout, Duration happyEyeballsDelay, TlsMaterial tls) {
        static final Extras NONE = new Extras(null, null, null);
    }

    private StreamOptions(int limit, SSLContext ssl, int highWater, int lowWater, String serverName, int backlog,
            Duration handshakeTimeout, Extras x) {
        this.limit = limit;
        this.ssl = ssl;
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.serverName = serverName;
        this.backlog = backlog;
        this.handshakeTimeout = handshakeTimeout;
        this.x = x;
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
        return new StreamOptions(limit, ssl, highWater, lowWater, serverName, backlog, handshakeTimeout, x);
    }

    /**
     * With TLS: clients verify the server's certificate and host name with this context's trust
     * material; servers present this context's key material. Replaces what {@link #withTls()}
     * and the other TLS conveniences named.
     *
     * @param ssl the context
     * @return a copy with TLS
     * @throws NullPointerException if {@code ssl} is null
     */
    public StreamOptions withSsl(SSLContext ssl) {
        return new StreamOptions(limit, Objects.requireNonNull(ssl, "ssl"), highWater, lowWater, serverName, backlog, handshakeTimeout,
                new Extras(x.connectTimeout(), x.happyEyeballsDelay(), null));
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
        return new StreamOptions(limit, ssl, highWater, lowWater, Objects.requireNonNull(serverName, "serverName"), backlog, handshakeTimeout, x);
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
        return new StreamOptions(limit, ssl, high, low, serverName, backlog, handshakeTimeout, x);
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
        return new StreamOptions(limit, ssl, highWater, lowWater, serverName, backlog, handshakeTimeout, x);
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
        return new StreamOptions(limit, ssl, highWater, lowWater, serverName, backlog, timeout, x);
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
     * The TLS context: the one given to {@link #withSsl(SSLContext)}, or the one built from what
     * {@link #withTls()} and the other TLS conveniences named. That one is built on the first
     * call (its files are read then; inside a task, on the default executor while the task
     * waits) and kept by this options object and its copies.
     *
     * @return the context, or null without TLS
     * @throws UncheckedIOException     if a named file cannot be read, or a store's password is
     *                                  wrong (the connect and server calls throw its
     *                                  {@code IOException} instead)
     * @throws IllegalArgumentException if a named file holds no usable certificate, key or store,
     *                                  or the key is not the certificate's
     */
    public SSLContext ssl() {
        if (ssl != null || x.tls() == null) {
            return ssl;
        }
        SSLContext built = x.tls().ifBuilt();
        if (built != null) {
            return built;
        }
        try {
            if (TaskImpl.current() != null) {
                return Structured.toThread(x.tls()::context);      // file reads and key derivation: off the loop
            }
            return x.tls().context();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            throw e;
        }
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

    // ------------------------------------------------------------------ TLS conveniences (issue 13)

    private StreamOptions withTlsMaterial(TlsMaterial m) {
        return new StreamOptions(limit, null, highWater, lowWater, serverName, backlog, handshakeTimeout,
                new Extras(x.connectTimeout(), x.happyEyeballsDelay(), m));
    }

    private TlsMaterial material() {
        return x.tls() != null ? x.tls() : TlsMaterial.DEFAULT;
    }

    /**
     * With TLS and the JDK's default trust (its {@code cacerts}, or the
     * {@code javax.net.ssl.trustStore} property): what a client needs to reach a public server.
     * The client verifies the server's certificate and its host name (the host it connects to,
     * or {@link #withServerHostname(String)}). Python: {@code ssl=True}, i.e.
     * {@code ssl.create_default_context()}. Replaces a context given to {@link #withSsl(SSLContext)};
     * keeps the trust and certificate named by the other TLS methods. The context is built once,
     * when first needed ({@link #ssl()}).
     *
     * @return a copy with TLS
     */
    public StreamOptions withTls() {
        return withTlsMaterial(material());
    }

    /**
     * With TLS trusting the CA certificates of a PEM file (instead of the JDK's default trust;
     * several calls add several files; Python's {@code cafile}). Turns TLS on.
     *
     * @param pemFile a file of {@code -----BEGIN CERTIFICATE-----} blocks
     * @return a copy with TLS and that trust
     * @throws NullPointerException if {@code pemFile} is null
     */
    public StreamOptions withCaFile(java.nio.file.Path pemFile) {
        return withTlsMaterial(material().withCaFile(pemFile));
    }

    /**
     * With TLS trusting the certificates of a PKCS12 or JKS trust store (instead of the JDK's
     * default trust; added to any {@link #withCaFile(java.nio.file.Path)}). Turns TLS on.
     *
     * @param trustStore the store file
     * @param password   its password (null: none; copied)
     * @return a copy with TLS and that trust
     * @throws NullPointerException if {@code trustStore} is null
     */
    public StreamOptions withTrustStore(java.nio.file.Path trustStore, char[] password) {
        return withTlsMaterial(material().withTrustStore(trustStore, password));
    }

    /**
     * With TLS presenting this certificate: a server's own certificate, or a client's for mutual
     * TLS (Python's {@code load_cert_chain(certfile, keyfile)}). Turns TLS on.
     *
     * @param certChainPem  a PEM file with the certificate first, then any intermediates
     * @param privateKeyPem a PEM file with its unencrypted PKCS#8 key ({@code -----BEGIN PRIVATE
     *                      KEY-----}; RSA, EC or EdDSA)
     * @return a copy with TLS and that certificate
     * @throws NullPointerException if an argument is null
     */
    public StreamOptions withCertificate(java.nio.file.Path certChainPem, java.nio.file.Path privateKeyPem) {
        return withTlsMaterial(material().withCertificate(certChainPem, privateKeyPem));
    }

    /**
     * With TLS presenting the key and certificate of a PKCS12 or JKS key store (the key's
     * password is the store's), as {@link #withCertificate} does for PEM files. Turns TLS on.
     *
     * @param keyStore the store file
     * @param password its password (copied)
     * @return a copy with TLS and that certificate
     * @throws NullPointerException if an argument is null
     */
    public StreamOptions withKeyStore(java.nio.file.Path keyStore, char[] password) {
        return withTlsMaterial(material().withKeyStore(keyStore, password));
    }

    /**
     * With a bound on connecting (Python's {@code asyncio.wait_for} around {@code
     * open_connection}, Java's {@code Socket.connect(address, timeout)}): a connect that has
     * not succeeded within {@code timeout}, name resolution and every address tried included,
     * ends with {@link java.net.SocketTimeoutException}, and every socket it opened is closed.
     * The TLS handshake is bounded apart, by {@link #withSslHandshakeTimeout(Duration)}.
     *
     * @param timeout the timeout, positive
     * @return a copy with the timeout
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalArgumentException if it is not positive
     */
    public StreamOptions withConnectTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive, not " + timeout);
        }
        return new StreamOptions(limit, ssl, highWater, lowWater, serverName, backlog, handshakeTimeout,
                new Extras(timeout, x.happyEyeballsDelay(), x.tls()));
    }

    /**
     * With Happy Eyeballs (RFC 8305; Python's {@code happy_eyeballs_delay}): when a host has
     * several addresses, the attempt on the next one starts after {@code delay} while the
     * earlier ones go on (at once when one fails); the first to connect wins and the others are
     * closed. The addresses are interleaved by family, IPv6 and IPv4 alternating from the first
     * one's family (Python's {@code interleave=1}). Without it, addresses are tried one after
     * the other. Python's recommended delay is 250 ms.
     *
     * @param delay the delay between attempts, not negative
     * @return a copy with the delay
     * @throws NullPointerException     if {@code delay} is null
     * @throws IllegalArgumentException if it is negative
     */
    public StreamOptions withHappyEyeballsDelay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("happy eyeballs delay must not be negative, not " + delay);
        }
        return new StreamOptions(limit, ssl, highWater, lowWater, serverName, backlog, handshakeTimeout,
                new Extras(x.connectTimeout(), delay, x.tls()));
    }

    /**
     * The connect timeout.
     *
     * @return the timeout, or null for none
     */
    public Duration connectTimeout() {
        return x.connectTimeout();
    }

    /**
     * The Happy Eyeballs delay.
     *
     * @return the delay, or null when addresses are tried one after the other
     */
    public Duration happyEyeballsDelay() {
        return x.happyEyeballsDelay();
    }

    @Override
    public String toString() {
        return "StreamOptions[limit=" + limit + ", ssl=" + (ssl != null || x.tls() != null) + ", writeBuffer=" + lowWater + ".." + highWater + "]";
    }
}
