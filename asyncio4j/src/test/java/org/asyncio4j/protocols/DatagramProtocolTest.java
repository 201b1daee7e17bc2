package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.asyncio4j.EventLoop;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Future;
import org.asyncio4j.internal.DatagramTransportImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UDP endpoints under a {@link DatagramProtocol}: the behaviours of CPython's test_events
 * datagram tests (echo through a protocol, a connected endpoint, an existing socket, an ICMP
 * error on a connected endpoint) and test_base_events' create_datagram_endpoint cases (socket
 * options, reuse port, address errors), plus the transport's queue (close ordering, abort, water
 * marks, through the transport's send hold: loopback UDP never reports a full socket) and a
 * protocol callback that throws. Real clock, loopback, port 0.
 */
@Timeout(30)
class DatagramProtocolTest {
    static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(ByteBuffer data) {
        byte[] a = new byte[data.remaining()];
        data.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    /** Records every callback as a line, and completes {@link #lost} after connectionLost. */
    static class Recorder implements DatagramProtocol {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<InetSocketAddress> senders = new ArrayList<>();
        final List<Exception> errors = new ArrayList<>();
        final Future<Exception> lost = getRunningLoop().createFuture();
        Future<String> next = getRunningLoop().createFuture();
        DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
            events.add("made");
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
            String text = s(data);
            events.add("data:" + text);
            senders.add(from);
            Future<String> n = next;
            next = getRunningLoop().createFuture();
            n.setResult(text);
        }

        @Override
        public void errorReceived(Exception error) {
            events.add("error:" + error.getClass().getSimpleName());
            errors.add(error);
            Future<String> n = next;
            next = getRunningLoop().createFuture();
            n.setResult("error");
        }

        @Override
        public void pauseWriting() {
            events.add("pause");
        }

        @Override
        public void resumeWriting() {
            events.add("resume");
        }

        @Override
        public void connectionLost(Exception failure) {
            events.add("lost:" + (failure == null ? "null" : failure.getMessage()));
            lost.setResult(failure);
        }

        /** Waits (in a task) for the next datagram or error. */
        String awaitNext() {
            return waitFor(next, java.time.Duration.ofSeconds(10));
        }
    }

