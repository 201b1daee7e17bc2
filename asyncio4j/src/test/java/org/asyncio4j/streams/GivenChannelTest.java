package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.streams.ServerTest.ECHO;
import static org.asyncio4j.streams.ServerTest.echoRoundTripOn;
import static org.junit.jupiter.api.Assertions.*;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams over channels the caller made (Python's {@code sock=}): {@code
 * Asyncio.openConnection(SocketChannel)} over a connected or connecting channel, in blocking
 * mode or not, TCP or Unix-domain, and {@code Asyncio.startServer(handler,
 * ServerSocketChannel)} over a bound one; the channel is switched to non-blocking mode and owned
 * (closed with the connection or server); bad channels are refused without being closed.
 */
@Timeout(30)
class GivenChannelTest {
    @TempDir
    Path tmp;

    @Test
    void openConnection_aConnectedChannelInBlockingMode_isMadeNonBlocking_andOwned() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0)) {
                SocketChannel ch = toThread(() -> SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port())));
                assertTrue(ch.isBlocking());
                Connection c = openConnection(ch);
                assertFalse(ch.isBlocking());
                assertEquals(ch.getRemoteAddress(), c.writer().remoteAddress());
                echoRoundTripOn(c, "over a given channel");
                c.writer().close();
                c.writer().waitClosed();
                assertFalse(ch.isOpen(), "closing the writer closes the channel");
            }
        });
    }

    @Test
    void openConnection_aChannelStillConnecting_finishesTheConnect() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0)) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.connect(new InetSocketAddress("127.0.0.1", server.port()));
                Connection c = openConnection(ch, StreamOptions.defaults().withLimit(100));
                assertTrue(ch.isConnected());
                assertEquals(100, c.reader().limit());
                echoRoundTripOn(c, "connected on the way");
                c.writer().close();
            }
        });
    }

    @Test
    void openConnection_aConnectThatIsRefused_throws_andClosesTheChannel() throws Exception {
        run(() -> {
            int port;
            try (ServerSocketChannel s = ServerSocketChannel.open()) {
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                port = ((InetSocketAddress) s.getLocalAddress()).getPort();
            }
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            assertThrows(ConnectException.class, () -> openConnection(ch));
            assertFalse(ch.isOpen());
        });
    }

    @Test
    void openConnection_badChannels_areRefused_andLeftOpen() throws Exception {
        run(() -> {
            SocketChannel unconnected = SocketChannel.open();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> openConnection(unconnected));
            assertTrue(e.getMessage().contains("not connected"), e.getMessage());
            assertTrue(unconnected.isOpen());
            unconnected.close();
            assertThrows(IllegalArgumentException.class, () -> openConnection(unconnected));
            assertThrows(NullPointerException.class, () -> openConnection((SocketChannel) null));
            try (Server server = startServer(ECHO, "127.0.0.1", 0)) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
                IllegalArgumentException tls = assertThrows(IllegalArgumentException.class,
                        () -> openConnection(ch, StreamOptions.defaults().withSsl(javax.net.ssl.SSLContext.getDefault())));
                assertTrue(tls.getMessage().contains("withServerHostname"), tls.getMessage());
                assertTrue(ch.isOpen());
                ch.close();
            }
        });
    }

    @Test
    void openConnection_tlsOverAGivenChannel_withAServerName() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0,
                    StreamOptions.defaults().withSsl(TlsFixtures.SERVER.serverContext()))) {
                SocketChannel ch = toThread(() -> SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port())));
                Connection c = openConnection(ch, StreamOptions.defaults()
                        .withSsl(TlsFixtures.SERVER.clientContextTrusting()).withServerHostname("localhost"));
                assertFalse(c.writer().canWriteEof(), "TLS");
                echoRoundTripOn(c, "tls over a given channel");
                c.writer().close();
            }
        });
    }

    @Test
    void startServer_aBoundChannelInBlockingMode_serves_andIsClosedByClose() throws Exception {
        run(() -> {
            ServerSocketChannel listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            assertTrue(listener.isBlocking());
            Server server = startServer(ECHO, listener);
            assertFalse(listener.isBlocking());
            assertEquals(listener.getLocalAddress(), server.addresses().get(0));
            assertEquals(((InetSocketAddress) listener.getLocalAddress()).getPort(), server.port());
            Connection c = openConnection("127.0.0.1", server.port());
            echoRoundTripOn(c, "served from a given listener");
            c.writer().close();
            server.close();
            server.waitClosed();
            assertFalse(listener.isOpen(), "the server owns the channel");
        });
    }

    @Test
    void startServer_badChannels_areRefused() throws Exception {
        run(() -> {
            ServerSocketChannel unbound = ServerSocketChannel.open();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> startServer(ECHO, unbound));
            assertTrue(e.getMessage().contains("not bound"), e.getMessage());
            assertTrue(unbound.isOpen());
            unbound.close();
            assertThrows(IllegalArgumentException.class, () -> startServer(ECHO, unbound));
            assertThrows(NullPointerException.class, () -> startServer(null, ServerSocketChannel.open()));
        });
    }

    @Test
    void unixDomainChannels_bothWays() throws Exception {
        run(() -> {
            Path sock = tmp.resolve("s.sock");
            ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(sock));
            Server server = startServer(ECHO, listener, StreamOptions.defaults());
            SocketChannel ch = toThread(() -> SocketChannel.open(UnixDomainSocketAddress.of(sock)));
            Connection c = openConnection(ch);
            echoRoundTripOn(c, "over unix channels");
            c.writer().close();
            server.close();
            server.waitClosed();
            assertFalse(listener.isOpen());
        });
    }
}
