package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.streams.ServerTest.ECHO;
import static org.asyncio4j.streams.ServerTest.echoRoundTripOn;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.CancelledException;
import org.asyncio4j.Task;
import org.asyncio4j.internal.NetEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connecting: {@code EventLoop.getaddrinfo}, {@code StreamOptions.withConnectTimeout} (a
 * connect that passes it ends with SocketTimeoutException and closes its socket), Happy
 * Eyeballs ({@code withHappyEyeballsDelay}, RFC 8305 as Python's staggered race: a hanging
 * first address does not hold up a second that answers, the losers are closed), and the
 * cancellation of a connect in progress, which leaves no socket open.
 *
 * <p>A connect that hangs: a loopback listener with a backlog of 1 that never accepts, its
 * queue filled first; the kernel then drops further SYNs, so a connect to it stays pending
 * (10.255.255.1 is no use here: the sandbox's network answers it).
 */
@Timeout(60)
class ConnectTest {
    static ServerSocketChannel blackhole;
    static final List<SocketChannel> fillers = new ArrayList<>();

    @BeforeAll
    static void fillABacklog() throws Exception {
        blackhole = ServerSocketChannel.open();
        blackhole.bind(new InetSocketAddress("127.0.0.1", 0), 1);
        for (int i = 0; i < 4; i++) {               // Linux queues backlog + 1; the rest stay pending
            SocketChannel c = SocketChannel.open();
            c.configureBlocking(false);
            c.connect(blackhole.getLocalAddress());
            fillers.add(c);
        }
        Thread.sleep(200);
        SocketChannel probe = SocketChannel.open();
        probe.configureBlocking(false);
        boolean connected = probe.connect(blackhole.getLocalAddress());
        Thread.sleep(300);
        assertFalse(connected || probe.finishConnect(), "the full backlog should leave a connect pending");
        probe.close();
    }

    @AfterAll
    static void closeIt() throws IOException {
        for (SocketChannel c : fillers) {
            c.close();
        }
        blackhole.close();
    }

    static InetSocketAddress hanging() throws IOException {
        return (InetSocketAddress) blackhole.getLocalAddress();
    }

    /** A loopback port with nobody listening: connects are refused at once. */
    static InetSocketAddress refused() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return (InetSocketAddress) s.getLocalAddress();
        }
    }

    /** This process's open file descriptors (Linux). */
    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /**
     * The descriptor count once the loop's selector exists (it opens a few descriptors of its
     * own on the first socket wait): a refused connect first.
     */
    static long baseline() throws IOException {
        assertThrows(ConnectException.class, () -> openConnection("127.0.0.1", refused().getPort()));
        return openFds();
    }

    /** Waits (a little, on the loop) for the descriptor count to come back to {@code expected}. */
    static void assertFdsBackTo(long expected) throws IOException {
        long now = openFds();
        for (int i = 0; i < 50 && now != expected; i++) {
            sleep(0.02);
            now = openFds();
        }
        assertEquals(expected, now, "every socket the connect opened is closed");
    }

    // ---- getaddrinfo ------------------------------------------------------------------------

    @Test
    void getaddrinfo_literals_areParsedInPlace() throws Exception {
        run(() -> {
            List<InetSocketAddress> v4 = getRunningLoop().getaddrinfo("127.0.0.1", 8080);
            assertEquals(List.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 8080)), v4);
            List<InetSocketAddress> v6 = getRunningLoop().getaddrinfo("::1", 0);
            assertEquals(1, v6.size());
            assertInstanceOf(Inet6Address.class, v6.get(0).getAddress());
            assertFalse(v6.get(0).isUnresolved());
        });
    }

    @Test
    void getaddrinfo_localhost_resolvesToLoopbackAddresses() throws Exception {
        run(() -> {
            List<InetSocketAddress> all = getRunningLoop().getaddrinfo("localhost", 443);
            assertFalse(all.isEmpty());
            for (InetSocketAddress a : all) {
                assertTrue(a.getAddress().isLoopbackAddress(), a.toString());
                assertEquals(443, a.getPort());
            }
        });
    }

    @Test
    void getaddrinfo_unknownHost_isUnknownHostException() throws Exception {
        run(() -> {
            assertThrows(UnknownHostException.class, () -> getRunningLoop().getaddrinfo("no-such-host.invalid", 80));
        });
    }

    @Test
    void getaddrinfo_badArguments_andOutsideATask() throws Exception {
        run(() -> {
            assertThrows(NullPointerException.class, () -> getRunningLoop().getaddrinfo(null, 80));
            assertThrows(IllegalArgumentException.class, () -> getRunningLoop().getaddrinfo("127.0.0.1", 65536));
            assertThrows(IllegalArgumentException.class, () -> getRunningLoop().getaddrinfo("127.0.0.1", -1));
            var loop = getRunningLoop();
            Throwable[] seen = new Throwable[1];
            loop.callSoon(() -> {
                try {
                    loop.getaddrinfo("127.0.0.1", 80);
                } catch (Throwable e) {
                    seen[0] = e;
                }
            });
            sleep(0.01);
            assertInstanceOf(IllegalStateException.class, seen[0], "a callback is not a task");
        });
    }

    // ---- connect timeout ----------------------------------------------------------------------

    @Test
    void connectTimeout_aConnectThatHangs_endsWithSocketTimeout_andClosesItsSocket() throws Exception {
        run(() -> {
            long fds = baseline();
            double t0 = getRunningLoop().time();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                    () -> openConnection("127.0.0.1", hanging().getPort(), StreamOptions.defaults()
                            .withConnectTimeout(Duration.ofMillis(300))));
            double took = getRunningLoop().time() - t0;
            assertTrue(took >= 0.29 && took < 5, "took " + took);
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertFdsBackTo(fds);
            assertEquals(0, getRunningLoop().statistics().ioWaiters());
        });
    }

    @Test
    void connectTimeout_notReached_connectsNormally() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0)) {
                Connection c = openConnection("localhost", server.port(),
                        StreamOptions.defaults().withConnectTimeout(Duration.ofSeconds(20)));
                echoRoundTripOn(c, "in time");
                sleep(0.3);                       // past nothing: the connect's timer is gone
                echoRoundTripOn(c, "still open");
                c.writer().close();
            }
        });
    }

    @Test
    void connectTimeout_anOuterTimeoutStaysItsOwn() throws Exception {
        run(() -> {
            long fds = baseline();
            assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ofMillis(200),
                    () -> openConnection("127.0.0.1", hanging().getPort(),
                            StreamOptions.defaults().withConnectTimeout(Duration.ofSeconds(30)))));
            assertFdsBackTo(fds);
        });
    }

    @Test
    void cancellingAConnectInProgress_closesTheChannel() throws Exception {
        run(() -> {
            long fds = baseline();
            Task<Connection> t = createTask(() -> openConnection("127.0.0.1", hanging().getPort()));
            sleep(0.2);
            assertFalse(t.isDone(), "the connect hangs");
            assertTrue(openFds() > fds, "a socket is open while it connects");
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            assertFdsBackTo(fds);
            assertEquals(0, getRunningLoop().statistics().ioWaiters());
        });
    }

    @Test
    void connectTimeout_badValues() {
        assertThrows(IllegalArgumentException.class, () -> StreamOptions.defaults().withConnectTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> StreamOptions.defaults().withConnectTimeout(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> StreamOptions.defaults().withConnectTimeout(null));
        assertThrows(IllegalArgumentException.class, () -> StreamOptions.defaults().withHappyEyeballsDelay(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> StreamOptions.defaults().withHappyEyeballsDelay(null));
        StreamOptions o = StreamOptions.defaults().withConnectTimeout(Duration.ofSeconds(3))
                .withHappyEyeballsDelay(Duration.ofMillis(250)).withLimit(10);
        assertEquals(Duration.ofSeconds(3), o.connectTimeout(), "kept through other with-methods");
        assertEquals(Duration.ofMillis(250), o.happyEyeballsDelay());
        assertNull(StreamOptions.defaults().connectTimeout());
        assertNull(StreamOptions.defaults().happyEyeballsDelay());
    }

    // ---- Happy Eyeballs -------------------------------------------------------------------------

    @Test
    void happyEyeballs_aHangingFirstAddress_yieldsToASecondThatAnswers_andIsClosed() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0)) {
                InetSocketAddress good = new InetSocketAddress("127.0.0.1", server.port());
                long fds = baseline();
                SocketChannel ch = NetEngine.ENGINE.connectTcp(List.of(hanging(), good),
                        StreamOptions.defaults().withHappyEyeballsDelay(Duration.ofMillis(100))
                                .withConnectTimeout(Duration.ofSeconds(20)));
                assertEquals(server.port(), ((InetSocketAddress) ch.getRemoteAddress()).getPort());
                assertFalse(ch.isBlocking());
                assertFdsBackTo(fds + 2);               // the winner and its accepted peer: the hanging attempt is closed
                Connection c = openConnection(ch);
                echoRoundTripOn(c, "the second address won");
                c.writer().close();
                c.writer().waitClosed();
                assertFdsBackTo(fds);
            }
        });
    }

    @Test
    void withoutHappyEyeballs_addressesAreTriedInTurn_soAHangingFirstOneTimesOut() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0)) {
                InetSocketAddress good = new InetSocketAddress("127.0.0.1", server.port());
                assertThrows(SocketTimeoutException.class, () -> NetEngine.ENGINE.connectTcp(List.of(hanging(), good),
                        StreamOptions.defaults().withConnectTimeout(Duration.ofMillis(400))));
                // and the other way round, the answering one first, it connects
                SocketChannel ch = NetEngine.ENGINE.connectTcp(List.of(good, hanging()), StreamOptions.defaults());
                assertEquals(server.port(), ((InetSocketAddress) ch.getRemoteAddress()).getPort());
                ch.close();
            }
        });
    }

    @Test
    void happyEyeballs_aRefusedAddress_startsTheNextAtOnce() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0)) {
                InetSocketAddress good = new InetSocketAddress("127.0.0.1", server.port());
                double t0 = getRunningLoop().time();
                SocketChannel ch = NetEngine.ENGINE.connectTcp(List.of(refused(), good),
                        StreamOptions.defaults().withHappyEyeballsDelay(Duration.ofSeconds(20)));
                assertTrue(getRunningLoop().time() - t0 < 10, "not after the 20 s delay");
                assertEquals(server.port(), ((InetSocketAddress) ch.getRemoteAddress()).getPort());
                ch.close();
            }
        });
    }

    @Test
    void happyEyeballs_everyAddressRefused_throwsTheFirstFailure_withTheOthersSuppressed() throws Exception {
        run(() -> {
            long fds = baseline();
            ConnectException e = assertThrows(ConnectException.class, () -> NetEngine.ENGINE.connectTcp(
                    List.of(refused(), refused(), refused()), StreamOptions.defaults().withHappyEyeballsDelay(Duration.ofMillis(50))));
            assertEquals(2, e.getSuppressed().length);
            assertFdsBackTo(fds);
            ConnectException seq = assertThrows(ConnectException.class, () -> NetEngine.ENGINE.connectTcp(
                    List.of(refused(), refused()), StreamOptions.defaults()));
            assertEquals(1, seq.getSuppressed().length);
        });
    }

    @Test
    void happyEyeballs_cancelledWhileSeveralAttemptsHang_closesThemAll() throws Exception {
        run(() -> {
            long fds = baseline();
            Task<SocketChannel> t = createTask(() -> NetEngine.ENGINE.connectTcp(List.of(hanging(), hanging(), hanging()),
                    StreamOptions.defaults().withHappyEyeballsDelay(Duration.ofMillis(30))));
            sleep(0.3);
            assertEquals(fds + 3, openFds(), "three attempts in flight");
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            assertFdsBackTo(fds);
            assertEquals(0, getRunningLoop().statistics().ioWaiters());
        });
    }

    @Test
    void happyEyeballs_throughOpenConnection_withAHostName() throws Exception {
        run(() -> {
            try (Server server = startServer(ECHO, "127.0.0.1", 0)) {
                Connection c = openConnection("localhost", server.port(),
                        StreamOptions.defaults().withHappyEyeballsDelay(Duration.ofMillis(250)));
                echoRoundTripOn(c, "via localhost");
                c.writer().close();
            }
        });
    }

    @Test
    void interleave_alternatesFamilies_fromTheFirstAddresss() throws Exception {
        InetSocketAddress a4 = new InetSocketAddress(InetAddress.ofLiteral("10.0.0.1"), 1);
        InetSocketAddress b4 = new InetSocketAddress(InetAddress.ofLiteral("10.0.0.2"), 1);
        InetSocketAddress c4 = new InetSocketAddress(InetAddress.ofLiteral("10.0.0.3"), 1);
        InetSocketAddress a6 = new InetSocketAddress(InetAddress.ofLiteral("fd00::1"), 1);
        InetSocketAddress b6 = new InetSocketAddress(InetAddress.ofLiteral("fd00::2"), 1);
        assertInstanceOf(Inet4Address.class, a4.getAddress());
        assertEquals(List.of(a6, a4, b6, b4, c4), NetEngine.interleave(List.of(a6, b6, a4, b4, c4)));
        assertEquals(List.of(a4, a6, b4, b6, c4), NetEngine.interleave(List.of(a4, b4, c4, a6, b6)));
        assertEquals(List.of(a4, b4), NetEngine.interleave(List.of(a4, b4)));
    }
}
