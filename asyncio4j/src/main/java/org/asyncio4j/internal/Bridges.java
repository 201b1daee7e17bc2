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
 * Lets the facade and the subprocess package reach the stream engine without public
 * constructors (the JDK's SharedSecrets pattern): the package-private engine of
 * {@code org.asyncio4j.streams} registers itself here when its class initialises.
 */
public final class Bridges {
    private Bridges() {
    }

    /** What org.asyncio4j.streams provides. */
    public interface Net {
        Connection openConnection(String host, int port, StreamOptions options) throws IOException;

        Connection openUnixConnection(Path path, StreamOptions options) throws IOException;

        Server startServer(ClientHandler handler, String host, int port, StreamOptions options) throws IOException;

        Server startUnixServer(ClientHandler handler, Path path, StreamOptions options) throws IOException;

        StreamReader reader(Transport transport, int limit);

        StreamWriter writer(Transport transport, StreamOptions options);
    }

    private static volatile Net net;

    public static void register(Net engine) {
        net = engine;
    }

    public static Net net() {
        Net n = net;
        if (n == null) {
            try {
                Class.forName("org.asyncio4j.streams.NetEngine", true, Bridges.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the stream engine is missing from this build", e);
            }
            n = net;
        }
        return n;
    }
}
