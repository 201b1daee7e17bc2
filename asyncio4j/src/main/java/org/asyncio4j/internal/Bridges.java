package org.asyncio4j.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.asyncio4j.streams.ClientHandler;
import org.asyncio4j.streams.Connection;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * The facade's and the subprocess package's way to the stream engine, {@link NetEngine}
 * (which reaches the stream types' package-private constructors through
 * {@link NetEngine.Streams}).
 */
public final class Bridges {
    private Bridges() {
    }

    /** What the stream engine provides. */
    public interface Net {
        Connection openConnection(String host, int port, StreamOptions options) throws IOException;

        Connection openUnixConnection(Path path, StreamOptions options) throws IOException;

        Server startServer(ClientHandler handler, String host, int port, StreamOptions options) throws IOException;

        Server startUnixServer(ClientHandler handler, Path path, StreamOptions options) throws IOException;

        StreamReader reader(ByteTransport transport, int limit);

        StreamWriter writer(ByteTransport transport, StreamOptions options);
    }

    /** The stream engine. */
    public static Net net() {
        return NetEngine.ENGINE;
    }
}
