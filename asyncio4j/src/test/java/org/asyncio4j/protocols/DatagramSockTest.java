package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.protocols.DatagramProtocolTest.ANY_LOOPBACK;
import static org.asyncio4j.protocols.DatagramProtocolTest.b;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

import org.asyncio4j.CancelledException;
import org.asyncio4j.EventLoop;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code EventLoop.sockRecvfrom}/{@code sockSendto} on non-blocking channels (test_sock_lowlevel's
 * datagram cases): a receive suspends until a datagram comes, a cancelled one takes nothing, a
 * short buffer truncates, and a channel in blocking mode is refused.
 */
@Timeout(30)
class DatagramSockTest {

    static DatagramChannel channel() throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(ANY_LOOPBACK);
        ch.configureBlocking(false);
        return ch;
    }

    @Test
    void recvfrom_suspendsUntilADatagramArrives_sendtoDeliversIt() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (DatagramChannel a = channel(); DatagramChannel c = channel()) {
                Task<Datagram> r = createTask(() -> loop.sockRecvfrom(a, 100));
                sleep(0.02);
                assertFalse(r.isDone());
                assertEquals(5, loop.sockSendto(c, ByteBuffer.wrap(b("hello")), a.getLocalAddress()));
                Datagram d = r.await();
                assertEquals("hello", new String(d.data(), StandardCharsets.UTF_8));
                assertEquals(c.getLocalAddress(), d.from());
            }
        });
    }

    /** loop.sock_recvfrom_into: into the buffer's remaining space, the position advanced, the sender returned. */
    @Test
    void recvfromInto_fillsTheBuffersRemainingSpace_andReturnsTheSender() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (DatagramChannel a = channel(); DatagramChannel c = channel()) {
                ByteBuffer dst = ByteBuffer.allocate(8);
                dst.put((byte) '>');
                Task<java.net.InetSocketAddress> r = createTask(() -> loop.sockRecvfromInto(a, dst));
                sleep(0.02);
                assertFalse(r.isDone(), "suspends until a datagram comes");
                loop.sockSendto(c, ByteBuffer.wrap(b("0123456789")), a.getLocalAddress());
                assertEquals(c.getLocalAddress(), r.await());
                assertEquals(8, dst.position(), "7 bytes fit after the one already there; the rest is discarded");
                assertEquals(">0123456", new String(dst.array(), 0, 8, StandardCharsets.UTF_8));
                assertThrows(IllegalArgumentException.class,
                        () -> loop.sockRecvfromInto(a, ByteBuffer.allocate(4).asReadOnlyBuffer()));
            }
        });
    }

    @Test
    void recvfrom_withAShortBuffer_truncatesTheDatagram() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (DatagramChannel a = channel(); DatagramChannel c = channel()) {
                loop.sockSendto(c, ByteBuffer.wrap(b("0123456789")), a.getLocalAddress());
                assertEquals("0123", new String(loop.sockRecvfrom(a, 4).data(), StandardCharsets.UTF_8));
            }
        });
    }

    @Test
    void aCancelledRecvfrom_takesNoDatagram() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (DatagramChannel a = channel(); DatagramChannel c = channel()) {
                Task<Datagram> r = createTask(() -> loop.sockRecvfrom(a, 100));
                sleep(0.02);
                r.cancel();
                assertThrows(CancelledException.class, r::await);
                loop.sockSendto(c, ByteBuffer.wrap(b("kept")), a.getLocalAddress());
                assertEquals("kept", new String(loop.sockRecvfrom(a, 100).data(), StandardCharsets.UTF_8));
            }
        });
    }

    @Test
    void aChannelInBlockingMode_isRefused() {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.bind(ANY_LOOPBACK);
                var e = assertThrows(IllegalArgumentException.class, () -> loop.sockRecvfrom(ch, 10));
                assertTrue(e.getMessage().contains("non-blocking"), e.getMessage());
                assertThrows(IllegalArgumentException.class,
                        () -> loop.sockSendto(ch, ByteBuffer.wrap(b("x")), (InetSocketAddress) ch.getLocalAddress()));
                ch.configureBlocking(false);
                assertThrows(IllegalArgumentException.class, () -> loop.sockRecvfrom(ch, -1));
                assertThrows(NullPointerException.class, () -> loop.sockSendto(ch, null, ch.getLocalAddress()));
            }
        });
    }
}
