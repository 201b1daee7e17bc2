package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.protocols.DatagramProtocolTest.ANY_LOOPBACK;
import static org.asyncio4j.protocols.DatagramProtocolTest.b;
import static org.asyncio4j.protocols.DatagramProtocolTest.goneAddress;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.CancelledException;
import org.asyncio4j.Task;
import org.asyncio4j.internal.DatagramEndpointImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The task-style {@link DatagramEndpoint}: receive suspends and is cancellation safe, send to an
 * address or the connected remote, the receive queue's bound, close, and OS errors delivered in
 * order through receive. Real clock, loopback, port 0.
 */
@Timeout(30)
class DatagramEndpointTest {

    static String text(Datagram d) {
        return new String(d.data(), StandardCharsets.UTF_8);
    }

    @Test
    void receive_suspendsUntilADatagramArrives_andSendEchoesBack() {
        run(() -> {
            try (var server = openDatagramEndpoint(ANY_LOOPBACK, null);
                 var client = openDatagramEndpoint(ANY_LOOPBACK, null)) {
                assertNotEquals(0, server.localAddress().getPort());
                assertNull(server.remoteAddress());
                Task<Void> echo = createTask(() -> {
                    for (int i = 0; i < 3; i++) {
                        Datagram d = server.receive();
                        server.send(("echo:" + text(d)).getBytes(StandardCharsets.UTF_8), d.from());
                    }
                });
                sleep(0.05);
                assertFalse(echo.isDone(), "receive waits");
                List<String> back = new ArrayList<>();
                for (String m : List.of("a", "bb", "ccc")) {
                    client.send(b(m), server.localAddress());
                    Datagram d = client.receive();
                    assertEquals(server.localAddress(), d.from());
                    back.add(text(d));
                }
                assertEquals(List.of("echo:a", "echo:bb", "echo:ccc"), back);
                echo.await();
            }
        });
    }

    @Test
    void connectedEndpoint_sendsWithoutAnAddress_andReportsAGonePeerThroughReceive() {
        run(() -> {
            InetSocketAddress gone = goneAddress();
            try (var server = openDatagramEndpoint(ANY_LOOPBACK, null);
                 var client = openDatagramEndpoint(null, server.localAddress());
                 var lost = openDatagramEndpoint(null, gone)) {
                assertEquals(server.localAddress(), client.remoteAddress());
                client.send(b("hi"));
                Datagram d = server.receive();
                assertEquals("hi", text(d));
                assertEquals(client.localAddress(), d.from());
                assertThrows(IllegalArgumentException.class, () -> client.send(b("x"), gone));

                lost.send(b("anyone?"));
                assertThrows(PortUnreachableException.class, lost::receive);
                assertFalse(lost.isClosed(), "an OS error leaves the endpoint open");
                lost.send(b("still?"));
                assertThrows(PortUnreachableException.class, lost::receive);
            }
        });
    }

    @Test
    void badSends_areRefused() {
        run(() -> {
            try (var ep = openDatagramEndpoint(ANY_LOOPBACK, null)) {
                assertThrows(IllegalStateException.class, () -> ep.send(b("x")), "not connected");
                assertThrows(IllegalArgumentException.class, () -> ep.send(new byte[65_508], ep.localAddress()));
                assertThrows(NullPointerException.class, () -> ep.send(null, ep.localAddress()));
                assertThrows(IllegalArgumentException.class, () -> openDatagramEndpoint(null, null));
            }
        });
    }

    @Test
    void aCancelledReceive_losesNoDatagram() {
        run(() -> {
            try (var server = openDatagramEndpoint(ANY_LOOPBACK, null);
                 var client = openDatagramEndpoint(ANY_LOOPBACK, null)) {
                Task<Datagram> first = createTask(server::receive);
                sleep(0.02);
                first.cancel();
                assertThrows(CancelledException.class, first::await);
                client.send(b("kept"), server.localAddress());
                assertEquals("kept", text(waitFor(() -> server.receive(), Duration.ofSeconds(10))));
            }
        });
    }

    /** The race CPython's queue tests pin: woken by a datagram, then cancelled before it ran. */
    @Test
    void aReceiveWokenAndThenCancelled_passesTheDatagramToTheNextReceiver() {
        run(() -> {
            try (var ep = openDatagramEndpoint(ANY_LOOPBACK, null)) {
                var impl = (DatagramEndpointImpl) ep;
                Task<Datagram> a = createTask(ep::receive);
                Task<Datagram> b = createTask(ep::receive);
                sleep(0.02);                           // both wait, a first
                impl.datagramReceived(ByteBuffer.wrap(b("one")), ep.localAddress());   // wakes a
                a.cancel();                            // before a runs
                assertThrows(CancelledException.class, a::await);
                assertEquals("one", text(b.await()));
            }
        });
    }

    @Test
    void theReceiveQueue_isBounded_readingPausesThenResumes() {
        run(() -> {
            try (var ep = openDatagramEndpoint(ANY_LOOPBACK, null)) {
                var impl = (DatagramEndpointImpl) ep;
                ByteBuffer one = ByteBuffer.allocate(1);
                for (int i = 0; i < 1023; i++) {
                    impl.datagramReceived(one.clear(), ep.localAddress());
                }
                assertFalse(impl.transport().isReadingPaused());
                impl.datagramReceived(one.clear(), ep.localAddress());
                assertTrue(impl.transport().isReadingPaused(), "1,024 queued: the socket is left to the kernel");
                for (int i = 0; i < 511; i++) {
                    ep.receive();
                }
                assertTrue(impl.transport().isReadingPaused());
                ep.receive();
                assertFalse(impl.transport().isReadingPaused(), "half empty: reading again");
            }
        });
    }

    @Test
    void close_failsWaitingAndLaterReceives_andLaterSends() {
        run(() -> {
            var ep = openDatagramEndpoint(ANY_LOOPBACK, null);
            Task<Datagram> waiting = createTask(ep::receive);
            sleep(0.02);
            ep.close();
            assertTrue(ep.isClosed());
            var e = assertThrows(java.util.concurrent.CompletionException.class, waiting::await);
            assertInstanceOf(ClosedChannelException.class, e.getCause());
            assertThrows(ClosedChannelException.class, ep::receive);
            assertThrows(ClosedChannelException.class, () -> ep.send(b("x"), ep.localAddress()));
            ep.close();                                 // idempotent
        });
    }

    @Test
    void close_stillSendsWhatIsQueued() {
        run(() -> {
            try (var server = openDatagramEndpoint(ANY_LOOPBACK, null)) {
                var client = (DatagramEndpointImpl) openDatagramEndpoint(ANY_LOOPBACK, null);
                client.transport().holdSendsForTest(true);
                client.send(b("queued"), server.localAddress());
                client.close();
                client.transport().holdSendsForTest(false);
                assertEquals("queued", text(server.receive()));
            }
        });
    }
}
