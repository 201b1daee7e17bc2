package org.asyncio4j.lowlevel;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.toThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import org.asyncio4j.CancelledException;
import org.asyncio4j.EventLoop;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviours of CPython's Lib/test/test_asyncio/test_sock_lowlevel.py on {@code EventLoop.sock*}:
 * a client and a server written with them, large sends to a slow reader, recv_into, cancelled
 * receives, accepts, connects and sends that leave the channel usable, refused connections,
 * and the bad input (blocking channels, two receivers at once).
 */
@Timeout(60)
class SockLowLevelTest {

    private static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel l = ServerSocketChannel.open();
        l.bind(new InetSocketAddress("127.0.0.1", 0));
        l.configureBlocking(false);
        return l;
    }

    private static SocketChannel client() throws IOException {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        return c;
    }

    /** A connected pair (client, accepted), both non-blocking. */
    private static SocketChannel[] pair(EventLoop loop) throws IOException {
        try (ServerSocketChannel l = listener()) {
            SocketChannel c = client();
            Task<SocketChannel> accepted = createTask(() -> loop.sockAccept(l));
            loop.sockConnect(c, l.getLocalAddress());
            return new SocketChannel[] {c, accepted.await()};
        }
    }

    private static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('0' + i % 10);
        }
        return b;
    }

    @Test
    void sockClientAndServer_echoEveryMessage_andTheAcceptedChannelIsNonBlocking() throws Exception {
        String out = run(() -> {
            EventLoop loop = getRunningLoop();
            try (ServerSocketChannel l = listener()) {
                Task<Boolean> server = createTask(() -> {
                    try (SocketChannel c = loop.sockAccept(l)) {
                        boolean nonBlocking = !c.isBlocking();
                        byte[] data;
                        while ((data = loop.sockRecv(c, 1024)).length > 0) {
                            loop.sockSendall(c, data);
                        }
                        return nonBlocking;
                    }
                });
                StringBuilder got = new StringBuilder();
                try (SocketChannel c = client()) {
                    loop.sockConnect(c, l.getLocalAddress());
                    for (String m : new String[] {"hello", "asyncio", "world"}) {
                        loop.sockSendall(c, m.getBytes(US_ASCII));
                        ByteArrayOutputStream echo = new ByteArrayOutputStream();
                        while (echo.size() < m.length()) {
                            echo.write(loop.sockRecv(c, 1024));
                        }
                        got.append(echo.toString(US_ASCII)).append(' ');
                    }
                    c.shutdownOutput();
                    assertArrayEquals(new byte[0], loop.sockRecv(c, 1024), "EOF after the server closed");
                }
                assertTrue(server.await(), "sockAccept returns a non-blocking channel");
                return got.toString().trim();
            }
        });
        assertEquals("hello asyncio world", out);
    }

    /** loop.sock_sendfile: a file larger than the socket buffers arrives byte-exact, offset and count respected. */
    @Test
    void sockSendfile_sendsTheFileRange_zeroCopy_andLeavesTheFilePositionAlone() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("sock-sendfile", ".bin");
        try {
            byte[] content = pattern(5 * 1024 * 1024 + 17);
            java.nio.file.Files.write(f, content);
            run(() -> {
                EventLoop loop = getRunningLoop();
                SocketChannel[] p = pair(loop);
                try (SocketChannel c = p[0]; SocketChannel s = p[1];
                        java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(f)) {
                    long offset = 1000, count = content.length - 2000;
                    Task<byte[]> reader = createTask(() -> {
                        ByteArrayOutputStream got = new ByteArrayOutputStream();
                        while (got.size() < count) {
                            got.write(loop.sockRecv(s, 64 * 1024));
                        }
                        return got.toByteArray();
                    });
                    assertEquals(count, loop.sockSendfile(c, file, offset, count));
                    assertEquals(0, file.position(), "the file's position is left alone");
                    assertArrayEquals(java.util.Arrays.copyOfRange(content, (int) offset, (int) (offset + count)), reader.await());
                    assertEquals(0, loop.sockSendfile(c, file, content.length, 0), "nothing past the end");
                    assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(c, file, -1, 0));
                    try (SocketChannel blocking = SocketChannel.open()) {
                        assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(blocking, file, 0, 0));
                    }
                }
                return null;
            });
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    @Test
    void sockSendall_severalMegabytes_toAPeerThatReadsSlowly_arriveWhole_andTheLoopGoesOn() throws Exception {
        int size = 6 * 1024 * 1024;
        byte[] data = pattern(size);
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (ServerSocketChannel l = ServerSocketChannel.open()) {
                l.bind(new InetSocketAddress("127.0.0.1", 0));
                // The peer: a platform thread reading with a blocking socket, slowly.
                Task<byte[]> peer = createTask(() -> toThread(() -> {
                    try (Socket s = l.socket().accept(); InputStream in = s.getInputStream()) {
                        ByteArrayOutputStream all = new ByteArrayOutputStream();
                        byte[] buf = new byte[16 * 1024];
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            all.write(buf, 0, n);
                            Thread.sleep(0, 200_000);
                        }
                        return all.toByteArray();
                    }
                }));
                AtomicInteger ticks = new AtomicInteger();
                Task<Void> ticker = createTask(() -> {
                    while (true) {
                        sleep(0.001);
                        ticks.incrementAndGet();
                    }
                });
                try (SocketChannel c = client()) {
                    loop.sockConnect(c, l.getLocalAddress());
                    ByteBuffer src = ByteBuffer.wrap(data);
                    loop.sockSendall(c, src);
                    assertFalse(src.hasRemaining(), "all sent: the position is at the limit");
                }
                byte[] got = peer.await();
                ticker.cancel();
                assertEquals(size, got.length);
                assertTrue(Arrays.equals(data, got), "the bytes arrive whole and in order");
                assertTrue(ticks.get() > 0, "other tasks ran while sockSendall waited for room");
            }
        });
    }

    @Test
    void sockRecv_ofSeveralMegabytes_whileAnotherTaskSendsThem_returnsEveryByteInOrder() throws Exception {
        int size = 4 * 1024 * 1024;
        byte[] data = pattern(size);
        run(() -> {
            EventLoop loop = getRunningLoop();
            SocketChannel[] p = pair(loop);
            try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
                Task<Void> send = createTask(() -> {
                    loop.sockSendall(a, data);
                    a.shutdownOutput();
                });
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] chunk;
                while ((chunk = loop.sockRecv(b, size)).length > 0) {
                    got.write(chunk);
                }
                send.await();
                assertArrayEquals(data, got.toByteArray());
            }
        });
    }

    @Test
    void sockRecvInto_fillsTheRemainingSpace_advancesThePosition_andGivesMinusOneAtEof() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            SocketChannel[] p = pair(loop);
            try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
                loop.sockSendall(a, "GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
                ByteBuffer buf = ByteBuffer.allocate(1024);
                buf.position(4);
                int total = 0;
                while (total < 18) {
                    int n = loop.sockRecvInto(b, buf);
                    assertTrue(n > 0);
                    total += n;
                }
                assertEquals(4 + 18, buf.position(), "the position advanced by the count");
                assertEquals("GET / HTTP/1.0\r\n\r\n", new String(buf.array(), 4, 18, US_ASCII));
                ByteBuffer full = ByteBuffer.allocate(0);
                assertEquals(0, loop.sockRecvInto(b, full), "no room: 0 at once");
                a.shutdownOutput();
                assertEquals(-1, loop.sockRecvInto(b, buf), "EOF: -1");
                assertThrows(IllegalArgumentException.class, () -> loop.sockRecvInto(b, ByteBuffer.allocate(4).asReadOnlyBuffer()));
            }
        });
    }

    @Test
    void sockRecv_cancelled_consumesNothing_andTheChannelStaysUsable() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            SocketChannel[] p = pair(loop);
            try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
                Task<byte[]> recv = createTask(() -> loop.sockRecv(b, 1024));
                sleep(0.05);
                recv.cancel();
                assertThrows(CancelledException.class, recv::await);
                Task<Integer> into = createTask(() -> loop.sockRecvInto(b, ByteBuffer.allocate(16)));
                sleep(0.05);
                into.cancel();
                assertThrows(CancelledException.class, into::await);
                loop.sockSendall(a, "GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                while (got.size() < 18) {
                    got.write(loop.sockRecv(b, 1024));
                }
                assertEquals("GET / HTTP/1.0\r\n\r\n", got.toString(US_ASCII), "nothing was lost to the cancelled receives");
            }
        });
    }

    @Test
    void sockAccept_cancelled_acceptsNothing_andTheListenerStaysUsable() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (ServerSocketChannel l = listener()) {
                Task<SocketChannel> accept = createTask(() -> loop.sockAccept(l));
                sleep(0.05);
                accept.cancel();
                assertThrows(CancelledException.class, accept::await);
                try (SocketChannel c = client()) {
                    loop.sockConnect(c, l.getLocalAddress());
                    try (SocketChannel s = loop.sockAccept(l)) {
                        loop.sockSendall(c, new byte[] {42});
                        assertArrayEquals(new byte[] {42}, loop.sockRecv(s, 10));
                    }
                }
            }
        });
    }

    @Test
    void sockConnect_cancelled_isTakenUpAgainByTheNextCallWithTheSameAddress() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (ServerSocketChannel l = listener(); SocketChannel c = client()) {
                Task<Void> connect = createTask(() -> loop.sockConnect(c, l.getLocalAddress()));
                sleep(0);
                connect.cancel();
                try {
                    connect.await();       // it may have connected before the cancellation landed
                } catch (CancelledException expected) {
                    // the usual case: cancelled while the connection was pending
                }
                loop.sockConnect(c, l.getLocalAddress());
                assertTrue(c.isConnected());
                try (SocketChannel s = loop.sockAccept(l)) {
                    loop.sockSendall(s, "ok".getBytes(US_ASCII));
                    assertEquals("ok", new String(loop.sockRecv(c, 10), US_ASCII));
                }
            }
        });
    }

    @Test
    void sockSendall_cancelledWhileTheSocketIsFull_thePositionSaysWhatWasSent_andTheNextSendFollowsIt() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            SocketChannel[] p = pair(loop);
            try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
                ByteBuffer big = ByteBuffer.wrap(new byte[32 * 1024 * 1024]);   // more than the socket buffers hold
                Task<Void> send = createTask(() -> loop.sockSendall(a, big));
                sleep(0.1);
                send.cancel();
                assertThrows(CancelledException.class, send::await);
                int sent = big.position();
                assertTrue(sent > 0 && big.hasRemaining(), "a partial send: " + sent);
                Task<Void> world = createTask(() -> {
                    loop.sockSendall(a, "world".getBytes(US_ASCII));
                    a.shutdownOutput();
                });
                long total = 0;
                byte[] tail = new byte[0];
                byte[] chunk;
                while ((chunk = loop.sockRecv(b, 1 << 20)).length > 0) {
                    total += chunk.length;
                    byte[] t = Arrays.copyOf(tail, tail.length + chunk.length);
                    System.arraycopy(chunk, 0, t, tail.length, chunk.length);
                    tail = Arrays.copyOfRange(t, Math.max(0, t.length - 5), t.length);
                }
                world.await();
                assertEquals(sent + 5, total, "exactly the sent prefix, then the next send");
                assertEquals("world", new String(tail, US_ASCII));
            }
        });
    }

    @Test
    void sockConnect_toARefusedPort_throwsConnectException() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            InetSocketAddress closed;
            try (ServerSocketChannel l = listener()) {
                closed = (InetSocketAddress) l.getLocalAddress();
            }
            try (SocketChannel c = client()) {
                assertThrows(ConnectException.class, () -> loop.sockConnect(c, closed));
            }
        });
    }

    @Test
    void sockConnect_toAnUnresolvedHostName_resolvesIt() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (ServerSocketChannel l = ServerSocketChannel.open()) {
                l.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
                l.configureBlocking(false);
                int port = ((InetSocketAddress) l.getLocalAddress()).getPort();
                try (SocketChannel c = client()) {
                    Task<SocketChannel> s = createTask(() -> loop.sockAccept(l));
                    loop.sockConnect(c, InetSocketAddress.createUnresolved("localhost", port));
                    assertTrue(c.isConnected());
                    s.await().close();
                }
            }
        });
    }

    @Test
    void blockingChannels_areRefusedWithIllegalArgumentException_naming_theChannel() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (ServerSocketChannel l = ServerSocketChannel.open(); SocketChannel c = SocketChannel.open()) {
                l.bind(new InetSocketAddress("127.0.0.1", 0));
                for (var call : new org.junit.jupiter.api.function.Executable[] {
                    () -> loop.sockConnect(c, l.getLocalAddress()),
                    () -> loop.sockAccept(l),
                    () -> loop.sockRecv(c, 10),
                    () -> loop.sockRecvInto(c, ByteBuffer.allocate(10)),
                    () -> loop.sockSendall(c, new byte[1]),
                    () -> loop.sockSendall(c, ByteBuffer.allocate(1)),
                    () -> loop.addReader(c, () -> { }),
                    () -> loop.addWriter(c, () -> { }),
                }) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
                    assertTrue(e.getMessage().contains("blocking mode") && e.getMessage().contains("Channel"), e.getMessage());
                }
                assertFalse(c.isConnected(), "nothing was attempted");
            }
        });
    }

    @Test
    void twoTasksReceivingFromOneChannel_theSecondIsRefused_andTheFirstStillGetsTheData() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            SocketChannel[] p = pair(loop);
            try (SocketChannel a = p[0]; SocketChannel b = p[1]) {
                Task<byte[]> first = createTask(() -> loop.sockRecv(b, 10));
                sleep(0.02);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.sockRecv(b, 10));
                assertTrue(e.getMessage().contains("another task"), e.getMessage());
                loop.sockSendall(a, new byte[] {7});
                assertArrayEquals(new byte[] {7}, first.await());
            }
        });
    }

    @Test
    void sockCalls_outsideATask_areIllegalState_andBadArgumentsAreNamed() throws Exception {
        try (EventLoop loop = org.asyncio4j.Asyncio.newEventLoop(); SocketChannel c = client()) {
            assertThrows(IllegalStateException.class, () -> loop.sockRecv(c, 10));
            assertThrows(NullPointerException.class, () -> loop.sockRecv(null, 10));
            assertThrows(NullPointerException.class, () -> loop.sockSendall(c, (byte[]) null));
            assertThrows(IllegalArgumentException.class, () -> loop.sockRecv(c, -1));
        }
    }
}
