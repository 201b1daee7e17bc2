package org.asyncio4j.protocols;

import java.util.Objects;

/**
 * What {@code createConnection}, {@code createDatagramEndpoint} and {@code subprocessExec}
 * return: the transport and the protocol the factory made (Python's {@code (transport,
 * protocol)} pair).
 *
 * @param transport the transport
 * @param protocol  the protocol
 * @param <T>       the kind of transport
 * @param <P>       the protocol's type
 */
public record TransportAndProtocol<T extends BaseTransport, P>(T transport, P protocol) {
    /**
     * @throws NullPointerException if either is null
     */
    public TransportAndProtocol {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(protocol, "protocol");
    }
}
