package org.asyncio4j.streams;

/**
 * Serves one client of a {@link Server}; runs as a new task per connection. An exception it
 * throws goes to the loop's exception handler and closes that connection gracefully (what the
 * handler wrote is flushed, then the peer reads EOF, as in asyncio); a cancelled handler's
 * connection is closed the same way. The server goes on.
 *
 * <p>Python: the {@code client_connected_cb} of {@code asyncio.start_server}.
 */
@FunctionalInterface
public interface ClientHandler {
    /**
     * Serves a client.
     *
     * @param reader what the client sends
     * @param writer what to send back
     * @throws Exception anything; it ends this connection only
     */
    void handle(StreamReader reader, StreamWriter writer) throws Exception;
}
