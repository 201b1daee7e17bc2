package org.asyncio4j.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Objects;

import org.asyncio4j.Context;
import org.asyncio4j.ExceptionContext;

/**
 * One loop's low-level socket operations (Python's {@code loop.sock_*}) and its reader and
 * writer callbacks ({@code loop.add_reader}/{@code add_writer}), on the loop's {@link IoPoller}.
 * Loop-confined; created by the first use.
 *
 * <h2>Implementation overview</h2>
 * A {@code sock*} call first tries the operation at once (a non-blocking read, write, accept or
 * connect) and only when it would block waits in the poller ({@link EventLoopImpl#awaitReady}),
 * which suspends the calling task alone. While it waits, the channel is marked busy for that
 * direction ({@code busyRead} / {@code busyWrite}): a second {@code sock*} call in the same
 * direction, or a reader/writer callback, is refused before it touches the channel, so two
 * tasks never interleave their bytes and nobody steals the waiter's readiness. A cancelled wait
 * leaves the poller's slot empty and the channel untouched: a receive has consumed nothing, an
 * accept has accepted nothing, a send has sent exactly what the buffer's position says.
 *
 * <p>A reader or writer callback is a {@link Watch}: a callback the poller runs once through
 * {@link IoPoller#whenReady} (so its slot is one-shot, as the poller's are), which re-arms
 * itself after each run; the poller polls every iteration while a slot is filled, so a channel
 * that stays ready runs its callback once per loop iteration until it is removed
 * (level-triggered, as Python's selector loop). Between a run being queued and the run the
 * slot is empty; the busy checks above make sure no task takes it meanwhile. Removing withdraws
 * the armed slot through the key it sits in, which works after the channel closed too.
 * Callbacks run in the context current when they were added; one that throws goes to the
 * exception handler and stays registered (Python's {@code Handle}).
 */
final class LowLevelSockets {
    private static final byte[] EMPTY = new byte[0];

    private final EventLoopImpl loop;
    private final IdentityHashMap<SelectableChannel, Watch> readers = new IdentityHashMap<>();
    private final IdentityHashMap<SelectableChannel, Watch> writers = new IdentityHashMap<>();
    private final IdentityHashMap<SelectableChannel, String> busyRead = new IdentityHashMap<>();
    private final IdentityHashMap<SelectableChannel, String> busyWrite = new IdentityHashMap<>();

    LowLevelSockets(EventLoopImpl loop) {
        this.loop = loop;
    }

    // ------------------------------------------------------------------ sock_*

    void sockConnect(SocketChannel ch, SocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        enter(ch, false, "sockConnect");
        SocketAddress to = address;
        if (address instanceof InetSocketAddress isa && isa.isUnresolved()) {
            to = new InetSocketAddress(NetEngine.resolve(isa.getHostString())[0], isa.getPort());
        }
        // A cancelled sockConnect leaves the connection attempt running; a new call with the
        // same address takes it up again instead of failing with ConnectionPendingException.
        if (ch.isConnectionPending() && to.equals(ch.getRemoteAddress())) {
            finishConnect(ch);
        } else if (ch.isConnected() && to.equals(ch.getRemoteAddress())) {
            return;
        } else if (!ch.connect(to)) {
            finishConnect(ch);
        }
    }

    private void finishConnect(SocketChannel ch) throws IOException {
        while (!ch.finishConnect()) {
            await(ch, SelectionKey.OP_CONNECT, busyWrite, "sockConnect");
        }
    }

    SocketChannel sockAccept(ServerSocketChannel ch) throws IOException {
        enter(ch, true, "sockAccept");
        while (true) {
            SocketChannel c = ch.accept();
            if (c != null) {
                try {
                    c.configureBlocking(false);
                } catch (IOException e) {
                    c.close();
                    throw e;
                }
                return c;
            }
            await(ch, SelectionKey.OP_ACCEPT, busyRead, "sockAccept");
        }
    }

