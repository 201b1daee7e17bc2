package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.ExceptionContext;
import org.asyncio4j.ThrowingRunnable;
import org.asyncio4j.streams.ClientHandler;
import org.asyncio4j.streams.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HttpServer example treats a client that drops its connection as routine: a reset, a
 * broken pipe or an EOF in the middle of a request closes that connection and reports nothing
 * to the loop's exception handler, while a bug in a route still reaches it. Each case runs ten
 * clients at once on the server's loop (blocking sockets, cooperative inside tasks), port 0.
 */
@Timeout(30)
class HttpServerTest {
    private static final int CLIENTS = 10;

    /** What the server under test runs for each connection. */
    private static ClientHandler example() {
        return HttpServer.handler(HttpServer::route);
    }

    @Test
    void resetAfterAResponse_onAKeepAliveConnection_isNotReported() {
        assertNothingReported(port -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET / HTTP/1.1\r\nHost: test\r\n\r\n");
                assertTrue(readResponse(s.getInputStream()).startsWith("HTTP/1.1 200 OK"));
                s.setSoLinger(true, 0);                // close() now sends RST, as wrk does
            }
        });
    }

    @Test
    void resetBeforeTheResponseIsWritten_isNotReported() {
        assertNothingReported(port -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET /slow HTTP/1.1\r\nHost: test\r\n\r\n");
                s.setSoLinger(true, 0);                // gone before the answer, one second later
            }
        });
    }

    @Test
    void eofInsideTheHeaders_closesWithoutAnAnswer_andIsNotReported() {
        assertNothingReported(port -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET / HTTP/1.1\r\nHost: te");
                s.shutdownOutput();
                assertEquals("", new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
            }
        });
    }

    @Test
    void eofInsideTheBody_isNotReported() {
        assertNothingReported(port -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nonly ten b");
                s.shutdownOutput();
                s.getInputStream().readAllBytes();
            }
        });
    }

    @Test
    void aRouteThatFails_isReportedToTheLoop_andTheConnectionCloses() {
        ClientHandler failing = HttpServer.handler((method, path) -> {
            throw new IllegalStateException("a bug in the route for " + path);
        });
        List<ExceptionContext> reports = serveClients(failing, port -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET /x HTTP/1.1\r\nHost: test\r\n\r\n");
                s.getInputStream().readAllBytes();     // returns: the server closed the connection
            }
        });
        assertEquals(CLIENTS, reports.size(), () -> reports.toString());
        for (ExceptionContext r : reports) {
            assertInstanceOf(IllegalStateException.class, r.exception());
            assertEquals("a bug in the route for /x", r.exception().getMessage());
        }
    }

    @Test
    void aMalformedRequest_getsA400() {
        assertNothingReported(port -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET / HTTP/1.1\r\nContent-Length: many\r\n\r\n");
                assertTrue(readResponse(s.getInputStream()).startsWith("HTTP/1.1 400 Bad Request"));
            }
        });
    }

    @Test
    void onALoopGroup_everyLoopServes_andEveryRequestIsAnswered() throws Exception {
        try (var group = org.asyncio4j.LoopGroup.create(2)) {
            Server server = group.startServer(example(), "127.0.0.1", 0);
            List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int id = i;
                clients.add(Thread.ofPlatform().start(() -> {
                    try (Socket s = new Socket("127.0.0.1", server.port())) {
                        for (int k = 0; k < 3; k++) {                 // keep-alive: three requests
                            send(s, "GET /hello?name=c" + id + " HTTP/1.1\r\nHost: x\r\n\r\n");
                            answers.add(readResponse(s.getInputStream()));
                        }
                    } catch (IOException e) {
                        answers.add("failed: " + e);
                    }
                }));
            }
            for (Thread t : clients) {
                t.join(20_000);
            }
            assertEquals(60, answers.size());
            for (String a : answers) {
                assertTrue(a.startsWith("HTTP/1.1 200 OK") && a.contains("hello, c"), a);
            }
            server.close();
            group.run(server::waitClosed);
        }
    }

    /** Runs the clients against the example's server; nothing may reach the loop's exception handler. */
    private static void assertNothingReported(Client client) {
        assertEquals(List.of(), serveClients(example(), client));
    }

    /** A client's work against a server on {@code port}. */
    private interface Client {
        void run(int port) throws Exception;
    }

    /**
     * Runs {@link #CLIENTS} copies of {@code client} against a server running {@code handler},
     * waits until the server has closed every connection, and returns what reached the loop's
     * exception handler meanwhile.
     */
    private static List<ExceptionContext> serveClients(ClientHandler handler, Client client) {
        List<ExceptionContext> reports = new ArrayList<>();
        run(() -> {
            getRunningLoop().setExceptionHandler((loop, context) -> reports.add(context));
            Server server = startServer(handler, "127.0.0.1", 0);
            try {
                List<org.asyncio4j.Task<Void>> clients = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    ThrowingRunnable one = () -> client.run(server.port());
                    clients.add(createTask(one));
                }
                gather(clients);
                double deadline = getRunningLoop().time() + 10;
                while (server.clientCount() > 0 && getRunningLoop().time() < deadline) {
                    sleep(0.01);
                }
                assertEquals(0, server.clientCount(), "connections the server left open");
                sleep(0.05);                           // a report made as a connection closes
            } finally {
                server.close();
            }
        });
        return reports;
    }

    static void send(Socket s, String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** One response: its head, then as many body bytes as its Content-Length says. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("EOF in the response head: " + head);
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
