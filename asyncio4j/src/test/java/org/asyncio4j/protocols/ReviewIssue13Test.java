package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.streams.Connection;
import org.asyncio4j.streams.Server;
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
}
