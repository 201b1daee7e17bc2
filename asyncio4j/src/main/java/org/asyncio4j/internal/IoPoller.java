package org.asyncio4j.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

import org.asyncio4j.ExceptionContext;

/**
 * A loop's I/O readiness: one {@link Selector}, polled by the loop thread in every iteration
 * while some channel has a waiter (with a timeout only when nothing else is ready), exactly as
 * asyncio's selector loop does. So socket readiness never crosses threads: no poller thread,
 * no wake-up hop, and cancelling a task that waits for a socket leaves the socket intact.
 *
 * <h2>Implementation overview</h2>
 * Each registered channel's key carries two slots, one for reading (OP_READ or OP_ACCEPT) and
 * one for writing (OP_WRITE or OP_CONNECT). A slot holds either a future a task awaits
 * ({@link #await}) or a callback ({@link #whenReady}); readiness empties the slot and completes
 * or runs it. Interest in an op stays registered after it fires (the waiter usually comes back
 * at once) and is dropped the first time it fires with an empty slot, so an idle channel costs
 * at most one spurious event. Loop-confined.
 *
 * <p>A slot may also hold an {@link Entry}, the loop's own readiness callback (a protocol
 * transport's reader or flusher): readiness appends the entry itself to the ready queue, with no
 * handle allocated, at most once until it runs (a re-entrant {@link #forget} selects too, and
 * must never run user code inline). A persistent entry stays in its slot after it fires, so a
 * reading transport registers once, not once per message; {@link #drop} empties the slot.
 */
final class IoPoller {
    private final EventLoopImpl loop;
    final Selector selector;
    private int waiting;           // filled slots: while > 0 the loop polls every iteration
    private final java.util.function.Consumer<SelectionKey> onReady = this::ready;   // one, not one per poll

