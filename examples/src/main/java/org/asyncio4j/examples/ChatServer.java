package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.asyncio4j.CancelledException;
import org.asyncio4j.streams.LimitOverrunException;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * A line-based chat room: every line a client sends goes to every other client. Join with
 * {@code nc 127.0.0.1 8889} (or {@code telnet}) from several terminals; type {@code /nick NAME}
 * to rename yourself, {@code /who} to list the room, {@code /quit} to leave.
 *
 * <p>No locks: the room is a plain map, safe because all clients' tasks run on one loop and a
 * task is only interrupted where it suspends. A client that stops reading does not slow the
 * others: each message to it waits in its writer, and a client more than 1 MiB behind is
 * dropped.
 *
 * <p>Ctrl-C stops it cleanly: each member's task ends (the others hear that it left), the
 * server prints its last line, and the JVM ends with status 130.
 *
 * <p>Arguments: {@code [port]} (default 8889).
 */
public final class ChatServer {
    private static final long MAX_BACKLOG = 1 << 20;
    private final Map<StreamWriter, String> room = new LinkedHashMap<>();
    private int guests;

    void handle(StreamReader reader, StreamWriter writer) throws IOException {
        String name = "guest" + (++guests);
        room.put(writer, name);
        send(writer, "* welcome, " + name + " (" + (room.size() - 1) + " others here; /nick NAME, /who, /quit)");
        broadcast(writer, "* " + name + " joined");
        try {
            while (true) {
                byte[] raw;
                try {
                    raw = reader.readLine();
                } catch (LimitOverrunException e) {
                    send(writer, "* line too long, dropped");
                    continue;
                }
                if (raw.length == 0) {
                    break;                                   // the client left
                }
                String line = new String(raw, StandardCharsets.UTF_8).strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.equals("/quit")) {
                    break;
                } else if (line.equals("/who")) {
                    send(writer, "* here: " + String.join(", ", room.values()));
                } else if (line.startsWith("/nick ")) {
                    String old = name;
                    name = line.substring(6).strip();
                    room.put(writer, name);
                    broadcast(null, "* " + old + " is now " + name);
                } else {
                    broadcast(writer, name + ": " + line);
                }
            }
        } finally {
            room.remove(writer);
            broadcast(null, "* " + name + " left");
            writer.close();
        }
    }

    private void broadcast(StreamWriter from, String message) {
        for (StreamWriter w : room.keySet().toArray(new StreamWriter[0])) {
            if (w != from) {
                try {
                    send(w, message);
                } catch (IOException gone) {
                    room.remove(w);
                }
            }
        }
    }

    private void send(StreamWriter w, String message) throws IOException {
        if (w.bufferSize() > MAX_BACKLOG) {
            room.remove(w);
            w.abort();                                       // too far behind: drop it
            return;
        }
        w.write((message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8889;
        ChatServer chat = new ChatServer();
        try {
            run(() -> {
                var server = startServer(chat::handle, "127.0.0.1", port);
                System.out.println("chat server on 127.0.0.1:" + server.port() + ": join with  nc 127.0.0.1 " + server.port());
                try (server) {
                    sleep(Double.POSITIVE_INFINITY);  // until Ctrl-C (see EchoServer for why not serveForever)
                }
            });
        } catch (CancelledException e) {
            System.out.println("chat server stopped");
            System.exit(130);
        }
    }
}