    /** Echoes "resp:" + the datagram to its sender (test_events' MyDatagramProto server). */
    static class EchoServer extends Recorder {
        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
            ByteBuffer copy = data.duplicate();
            super.datagramReceived(data, from);
            ByteBuffer reply = ByteBuffer.allocate(5 + copy.remaining()).put(b("resp:")).put(copy).flip();
            transport.sendTo(reply, from);
        }
    }

    /** A loopback address where nothing listens any more (a port just released). */
    static InetSocketAddress goneAddress() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(ANY_LOOPBACK);
            return (InetSocketAddress) probe.getLocalAddress();
        }
    }

    static InetSocketAddress sockname(DatagramTransport t) {
        return (InetSocketAddress) t.getExtraInfo("sockname");
    }

    @Test
    void echo_throughAProtocol_callbacksInOrder() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var server = loop.createDatagramEndpoint(EchoServer::new, ANY_LOOPBACK, null);
            assertEquals(List.of("made"), server.protocol().events, "connectionMade ran before the call returned");
            InetSocketAddress addr = sockname(server.transport());
            assertNotEquals(0, addr.getPort());
            assertNull(server.transport().getExtraInfo("peername"));
            assertInstanceOf(DatagramChannel.class, server.transport().getExtraInfo("socket"));
            assertNull(server.transport().getExtraInfo("no such key"));

            var client = loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
            client.transport().sendTo(b("xxx"), addr);
            assertEquals("resp:xxx", client.protocol().awaitNext());
            assertEquals(List.of("made", "data:xxx"), server.protocol().events);
            assertEquals(sockname(client.transport()), server.protocol().senders.get(0));
            assertEquals(addr, client.protocol().senders.get(0));

            client.transport().close();
            assertTrue(client.transport().isClosing());
            assertNull(client.protocol().lost.await());
            server.transport().close();
            assertNull(server.protocol().lost.await());
            assertEquals(List.of("made", "data:xxx", "lost:null"), server.protocol().events);
            assertEquals(List.of("made", "data:resp:xxx", "lost:null"), client.protocol().events);
            assertFalse(((DatagramChannel) client.transport().getExtraInfo("socket")).isOpen(), "closed with the transport");
            server.transport().close();          // idempotent: no second connectionLost
            sleep(0.05);
            assertEquals(3, server.protocol().events.size());
        });
    }

    @Test
    void connectedEndpoint_sendsToItsRemote_andRefusesAnotherAddress() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var server = loop.createDatagramEndpoint(EchoServer::new, ANY_LOOPBACK, null);
            InetSocketAddress addr = sockname(server.transport());
            var client = loop.createDatagramEndpoint(Recorder::new, null, addr);
            DatagramTransport t = client.transport();
            assertEquals(addr, t.getExtraInfo("peername"));
            t.send(b("one"));
            assertEquals("resp:one", client.protocol().awaitNext());
            t.sendTo(b("two"), null);
            assertEquals("resp:two", client.protocol().awaitNext());
            t.sendTo(ByteBuffer.wrap(b("three")), addr);
            assertEquals("resp:three", client.protocol().awaitNext());
            var other = new InetSocketAddress(InetAddress.getLoopbackAddress(), addr.getPort() == 9 ? 10 : 9);
            var e = assertThrows(IllegalArgumentException.class, () -> t.sendTo(b("x"), other));
            assertTrue(e.getMessage().contains(addr.toString()), e.getMessage());
            t.close();
            server.transport().close();
            client.protocol().lost.await();
            server.protocol().lost.await();
        });
    }

    @Test
    void unconnectedEndpoint_sendNeedsAnAddress() {
        run(() -> {
            var ep = getRunningLoop().createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
            assertThrows(IllegalStateException.class, () -> ep.transport().send(b("x")));
            assertThrows(IllegalArgumentException.class, () -> ep.transport().sendTo(b("x"), null));
            assertThrows(IllegalArgumentException.class,
                    () -> ep.transport().sendTo(b("x"), InetSocketAddress.createUnresolved("localhost", 9)));
            assertThrows(NullPointerException.class, () -> ep.transport().sendTo((byte[]) null, ANY_LOOPBACK));
            ep.transport().close();
            ep.protocol().lost.await();
        });
    }

    /** test_events' test_datagram_send_to_non_listening_address: the ICMP error, and the transport stays open. */
    @Test
    void connectedEndpoint_whosePeerIsGone_getsErrorReceived_andStaysOpen() {
        run(() -> {
            InetSocketAddress gone = goneAddress();
            var client = getRunningLoop().createDatagramEndpoint(Recorder::new, null, gone);
            client.transport().send(b("hello"));
            assertEquals("error", client.protocol().awaitNext());
            assertInstanceOf(PortUnreachableException.class, client.protocol().errors.get(0));
            assertFalse(client.transport().isClosing());
            client.transport().send(b("again"));
            assertEquals("error", client.protocol().awaitNext());
            assertFalse(client.transport().isClosing());
            assertEquals(List.of("made", "error:PortUnreachableException", "error:PortUnreachableException"),
                    client.protocol().events);
            client.transport().close();
            assertNull(client.protocol().lost.await());
        });
    }

    /** The pending ICMP error met by a send instead of a receive: errorReceived from inside sendTo. */
    @Test
    void aSendThatMeetsThePendingError_reportsItThroughErrorReceived_andStaysOpen() {
        run(() -> {
            InetSocketAddress gone = goneAddress();
            var client = getRunningLoop().createDatagramEndpoint(Recorder::new, null, gone);
            var t = (DatagramTransportImpl) client.transport();
            t.pauseReading();                    // the error stays pending on the socket
            t.send(b("first"));
            sleep(0.1);                          // the ICMP answer arrives
            t.send(b("second"));
            assertEquals(List.of("made", "error:PortUnreachableException"), client.protocol().events,
                    "reported during the send");
            assertFalse(t.isClosing());
            assertEquals(0, t.getWriteBufferSize(), "the failed datagram is dropped, not queued");
            t.close();
            assertNull(client.protocol().lost.await());
        });
    }

    @Test
    void reusePort_twoEndpointsBindTheSamePort() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var opts = DatagramOptions.defaults().withReusePort(true);
            var a = loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null, opts);
            InetSocketAddress addr = sockname(a.transport());
            var b = loop.createDatagramEndpoint(Recorder::new, addr, null, opts);
            assertEquals(addr, sockname(b.transport()));
            DatagramChannel ch = (DatagramChannel) b.transport().getExtraInfo("socket");
            assertTrue(ch.getOption(StandardSocketOptions.SO_REUSEPORT));
            // without the option the port is taken
            assertThrows(java.net.BindException.class, () -> loop.createDatagramEndpoint(Recorder::new, addr, null));
            a.transport().close();
            b.transport().close();
            a.protocol().lost.await();
            b.protocol().lost.await();
        });
    }

    @Test
    void options_broadcastAndReuseAddress_areSetBeforeBinding_andOffByDefault() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var plain = loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
            DatagramChannel pc = (DatagramChannel) plain.transport().getExtraInfo("socket");
            assertFalse(pc.getOption(StandardSocketOptions.SO_BROADCAST));
            assertFalse(pc.getOption(StandardSocketOptions.SO_REUSEADDR));
            assertFalse(pc.getOption(StandardSocketOptions.SO_REUSEPORT));
            var opts = DatagramOptions.defaults().withBroadcast(true).withReuseAddress(true);
            var bc = loop.createDatagramEndpoint(Recorder::new, new InetSocketAddress("0.0.0.0", 0), null, opts);
            DatagramChannel c = (DatagramChannel) bc.transport().getExtraInfo("socket");
            assertTrue(c.getOption(StandardSocketOptions.SO_BROADCAST));
            assertTrue(c.getOption(StandardSocketOptions.SO_REUSEADDR));
            plain.transport().close();
            bc.transport().close();
            plain.protocol().lost.await();
            bc.protocol().lost.await();
        });
    }

    @Test
    void badAddresses_areRefusedWithClearErrors() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var e = assertThrows(IllegalArgumentException.class, () -> loop.createDatagramEndpoint(Recorder::new, null, null));
            assertTrue(e.getMessage().contains("local or a remote"), e.getMessage());
            var v6 = new InetSocketAddress(InetAddress.getByName("::1"), 9);
            var f = assertThrows(IllegalArgumentException.class,
                    () -> loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, v6));
            assertTrue(f.getMessage().contains("family"), f.getMessage());
            assertThrows(NullPointerException.class, () -> loop.createDatagramEndpoint(null, ANY_LOOPBACK, null));
            assertThrows(NullPointerException.class, () -> loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null, null));
            assertThrows(NullPointerException.class, () -> loop.createDatagramEndpoint(() -> null, ANY_LOOPBACK, null));
            // a port in use: the OS's error
            var a = loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
            assertThrows(java.net.BindException.class, () -> loop.createDatagramEndpoint(Recorder::new, sockname(a.transport()), null));
            a.transport().close();
            a.protocol().lost.await();
        });
    }

    @Test
    void outsideATask_isRefused() {
        EventLoop loop = newEventLoop();
        try {
            assertThrows(IllegalStateException.class, () -> loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null));
        } finally {
            loop.close();
        }
    }

    @Test
    void unresolvedHostNames_areResolvedOffTheLoop() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var server = loop.createDatagramEndpoint(EchoServer::new, InetSocketAddress.createUnresolved("localhost", 0), null);
            int port = sockname(server.transport()).getPort();
            var client = loop.createDatagramEndpoint(Recorder::new, null,
                    new InetSocketAddress(sockname(server.transport()).getAddress(), port));
            client.transport().send(b("hi"));
            assertEquals("resp:hi", client.protocol().awaitNext());
            client.transport().close();
            server.transport().close();
            client.protocol().lost.await();
            server.protocol().lost.await();
        });
    }

    /** test_events' test_create_datagram_endpoint_sock, with the socket in blocking mode. */
    @Test
    void anExistingChannelInBlockingMode_isSwitchedToNonBlocking_andOwned() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(ANY_LOOPBACK);
            assertTrue(ch.isBlocking());
            var server = loop.createDatagramEndpoint(EchoServer::new, ch);
            assertFalse(ch.isBlocking());
            assertSame(ch, server.transport().getExtraInfo("socket"));
            var client = loop.createDatagramEndpoint(Recorder::new, null, (InetSocketAddress) ch.getLocalAddress());
            client.transport().send(b("sock"));
            assertEquals("resp:sock", client.protocol().awaitNext());
            server.transport().close();
            server.protocol().lost.await();
            assertFalse(ch.isOpen(), "the transport owns the channel");
            client.transport().close();
            client.protocol().lost.await();

            DatagramChannel closed = DatagramChannel.open();
            closed.close();
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> loop.createDatagramEndpoint(Recorder::new, closed));
        });
    }

    record Pair(TransportAndProtocol<DatagramTransport, Recorder> server, TransportAndProtocol<DatagramTransport, Recorder> client,
            InetSocketAddress addr, DatagramTransportImpl t) {
    }

    /** A receiving server and a client whose sends are held in its queue (a full socket). */
    static Pair heldPair() throws IOException {
        EventLoop loop = getRunningLoop();
        var server = loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
        var client = loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
        var t = (DatagramTransportImpl) client.transport();
        t.holdSendsForTest(true);
        return new Pair(server, client, sockname(server.transport()), t);
    }

    /** Closes both and waits for their connectionLost. */
    static void closeBoth(Pair p) {
        p.client().transport().close();
        p.server().transport().close();
        p.client().protocol().lost.await();
        p.server().protocol().lost.await();
    }

    @Test
    void close_sendsTheQueuedDatagramsFirst_thenConnectionLostOnceAndLast() {
        run(() -> {
            var p = heldPair();
            var t = p.t();
            t.sendTo(b("a"), p.addr());
            t.sendTo(b("bb"), p.addr());
            t.sendTo(ByteBuffer.wrap(b("ccc")), p.addr());
            assertEquals(6, t.getWriteBufferSize());
            t.close();
            assertTrue(t.isClosing());
            assertThrows(IllegalStateException.class, () -> t.sendTo(b("late"), p.addr()));
            sleep(0.05);
            assertEquals(List.of("made"), p.client().protocol().events, "connectionLost waits for the queue");
            t.holdSendsForTest(false);
            assertNull(p.client().protocol().lost.await());
            assertEquals(0, t.getWriteBufferSize());
            while (p.server().protocol().events.size() < 4) {
                p.server().protocol().awaitNext();
            }
            assertEquals(List.of("made", "data:a", "data:bb", "data:ccc"), p.server().protocol().events);
            assertEquals(List.of("made", "lost:null"), p.client().protocol().events);
            closeBoth(p);
        });
    }

    @Test
    void abort_dropsTheQueue_andStillCallsConnectionLostWithNull() {
        run(() -> {
            var p = heldPair();
            var t = p.t();
            t.sendTo(b("dropped"), p.addr());
            t.abort();
            t.abort();
            t.holdSendsForTest(false);
            assertNull(p.client().protocol().lost.await());
            assertEquals(0, t.getWriteBufferSize());
            sleep(0.1);
            assertEquals(List.of("made"), p.server().protocol().events, "nothing was sent");
            assertEquals(List.of("made", "lost:null"), p.client().protocol().events);
            closeBoth(p);
        });
    }

    @Test
    void writeFlowControl_pausesAboveTheHighWaterMark_resumesAtTheLow() {
        run(() -> {
            var p = heldPair();
            var t = p.t();
            byte[] chunk = new byte[10_000];
            for (int i = 0; i < 6; i++) {
                t.sendTo(chunk, p.addr());
            }
            assertEquals(List.of("made"), p.client().protocol().events, "60,000 bytes: below the 64 KiB mark");
            t.sendTo(chunk, p.addr());
            assertEquals(List.of("made", "pause"), p.client().protocol().events);
            t.sendTo(chunk, p.addr());
            assertEquals(List.of("made", "pause"), p.client().protocol().events, "paused once");
            assertEquals(80_000, t.getWriteBufferSize());
            t.holdSendsForTest(false);
            sleep(0.05);
            assertEquals(List.of("made", "pause", "resume"), p.client().protocol().events);
            assertEquals(0, t.getWriteBufferSize());
            closeBoth(p);
        });
    }

    @Test
    void aDatagramLargerThanUdpAllows_isRefusedWithItsSize() {
        run(() -> {
            var ep = getRunningLoop().createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
            InetSocketAddress to = sockname(ep.transport());
            var e = assertThrows(IllegalArgumentException.class, () -> ep.transport().sendTo(new byte[65_508], to));
            assertTrue(e.getMessage().contains("65508") && e.getMessage().contains("65507"), e.getMessage());
            ep.transport().sendTo(new byte[65_507], to);        // the largest IPv4 datagram goes
            assertEquals(65_507, ep.protocol().awaitNext().length());
            assertFalse(ep.transport().isClosing());
            ep.transport().close();
            ep.protocol().lost.await();
        });
    }

    @Test
    void aProtocolCallbackThatThrows_reachesTheHandler_closesTheTransport_andTheLoopGoesOn() {
        List<ExceptionContext> reported = new CopyOnWriteArrayList<>();
        String after = run(() -> {
            EventLoop loop = getRunningLoop();
            loop.setExceptionHandler((l, c) -> reported.add(c));
            RuntimeException boom = new RuntimeException("boom");
            var bad = loop.createDatagramEndpoint(() -> new Recorder() {
                @Override
                public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
                    super.datagramReceived(data, from);
                    throw boom;
                }
            }, ANY_LOOPBACK, null);
            var client = loop.createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
            client.transport().sendTo(b("x"), sockname(bad.transport()));
            assertSame(boom, bad.protocol().lost.await(), "connectionLost gets the failure");
            assertTrue(bad.transport().isClosing());
            assertEquals(List.of("made", "data:x", "lost:boom"), bad.protocol().events);
            assertEquals(1, reported.size());
            assertSame(boom, reported.get(0).exception());
            client.transport().close();
            client.protocol().lost.await();
            return createTask(() -> "the loop goes on").await();
        });
        assertEquals("the loop goes on", after);
    }

    @Test
    void aConnectionMadeThatThrows_isReported_andTheTransportIsClosed() {
        List<ExceptionContext> reported = new CopyOnWriteArrayList<>();
        run(() -> {
            EventLoop loop = getRunningLoop();
            loop.setExceptionHandler((l, c) -> reported.add(c));
            var ep = loop.createDatagramEndpoint(() -> new Recorder() {
                @Override
                public void connectionMade(DatagramTransport t) {
                    super.connectionMade(t);
                    throw new IllegalStateException("no");
                }
            }, ANY_LOOPBACK, null);
            assertTrue(ep.transport().isClosing());
            assertEquals("no", ep.protocol().lost.await().getMessage());
            assertEquals(1, reported.size());
        });
    }

    @Test
    void aChannelClosedUnderTheTransport_isAFailure_reportedAndLost() {
        List<ExceptionContext> reported = new CopyOnWriteArrayList<>();
        run(() -> {
            EventLoop loop = getRunningLoop();
            loop.setExceptionHandler((l, c) -> reported.add(c));
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(ANY_LOOPBACK);
            var ep = loop.createDatagramEndpoint(Recorder::new, ch);
            ch.close();
            ep.transport().sendTo(b("x"), ANY_LOOPBACK);
            assertInstanceOf(java.nio.channels.ClosedChannelException.class, ep.protocol().lost.await());
            assertEquals(2, ep.protocol().events.size(), "made, then lost: " + ep.protocol().events);
            assertEquals(1, reported.size());
        });
    }

    @Test
    void anEndpointLeftOpen_isClosedWithItsLoop() throws IOException {
        DatagramChannel[] ch = new DatagramChannel[1];
        run(() -> {
            var ep = getRunningLoop().createDatagramEndpoint(Recorder::new, ANY_LOOPBACK, null);
            ch[0] = (DatagramChannel) ep.transport().getExtraInfo("socket");
        });
        assertFalse(ch[0].isOpen());
    }
}
