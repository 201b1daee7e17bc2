package org.asyncio4j.streams;

import java.util.Objects;

/**
 * The two ends of an open connection, from {@code Asyncio.openConnection}.
 *
 * <p>Python: the {@code (reader, writer)} pair of {@code asyncio.open_connection}.
 *
 * @param reader what the peer sends
 * @param writer what to send to the peer
 */
public record Connection(StreamReader reader, StreamWriter writer) {
    /**
     * The pair.
     *
     * @throws NullPointerException if either is null
     */
    public Connection {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(writer, "writer");
    }
}
