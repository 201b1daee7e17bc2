package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.streams.ServerTest.ECHO;
import static org.asyncio4j.streams.ServerTest.echoRoundTripOn;
import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.asyncio4j.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * StreamOptions' TLS conveniences: a TLS client or server without a hand-built SSLContext.
 * {@code withTls()} (the JDK's trust, host name verified), {@code withCaFile} (PEM CAs),
 * {@code withTrustStore} (PKCS12), {@code withCertificate} (PEM chain and PKCS#8 key: a
 * server's certificate, or a client's for mutual TLS), {@code withKeyStore}; the context built
 * once per options object; clear errors for bad files.
 */
@Timeout(60)
class TlsOptionsTest {
    static final TlsFixtures.Identity SERVER = TlsFixtures.SERVER;

    @TempDir
    Path tmp;

    static StreamOptions pemServer() {
        return StreamOptions.defaults().withCertificate(SERVER.certPem(), SERVER.keyPem());
    }

    static void roundTrip(Server server, String host, StreamOptions client) throws IOException {
        Connection c = openConnection(host, server.port(), client);
        assertFalse(c.writer().canWriteEof(), "TLS");
        echoRoundTripOn(c, "over " + client);
        c.writer().close();
    }

    @Test
    void caFile_andAPemCertificateServer() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0, pemServer())) {
                roundTrip(server, "127.0.0.1", StreamOptions.defaults().withCaFile(SERVER.certPem()));
                roundTrip(server, "localhost", StreamOptions.defaults().withCaFile(SERVER.certPem()));
            }
        });
    }

    @Test
    void trustStore_andAKeyStoreServer() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0,
                    StreamOptions.defaults().withKeyStore(SERVER.keyStore(), TlsFixtures.PASS))) {
                roundTrip(server, "127.0.0.1", StreamOptions.defaults().withTrustStore(SERVER.trustStore(), TlsFixtures.PASS));
            }
        });
    }

    @Test
    void withTls_usesTheJdksTrust_soASelfSignedServerIsRefused() throws Exception {
        run(() -> {
            ServerTest.captureLoopErrors();
            try (Server server = startServer(ECHO, "127.0.0.1", 0, pemServer())) {
                assertThrows(SSLHandshakeException.class,
                        () -> openConnection("localhost", server.port(), StreamOptions.defaults().withTls()));
            }
        });
    }

    @Test
    void theHostNameIsVerified() throws Exception {
        run(() -> {
            ServerTest.captureLoopErrors();
            try (Server server = startServer(ECHO, "127.0.0.1", 0, pemServer())) {
                assertThrows(SSLHandshakeException.class, () -> openConnection("127.0.0.1", server.port(),
                        StreamOptions.defaults().withCaFile(SERVER.certPem()).withServerHostname("wrong.example")));
                roundTrip(server, "127.0.0.1", StreamOptions.defaults().withCaFile(SERVER.certPem()).withServerHostname("localhost"));
            }
        });
    }

    @Test
    void clientCertificate_mutualTls() throws Exception {
        TlsFixtures.Identity client = TlsFixtures.Client.CLIENT;
        // A server that demands a client certificate it trusts, and answers with its subject.
        SSLContext sctx = TlsFixtures.context(SERVER.keyStore(), client.trustStore());
        try (SSLServerSocket ss = (SSLServerSocket) sctx.getServerSocketFactory().createServerSocket(0, 5,
                java.net.InetAddress.getLoopbackAddress())) {
            ss.setNeedClientAuth(true);
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (SSLSocket s = (SSLSocket) ss.accept()) {
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        in.readLine();
                        OutputStream out = s.getOutputStream();
                        out.write((s.getSession().getPeerPrincipal().getName() + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException refusedClient) {
                        // the client without a certificate
                    }
                }
            });
            run(() -> {
                StreamOptions o = StreamOptions.defaults().withCaFile(SERVER.certPem())
                        .withCertificate(client.certPem(), client.keyPem());
                Connection c = openConnection("localhost", ss.getLocalPort(), o);
                c.writer().write("hello\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("CN=client\n", new String(c.reader().readLine(), StandardCharsets.UTF_8));
                c.writer().close();
                Connection anon = openConnection("localhost", ss.getLocalPort(), StreamOptions.defaults().withCaFile(SERVER.certPem()));
                anon.writer().write("hello\n".getBytes(StandardCharsets.UTF_8));
                assertThrows(IOException.class, () -> {
                    if (anon.reader().readLine().length == 0) {
                        throw new IOException("closed without an answer");
                    }
                }, "the server refuses a client without a certificate");
                anon.writer().close();
            });
            t.join(20_000);
        }
    }

    @Test
    void theContext_isBuiltOnce_andSharedByCopies() throws Exception {
        StreamOptions o = StreamOptions.defaults().withCaFile(SERVER.certPem());
        SSLContext first = o.ssl();                       // outside a task: built inline
        assertNotNull(first);
        assertSame(first, o.ssl());
        assertSame(first, o.withLimit(10).withServerHostname("x").ssl());
        run(() -> {
            StreamOptions fresh = StreamOptions.defaults().withTrustStore(SERVER.trustStore(), TlsFixtures.PASS);
            SSLContext inTask = fresh.ssl();              // in a task: built on the executor
            assertSame(inTask, fresh.ssl());
        });
        assertNull(StreamOptions.defaults().ssl());
        assertNotNull(StreamOptions.defaults().withTls().ssl());
    }

    @Test
    void withSsl_andTheConveniences_replaceEachOther() throws Exception {
        SSLContext mine = SSLContext.getInstance("TLS");
        mine.init(null, null, null);
        assertSame(mine, StreamOptions.defaults().withCaFile(SERVER.certPem()).withSsl(mine).ssl());
        SSLContext built = StreamOptions.defaults().withSsl(mine).withCaFile(SERVER.certPem()).ssl();
        assertNotSame(mine, built);
        assertTrue(StreamOptions.defaults().withTls().toString().contains("ssl=true"));
    }

    @Test
    void badFiles_areRefusedClearly() throws Exception {
        Path garbage = tmp.resolve("garbage.pem");
        Files.writeString(garbage, "this is not a certificate\n");
        Path pkcs1 = tmp.resolve("rsa.key");
        Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        Path encrypted = tmp.resolve("enc.key");
        Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Path missing = tmp.resolve("missing.pem");
        run(() -> {
            var errors = ServerTest.captureLoopErrors();
            try (Server server = startServer(ECHO, "127.0.0.1", 0, pemServer())) {
                int port = server.port();
                IOException noFile = assertThrows(IOException.class,
                        () -> openConnection("127.0.0.1", port, StreamOptions.defaults().withCaFile(missing)));
                assertInstanceOf(NoSuchFileException.class, noFile);
                assertTrue(noFile.getMessage().contains("missing.pem"), noFile.getMessage());
                IllegalArgumentException notPem = assertThrows(IllegalArgumentException.class,
                        () -> openConnection("127.0.0.1", port, StreamOptions.defaults().withCaFile(garbage)));
                assertTrue(notPem.getMessage().contains("garbage.pem"), notPem.getMessage());
                IllegalArgumentException p1 = assertThrows(IllegalArgumentException.class, () -> openConnection("127.0.0.1", port,
                        StreamOptions.defaults().withCaFile(SERVER.certPem()).withCertificate(SERVER.certPem(), pkcs1)));
                assertTrue(p1.getMessage().contains("PKCS#8") && p1.getMessage().contains("openssl pkcs8"), p1.getMessage());
                IllegalArgumentException enc = assertThrows(IllegalArgumentException.class, () -> openConnection("127.0.0.1", port,
                        StreamOptions.defaults().withCertificate(SERVER.certPem(), encrypted)));
                assertTrue(enc.getMessage().contains("encrypted"), enc.getMessage());
                IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> openConnection("127.0.0.1",
                        port, StreamOptions.defaults().withCertificate(SERVER.certPem(), TlsFixtures.Client.CLIENT.keyPem())));
                assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());
                IOException badPass = assertThrows(IOException.class, () -> openConnection("127.0.0.1", port,
                        StreamOptions.defaults().withTrustStore(SERVER.trustStore(), "wrong".toCharArray())));
                assertTrue(badPass.getMessage().contains("password"), badPass.getMessage());
                roundTrip(server, "127.0.0.1", StreamOptions.defaults().withCaFile(SERVER.certPem()));   // still serving
            }
            assertEquals(java.util.List.of(), errors, "bad files fail before connecting: the server saw no handshake");
            // a server with a bad key fails to start, before it binds
            assertThrows(IllegalArgumentException.class, () -> startServer(ECHO, "127.0.0.1", 0,
                    StreamOptions.defaults().withCertificate(SERVER.certPem(), pkcs1)));
        });
        assertThrows(NullPointerException.class, () -> StreamOptions.defaults().withCaFile(null));
        assertThrows(NullPointerException.class, () -> StreamOptions.defaults().withCertificate(SERVER.certPem(), null));
        assertThrows(NullPointerException.class, () -> StreamOptions.defaults().withKeyStore(SERVER.keyStore(), null));
    }

    @Test
    void aServersCertificateFromPem_servesATlsClientWithAHandBuiltContext() throws Exception {
        run(() -> {
            Future<String> seen = getRunningLoop().createFuture();
            try (Server server = startServer((r, w) -> {
                seen.setResult(new String(r.readLine(), StandardCharsets.UTF_8));
                w.close();
            }, "127.0.0.1", 0, pemServer())) {
                Connection c = openConnection("localhost", server.port(),
                        StreamOptions.defaults().withSsl(SERVER.clientContextTrusting()));
                c.writer().write("pem\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("pem\n", seen.await());
                c.writer().close();
            }
        });
    }
}