    byte[] sockRecv(SocketChannel ch, int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("sockRecv: n is " + n + "; it must be 0 or more");
        }
        enter(ch, true, "sockRecv");
        if (n == 0) {
            return EMPTY;
        }
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (true) {
            int r = ch.read(buf);
            if (r > 0) {
                return r == n ? buf.array() : Arrays.copyOf(buf.array(), r);
            }
            if (r < 0) {
                return EMPTY;
            }
            await(ch, SelectionKey.OP_READ, busyRead, "sockRecv");
        }
    }

    int sockRecvInto(SocketChannel ch, ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "buffer");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("sockRecvInto: the buffer is read-only");
        }
        enter(ch, true, "sockRecvInto");
        if (!dst.hasRemaining()) {
            return 0;
        }
        while (true) {
            int r = ch.read(dst);
            if (r != 0) {
                return r;
            }
            await(ch, SelectionKey.OP_READ, busyRead, "sockRecvInto");
        }
    }

    void sockSendall(SocketChannel ch, ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "data");
        enter(ch, false, "sockSendall");
        while (true) {
            ch.write(src);
            if (!src.hasRemaining()) {
                return;
            }
            await(ch, SelectionKey.OP_WRITE, busyWrite, "sockSendall");
        }
    }

    long sockSendfile(SocketChannel ch, java.nio.channels.FileChannel file, long offset, long count) throws IOException {
        Sendfile.check(file, offset, count);
        enter(ch, false, "sockSendfile");
        return Sendfile.transferTo(file, offset, Sendfile.end(file, offset, count), ch,
                () -> await(ch, SelectionKey.OP_WRITE, busyWrite, "sockSendfile"));
    }

    /** The checks every sock_* call makes before it touches the channel. */
    private void enter(SelectableChannel ch, boolean read, String op) {
        Objects.requireNonNull(ch, "channel");
        requireNonBlocking(ch, op);
        TaskImpl<?> t = Structured.task(op);
        if (t.loop != loop) {
            throw new IllegalStateException(op + "() called from a task of another event loop: call it on the loop"
                    + " whose task it is (Asyncio.getRunningLoop())");
        }
        String other = (read ? busyRead : busyWrite).get(ch);
        if (other != null) {
            throw new IllegalStateException(op + ": another task is already in " + other + " on " + ch
                    + "; one task at a time may " + (read ? "receive from" : "send to") + " a channel");
        }
        if ((read ? readers : writers).containsKey(ch)) {
            throw new IllegalStateException(op + ": " + ch + " has a " + (read ? "reader" : "writer") + " callback (add"
                    + (read ? "Reader" : "Writer") + "); remove it first");
        }
    }

    private void await(SelectableChannel ch, int op, IdentityHashMap<SelectableChannel, String> busy, String what)
            throws IOException {
        busy.put(ch, what);
        try {
            loop.awaitReady(ch, op);
        } finally {
            busy.remove(ch);
        }
    }

    private static void requireNonBlocking(SelectableChannel ch, String op) {
        if (ch.isBlocking()) {
            throw new IllegalArgumentException(op + ": the channel " + ch + " is in blocking mode; call"
                    + " configureBlocking(false) on it first");
        }
    }

    // ------------------------------------------------------------------ add_reader / add_writer

    void addWatch(SelectableChannel ch, Runnable callback, boolean read) {
        String op = read ? "addReader" : "addWriter";
        Objects.requireNonNull(ch, "channel");
        Objects.requireNonNull(callback, "callback");
        requireNonBlocking(ch, op);
        loop.checkThread(op);
        int ops = ch.validOps() & (read ? SelectionKey.OP_READ | SelectionKey.OP_ACCEPT : SelectionKey.OP_WRITE);
        if (ops == 0) {
            throw new IllegalArgumentException(op + ": " + ch + " cannot be " + (read ? "read" : "written"));
        }
        IdentityHashMap<SelectableChannel, Watch> map = read ? readers : writers;
        Watch w = map.get(ch);
        if (w != null && !w.dead) {
            w.callback = callback;            // Python replaces the handle
            w.context = Contexts.capture();
            return;
        }
        String busy = (read ? busyRead : busyWrite).get(ch);
        if (busy != null) {
            throw new IllegalStateException(op + ": a task is in " + busy + " on " + ch
                    + "; a channel has either a waiting task or a callback in each direction");
        }
        if (!ch.isOpen()) {
            throw new IllegalArgumentException(op + ": the channel " + ch + " is closed");
        }
        Watch fresh = new Watch(ch, ops, read, callback, Contexts.capture());
        try {
            fresh.arm();
        } catch (ClosedChannelException | CancelledKeyException e) {
            throw new IllegalArgumentException(op + ": the channel " + ch + " is closed");
        } catch (IOException e) {
            throw new UncheckedIOException(op + ": cannot register " + ch + " with the loop's selector", e);
        }
        map.put(ch, fresh);
    }

    boolean removeWatch(SelectableChannel ch, boolean read) {
        Objects.requireNonNull(ch, "channel");
        loop.checkThread(read ? "removeReader" : "removeWriter");
        Watch w = (read ? readers : writers).remove(ch);
        if (w == null) {
            return false;
        }
        w.removed = true;
        if (w.armed) {
            w.armed = false;
            w.poller.withdraw(w.key, w.op, w);
        }
        return true;
    }

    /**
     * A reader or writer callback: armed in the poller's slot, queued by the poller once ready,
     * run, armed again. A channel closed under it makes it dead (no more runs) until removed.
     */
    private final class Watch implements Runnable {
        final SelectableChannel ch;
        final int op;
        final boolean read;
        Runnable callback;
        Context context;
        IoPoller poller;          // where it is armed
        SelectionKey key;         // the key whose slot holds it while armed
        boolean armed;
        boolean removed;
        boolean dead;             // the channel closed: it cannot be armed again

        Watch(SelectableChannel ch, int op, boolean read, Runnable callback, Context context) {
            this.ch = ch;
            this.op = op;
            this.read = read;
            this.callback = callback;
            this.context = context;
        }

        void arm() throws IOException {
            IoPoller p = loop.io();
            p.whenReady(ch, op, this);
            poller = p;
            key = ch.keyFor(p.selector);
            armed = true;
        }

        /** The channel was ready: run the callback, then wait for the next readiness. */
        @Override
        public void run() {
            armed = false;
            if (removed) {
                return;
            }
            Contexts.Slot slot = loop.contextSlot;
            Context outer = slot.enter(context);
            try {
                callback.run();
            } catch (Throwable t) {
                loop.callExceptionHandler(new ExceptionContext("Exception in " + this, t, null, null));
            } finally {
                slot.exit(outer);
            }
            if (removed || loop.isClosed()) {
                return;
            }
            try {
                arm();
            } catch (ClosedChannelException | CancelledKeyException closed) {
                dead = true;          // closing the channel ended the callbacks
            } catch (IOException | RuntimeException e) {
                dead = true;
                loop.callExceptionHandler(new ExceptionContext("cannot wait for " + ch + " again; " + this
                        + " is not called any more", e, null, null));
            }
        }

        @Override
        public String toString() {
            return (read ? "reader" : "writer") + " callback " + callback + " of " + ch;
        }
    }
}
