package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.CancelledException;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 13's transports: bugs found by the adversarial review, one test each.
 * Real clock, loopback.
 */
@Timeout(30)
class ReviewIssue13Test {

    /** What {@code action} throws when run on a thread of the default executor (null if nothing). */
    private static RuntimeException fromAnotherThread(Runnable action) {
        AtomicReference<RuntimeException> thrown = new AtomicReference<>();
        toThread(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            return null;
        });
        return thrown.get();
    }

    /**
     * A stream transport is loop-confined (its buffer, its flags): a write, close or abort from
     * another thread must be refused, not race the loop over the transport's state.
     */
    @Test
    void streamTransport_calledFromAnotherThread_isRefused() {
        run(() -> {
            var pair = ProtocolTransportTest.pair();
            Transport t = pair.transport();
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(() -> t.write(new byte[] {1, 2, 3})));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(() -> t.writeEof()));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(t::pauseReading));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(t::close));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(t::abort));
            assertFalse(t.isClosing());
            t.write(new byte[] {7});                       // the loop's own calls still work
            assertEquals(7, pair.peer().reader().readExactly(1)[0]);
            t.close();
            pair.protocol().done.await();
            pair.protocol().assertLostOnceAndLast();
            pair.server().close();
        });
    }

    /** The same for a datagram transport. */
    @Test
    void datagramTransport_calledFromAnotherThread_isRefused() {
        run(() -> {
            var tp = getRunningLoop().createDatagramEndpoint(() -> new DatagramProtocol() { },
                    new InetSocketAddress("127.0.0.1", 0), null);
            DatagramTransport t = tp.transport();
            InetSocketAddress self = (InetSocketAddress) t.getExtraInfo("sockname");
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(() -> t.sendTo(new byte[] {1}, self)));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(t::close));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(t::abort));
            assertFalse(t.isClosing());
            t.close();
        });
    }

    /**
     * EventLoop.startTls cancelled while it waits for the old transport's buffer to drain (the
     * peer reads nothing): as documented, the connection is closed (Python's start_tls closes
     * the transport on any failure, cancellation included), not left open and paused for good.
     */
    @Test
    void startTls_cancelledWhileTheBufferDrains_closesTheConnection() {
        run(() -> {
            var pair = ProtocolTransportTest.pair();
            Transport t = pair.transport();
            byte[] mib = new byte[1 << 20];
            for (int i = 0; i < 32 && t.getWriteBufferSize() == 0; i++) {
                t.write(mib);                                  // the peer never reads: the buffer fills
            }
            assertTrue(t.getWriteBufferSize() > 0);
            var ssl = TestTls.client();
            Task<Transport> upgrade = createTask(() -> getRunningLoop().startTls(t, pair.protocol(), ssl, false, "localhost"));
            sleep(0.05);
            assertFalse(upgrade.isDone());
            upgrade.cancel();
            assertThrows(CancelledException.class, upgrade::await);
            assertTrue(t.isClosing(), "the connection is closed: " + t);
            t.abort();                                         // the buffer cannot drain: end it now
            pair.protocol().done.await();
            pair.protocol().assertLostOnceAndLast();
            pair.server().close();
        });
    }

    /**
     * A datagram transport still open when its loop closes is closed by the loop; closing it
     * afterwards is a no-op, as for a stream transport, not an IllegalStateException from
     * scheduling connectionLost on the closed loop.
     */
    @Test
    void datagramTransport_closedAfterItsLoopClosed_isANoOp() {
        AtomicReference<DatagramTransport> datagram = new AtomicReference<>();
        AtomicReference<Transport> stream = new AtomicReference<>();
        run(() -> {
            datagram.set(getRunningLoop().createDatagramEndpoint(() -> new DatagramProtocol() { },
                    new InetSocketAddress("127.0.0.1", 0), null).transport());
            stream.set(ProtocolTransportTest.pair().transport());
        });
        assertTrue(stream.get().isClosing());
        stream.get().close();                                  // a no-op
        assertTrue(datagram.get().isClosing(), "closed with its loop: " + datagram.get());
        datagram.get().close();
        datagram.get().abort();
        assertFalse(((java.nio.channels.DatagramChannel) datagram.get().getExtraInfo("socket")).isOpen());
    }

    /** A subprocess's pipe transports are loop-confined as well. */
    @Test
    void subprocessPipes_calledFromAnotherThread_areRefused() {
        run(() -> {
            var tp = getRunningLoop().subprocessExec(() -> new SubprocessProtocol() { }, "cat");
            SubprocessTransport t = tp.transport();
            Transport stdin = t.getPipeTransport(0), stdout = t.getPipeTransport(1);
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(() -> stdin.write(new byte[] {1})));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(stdin::writeEof));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(stdin::abort));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(stdout::pauseReading));
            assertInstanceOf(IllegalStateException.class, fromAnotherThread(stdout::close));
            assertFalse(stdin.isClosing());
            assertFalse(stdout.isClosing());
            t.close();
        });
    }
}