    IoPoller(EventLoopImpl loop) {
        this.loop = loop;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the loop's selector", e);
        }
    }

    /**
     * A readiness callback of the loop's own, queued as it is (it catches what it throws).
     * Persistent: kept in its slot when it fires, until {@link #drop}ped.
     */
    abstract static class Entry implements Runnable {
        private final boolean persistent;
        private boolean queued;

        Entry(boolean persistent) {
            this.persistent = persistent;
        }

        @Override
        public final void run() {
            queued = false;
            ready();
        }

        /** The channel is ready (or the entry was {@link IoPoller#queue queued} by hand). */
        abstract void ready();
    }

    private static final class Slots {
        Object read;    // FutureImpl<Void> or Runnable
        Object write;
    }

    int waiting() {
        return waiting;
    }

    private SelectionKey key(SelectableChannel ch) throws ClosedChannelException {
        SelectionKey k = ch.keyFor(selector);
        if (k == null || !k.isValid()) {
            if (k != null) {
                flushCancelledKeys();           // before re-registering
            }
            k = ch.register(selector, 0, new Slots());
        }
        return k;
    }

    private static boolean isReadOp(int op) {
        return (op & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0;
    }

    /** Suspends the current task until {@code ch} is ready for {@code op}. */
    void await(SelectableChannel ch, int op) throws IOException {
        SelectionKey k;
        Slots s;
        FutureImpl<Void> f = new FutureImpl<>(loop);
        boolean read = isReadOp(op);
        try {
            k = key(ch);
            s = (Slots) k.attachment();
            if ((read ? s.read : s.write) != null) {
                throw new IllegalStateException("another task is already waiting to " + (read ? "read from" : "write to")
                        + " this channel");
            }
            k.interestOps(k.interestOps() | op);
        } catch (CancelledKeyException e) {
            throw new ClosedChannelException();
        }
        if (read) {
            s.read = f;
        } else {
            s.write = f;
        }
        waiting++;
        try {
            f.await();
        } catch (java.util.concurrent.CompletionException e) {
            throw FutureImpl.ioCause(e);
        } finally {
            if (read ? s.read == f : s.write == f) {
                if (read) {
                    s.read = null;
                } else {
                    s.write = null;
                }
                waiting--;
            }
        }
    }

    /** Runs {@code callback} on the loop once {@code ch} is ready for {@code op}. */
    void whenReady(SelectableChannel ch, int op, Runnable callback) throws IOException {
        boolean read = isReadOp(op);
        try {
            SelectionKey k = key(ch);
            Slots s = (Slots) k.attachment();
            Object prev = read ? s.read : s.write;
            if (prev == callback) {
                return;
            }
            if (prev != null) {
                throw new IllegalStateException("the channel already has a " + (read ? "read" : "write") + " waiter");
            }
            k.interestOps(k.interestOps() | op);
            if (read) {
                s.read = callback;
            } else {
                s.write = callback;
            }
            waiting++;
        } catch (CancelledKeyException e) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Withdraws {@code callback}, which {@link #whenReady} put in the slot for {@code op} of the
     * key {@code k}, if it has not fired yet: true if it was still there. Works on a key
     * cancelled since (its channel closed), so a withdrawn callback never leaves the loop
     * polling for nothing. The interest op stays until it fires with an empty slot.
     */
    boolean withdraw(SelectionKey k, int op, Runnable callback) {
        Slots s = (Slots) k.attachment();
        if (isReadOp(op) ? s.read != callback : s.write != callback) {
            return false;
        }
        if (isReadOp(op)) {
            s.read = null;
        } else {
            s.write = null;
        }
        waiting--;
        return true;
    }

    /** {@link #withdraw} by channel: nothing to do if {@code ch} was never registered here. */
    void drop(SelectableChannel ch, int op, Runnable callback) {
        SelectionKey k = ch.keyFor(selector);
        if (k != null) {
            withdraw(k, op, callback);
        }
    }

    /** Appends {@code e} to the ready queue unless it is there already. */
    void queue(Entry e) {
        if (!e.queued) {
            e.queued = true;
            loop.callSoonInternal(e);
        }
    }

    /** Forgets a channel about to close: its waiters fail with ClosedChannelException. */
    void forget(SelectableChannel ch) {
        SelectionKey k = ch.keyFor(selector);
        if (k == null) {
            return;
        }
        Slots s = (Slots) k.attachment();
        k.cancel();
        Object r = s.read, w = s.write;
        s.read = s.write = null;
        failSlot(r);
        failSlot(w);
        // NIO closes a registered channel only once its cancelled key is flushed by a select:
        // flush now, so a closed listening socket refuses connections at once and a closed
        // connection sends its FIN without waiting for the loop's next poll.
        flushCancelledKeys();
    }

    private void flushCancelledKeys() {
        try {
            selector.selectNow(onReady);
        } catch (IOException e) {
            // reported by the next poll
        }
    }

    private void failSlot(Object slot) {
        if (slot == null) {
            return;
        }
        waiting--;
        if (slot instanceof FutureImpl<?> f) {
            if (!f.isDone()) {
                f.fail(new ClosedChannelException());
                f.markRetrieved();
            }
        }
    }

    /** Polls: {@code nanos} < 0 waits for an event or a wake-up, 0 does not wait. */
    void poll(long nanos) {
        try {
            if (nanos == 0) {
                selector.selectNow(onReady);
            } else if (nanos < 0) {
                selector.select(onReady);
            } else {
                selector.select(onReady, Math.max(1, (nanos + 999_999) / 1_000_000));
            }
        } catch (IOException e) {
            loop.callExceptionHandler(new ExceptionContext("the loop's selector failed", e, null, null));
        }
    }

    private void ready(SelectionKey k) {
        Slots s = (Slots) k.attachment();
        int ops;
        try {
            ops = k.readyOps();
        } catch (CancelledKeyException e) {
            return;
        }
        int drop = 0;
        if ((ops & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
            Object r = s.read;
            if (r == null) {
                drop |= ops & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
            } else if (r instanceof Entry e && e.persistent) {
                queue(e);
            } else {
                s.read = null;
                waiting--;
                fire(r);
            }
        }
        if ((ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            Object w = s.write;
            if (w == null) {
                drop |= ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT);
            } else if (w instanceof Entry e && e.persistent) {
                queue(e);
            } else {
                s.write = null;
                waiting--;
                fire(w);
            }
        }
        if (drop != 0 && k.isValid()) {
            try {
                k.interestOps(k.interestOps() & ~drop);
            } catch (CancelledKeyException e) {
                // closed meanwhile
            }
        }
    }

    private void fire(Object slot) {
        if (slot instanceof FutureImpl<?> f) {
            if (!f.isDone()) {
                f.complete(null);
            }
        } else if (slot instanceof Entry e) {
            queue(e);
        } else {
            loop.callSoonInternal(new HandleImpl(loop, (Runnable) slot));
        }
    }

    void wakeup() {
        selector.wakeup();
    }

    void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
