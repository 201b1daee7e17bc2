package org.asyncio4j.protocols;

/**
 * The callbacks every protocol receives, typed by the transport it runs on. Every method has an
 * empty default: implement what you need. The loop calls them on its thread, one at a time:
 * {@link #connectionMade} first, {@link #connectionLost} once and last.
 *
 * <p>Python: {@code asyncio.BaseProtocol}.
 *
 * @param <T> the kind of transport
 */
public interface BaseProtocol<T extends BaseTransport> {
    /**
     * The connection is ready; the transport is the protocol's from now on.
     *
     * @param transport the transport
     */
    default void connectionMade(T transport) {
    }

    /**
     * The connection is closed: after {@code close()}, {@code abort()}, or the peer's EOF
     * (when {@code eofReceived} did not keep it open) with null, after a failure with the
     * exception. Called once, last.
     *
     * @param failure the failure, or null
     */
    default void connectionLost(Exception failure) {
    }

    /** The transport's write buffer rose above its high-water mark: stop writing. */
    default void pauseWriting() {
    }

    /** The transport's write buffer fell to its low-water mark: writing may go on. */
    default void resumeWriting() {
    }
}
