package org.asyncio4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ctrl+C stops the example servers cleanly: each runs in its own JVM on a free port, a client
 * connects, the JVM receives SIGINT from {@code kill}, and every connection's cleanup runs (the
 * client sees its connection closed, the server prints its lines), the server prints its closing
 * line and the JVM ends with status 130, as a shell expects after Ctrl+C.
 */
@Timeout(90)
class CtrlCTest {

    /** An example's JVM: its output lines arrive in {@code lines}. */
    private record Example(Process process, LinkedBlockingQueue<String> lines, List<String> seen) implements AutoCloseable {

        static Example start(Class<?> main, String... more) throws IOException {
            String java = ProcessHandle.current().info().command().orElseThrow();
            List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), main.getName(), "0"));
            cmd.addAll(List.of(more));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Example e = new Example(p, new LinkedBlockingQueue<>(), new ArrayList<>());
            Thread.ofPlatform().daemon().start(() -> {
                try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    r.lines().forEach(e.lines::add);
                } catch (IOException | java.io.UncheckedIOException gone) {
                    e.lines.add("<output lost: " + gone + ">");
                }
            });
            return e;
        }

        /** The next line containing {@code text}, within 30 s. */
        String expect(String text) throws InterruptedException {
            for (String l : seen) {
                if (l.contains(text)) {
                    return l;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null) {
                    seen.add(l);
                    if (l.contains(text)) {
                        return l;
                    }
                }
            }
            throw new AssertionError("no line with \"" + text + "\"; the example printed:\n" + String.join("\n", seen));
        }

        /** The port in the example's first line ("... 127.0.0.1:PORT ..."). */
        int port() throws InterruptedException {
            String l = expect("127.0.0.1:");
            return Integer.parseInt(l.replaceAll("^.*?127\\.0\\.0\\.1:(\\d+).*$", "$1"));
        }

        int interruptAndAwaitExit() throws Exception {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running after SIGINT");
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static String readLine(Socket s) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = s.getInputStream().read()) >= 0 && c != '\n') {
            b.append((char) c);
        }
        return c < 0 && b.isEmpty() ? null : b.toString();
    }

    @Test
    void echoServer_onCtrlC_closesEachClient_printsDisconnected_andExits130() throws Exception {
        try (Example server = Example.start(EchoServer.class);
                Socket client = new Socket("127.0.0.1", server.port())) {
            HttpServerTest.send(client, "hello\n");
            assertEquals("hello", readLine(client));
            server.expect("connected: ");
            assertEquals(130, server.interruptAndAwaitExit());
            server.expect("disconnected: ");
            server.expect("echo server stopped");
            assertEquals(null, readLine(client), "the server closed the connection");
        }
    }

    @Test
    void chatServer_onCtrlC_closesEachMember_andExits130() throws Exception {
        try (Example server = Example.start(ChatServer.class);
                Socket member = new Socket("127.0.0.1", server.port())) {
            HttpServerTest.send(member, "/who\n");
            assertTrue(readLine(member).startsWith("* "));
            assertEquals(130, server.interruptAndAwaitExit());
            server.expect("chat server stopped");
            String line;
            while ((line = readLine(member)) != null) {
                assertTrue(line.startsWith("* "), line);         // the room's goodbyes, then EOF
            }
        }
    }

    @Test
    void httpServer_onCtrlC_closesKeepAliveConnections_andExits130() throws Exception {
        try (Example server = Example.start(HttpServer.class);
                Socket client = new Socket("127.0.0.1", server.port())) {
            HttpServerTest.send(client, "GET / HTTP/1.1\r\nHost: test\r\n\r\n");
            assertEquals("HTTP/1.1 200 OK\r", readLine(client));
            assertEquals(130, server.interruptAndAwaitExit());
            server.expect("HTTP server stopped");
            while (readLine(client) != null) {
                // the rest of the response, then EOF: the keep-alive connection was closed
            }
        }
    }

    @Test
    void httpServer_onALoopGroup_onCtrlC_closesConnectionsOnEveryLoop_andExits130() throws Exception {
        try (Example server = Example.start(HttpServer.class, "--loops", "2")) {
            int port = server.port();
            server.expect("with 2 loops");
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 6; i++) {                // spread over the loops by the kernel
                Socket c = new Socket("127.0.0.1", port);
                HttpServerTest.send(c, "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n");
                assertEquals("HTTP/1.1 200 OK\r", readLine(c));
                clients.add(c);
            }
            assertEquals(130, server.interruptAndAwaitExit());
            server.expect("HTTP server stopped");
            for (Socket c : clients) {
                while (readLine(c) != null) {
                    // the rest of the response, then EOF: closed by the group's close()
                }
                c.close();
            }
        }
    }
}
