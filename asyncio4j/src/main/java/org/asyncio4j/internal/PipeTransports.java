package org.asyncio4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * Transports over a process's pipes. {@code Process} streams block the thread that uses them,
 * so each pipe has a pump: a platform thread (never a task) that reads or writes the stream and
 * trades chunks with the loop through {@code callSoonThreadsafe}, with a bound on what is in
 * flight so a fast process cannot outrun a slow reader (and vice versa).
 *
 * <p>A pump is off-loop work the loop cannot see: it counts as in flight
 * ({@link EventLoopImpl#offLoopStarted()}) from its start until its thread ends, which it reports
 * through the loop's inbox, so the virtual clock never jumps over data still on its way. A pump
 * ends at its pipe's end (EOF, a broken pipe) or once its transport is closed; a thread blocked
 * in a read cannot be woken by a close (the JDK's pipe streams ignore it), so a source pump
 * whose pipe a descendant of the process still holds open ends only when that pipe closes.
 */
public final class PipeTransports {
    private PipeTransports() {
    }

    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS_IN_FLIGHT = 16;

    /**
     * The loop end of a pipe the process writes (its stdout or stderr). Loop thread.
     *
     * @param onPumpEnd runs on the loop once the pump thread has ended (not if the loop closed first)
     */
    public static Pipe source(EventLoopImpl loop, InputStream in, String name, Runnable onPumpEnd) {
        return new Source(loop, in, name, onPumpEnd).start();
    }

    /**
     * The loop end of a pipe the process reads (its stdin). Loop thread.
     *
     * @param onPumpEnd runs on the loop once the pump thread has ended (not if the loop closed first)
     */
    public static Pipe sink(EventLoopImpl loop, OutputStream out, String name, Runnable onPumpEnd) {
        return new Sink(loop, out, name, onPumpEnd).start();
    }

    /** A pipe's transport and its pump thread. */
    public abstract static sealed class Pipe extends ByteTransport permits Source, Sink {
        private final Thread thread;

        Pipe(EventLoopImpl loop, String name, Runnable onPumpEnd) {
            super(loop);
            this.thread = Thread.ofPlatform().daemon().name("asyncio4j-pipe-" + name).unstarted(() -> {
                try {
                    pump();
                } finally {
                    try {
                        loop.callSoonThreadsafe(() -> {
                            loop.offLoopEnded();
                            onPumpEnd.run();
                        });
                    } catch (IllegalStateException closedLoop) {
                        // nobody counts any more
                    }
                }
            });
        }

        /** Starts the pump, counted as off-loop work in flight until it ends (loop thread). */
        final Pipe start() {
            loop.offLoopStarted();
            try {
                thread.start();
            } catch (RuntimeException | Error e) {
                loop.offLoopEnded();
                throw e;
            }
            return this;
        }

        /** The pump thread's body. */
        abstract void pump();

        /**
         * Runs {@code callback} on the loop (through the ready queue, never inline) once
         * {@link #readNow} may return data or the end; one shot, replacing an earlier one. For
         * protocols, which are called back where streams await ({@link #awaitReadable()}).
         *
         * @throws UnsupportedOperationException on a pipe the process reads
         */
        public void whenReadable(Runnable callback) {
            throw new UnsupportedOperationException("a process input pipe cannot be read");
        }

        /**
         * Waits, on a thread that is not a task, until the pump thread has ended or
         * {@code nanos} have passed.
         *
         * @return true if the pump thread has ended
         * @throws InterruptedException if the waiting thread is interrupted
         */
        public boolean awaitPumpEnd(long nanos) throws InterruptedException {
            return thread.join(java.time.Duration.ofNanos(Math.max(0, nanos)));
        }
    }

    private static final class Source extends Pipe {
        private final InputStream in;
        private final Semaphore room = new Semaphore(CHUNKS_IN_FLIGHT);
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private int headPos;
        private boolean eof;
        private IOException error;
        private boolean closed;
        private FutureImpl<Void> waiter;
        private Runnable readable;             // whenReadable's callback

        Source(EventLoopImpl loop, InputStream in, String name, Runnable onPumpEnd) {
            super(loop, name, onPumpEnd);
            this.in = in;
        }

        /** The pump thread: reads the pipe, hands chunks to the loop. */
        @Override
        void pump() {
            byte[] buf = new byte[CHUNK];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n == 0) {
                        continue;
                    }
                    room.acquireUninterruptibly();
                    byte[] chunk = java.util.Arrays.copyOf(buf, n);
                    if (!post(() -> feed(chunk))) {
                        return;
                    }
                }
                post(() -> end(null));
            } catch (IOException e) {
                post(() -> end(closed ? null : e));
            }
        }

        private boolean post(Runnable r) {
            try {
                loop.callSoonThreadsafe(r);
                return true;
            } catch (IllegalStateException closedLoop) {
                return false;
            }
        }

        private void feed(byte[] chunk) {
            if (closed) {
                return;                   // read before the close: nobody will take it
            }
            chunks.addLast(chunk);
            wake();
        }

        private void end(IOException e) {
            eof = true;
            error = e;
            wake();
        }

        private void wake() {
            FutureImpl<Void> w = waiter;
            if (w != null) {
                waiter = null;
                if (!w.isDone()) {
                    w.complete(null);
                }
            }
            Runnable r = readable;
            if (r != null) {
                readable = null;
                loop.callSoonInternal(new HandleImpl(loop, r));
            }
        }

        @Override
        public void whenReadable(Runnable callback) {
            if (!chunks.isEmpty() || eof) {
                readable = null;
                loop.callSoonInternal(new HandleImpl(loop, callback));
            } else {
                readable = callback;
            }
        }

        @Override
        public int readNow(ByteBuffer dst) throws IOException {
            int total = 0;
            while (dst.hasRemaining() && !chunks.isEmpty()) {
                byte[] head = chunks.peekFirst();
                int n = Math.min(dst.remaining(), head.length - headPos);
                dst.put(head, headPos, n);
                headPos += n;
                total += n;
                if (headPos == head.length) {
                    chunks.pollFirst();
                    headPos = 0;
                    room.release();
                }
            }
            if (total > 0) {
                return total;
            }
            if (eof) {
                if (error != null) {
                    throw error;
                }
                return -1;
            }
            return 0;
        }

        @Override
        public void awaitReadable() {
            if (!chunks.isEmpty() || eof) {
                return;
            }
            FutureImpl<Void> w = new FutureImpl<>(loop);
            waiter = w;
            w.await();
        }

        @Override
        public int writeNow(ByteBuffer src) {
            throw new UnsupportedOperationException("a process output pipe cannot be written");
        }

        @Override
        public void whenWritable(Runnable callback) {
            throw new UnsupportedOperationException("a process output pipe cannot be written");
        }

        @Override
        public void shutdownOutput() {
            throw new UnsupportedOperationException("a process output pipe cannot be written");
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            eof = true;
            chunks.clear();
            room.release(CHUNKS_IN_FLIGHT);
            try {
                in.close();
            } catch (IOException e) {
                // closing
            }
            wake();
        }

        @Override
        public boolean isClosed() {
            return closed;
        }
    }

    private static final class Sink extends Pipe {
        private static final byte[] EOF = new byte[0];
        private final OutputStream out;
        private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        private long inFlight;                 // bytes handed to the pump, not yet written
        private Runnable writable;
        private IOException error;
        private boolean shut;

        Sink(EventLoopImpl loop, OutputStream out, String name, Runnable onPumpEnd) {
            super(loop, name, onPumpEnd);
            this.out = out;
        }

        /** The pump thread: writes what the loop hands over. */
        @Override
        void pump() {
            try {
                while (true) {
                    byte[] chunk = queue.take();
                    if (chunk == EOF) {
                        out.close();
                        return;
                    }
                    out.write(chunk);
                    out.flush();
                    int n = chunk.length;
                    post(() -> written(n, null));
                }
            } catch (IOException e) {
                post(() -> written(0, e));
                try {
                    out.close();
                } catch (IOException ignored) {
                    // already broken
                }
            } catch (InterruptedException e) {
                // the pipe is abandoned
            }
        }

        private void post(Runnable r) {
            try {
                loop.callSoonThreadsafe(r);
            } catch (IllegalStateException closedLoop) {
                // nobody listens any more
            }
        }

        /** The pump's progress report (on the loop): wakes a writer waiting for room or a flush. */
        private void written(int n, IOException e) {
            inFlight -= n;
            if (e != null && error == null) {
                error = e;
            }
            Runnable w = writable;
            if (w != null) {
                writable = null;
                w.run();
            }
        }

        @Override
        public int readNow(ByteBuffer dst) {
            throw new UnsupportedOperationException("a process input pipe cannot be read");
        }

        @Override
        public void awaitReadable() {
            throw new UnsupportedOperationException("a process input pipe cannot be read");
        }

        @Override
        public int writeNow(ByteBuffer src) throws IOException {
            if (error != null) {
                throw error;
            }
            if (shut) {
                throw new IOException("the pipe is closed");
            }
            if (inFlight >= CHUNK) {
                return 0;
            }
            // Take only what fits in flight: the rest stays in the writer's buffer, so drain()
            // waits for a slow process and sees its broken pipe.
            int n = (int) Math.min(src.remaining(), CHUNK - inFlight);
            byte[] chunk = new byte[n];
            src.get(chunk);
            inFlight += n;
            queue.add(chunk);
            return n;
        }

        /** Bytes handed to the pump and not yet written count as pending output. */
        @Override
        public boolean hasPendingOutput() {
            return inFlight > 0;
        }

        @Override
        public boolean flushPending() throws IOException {
            if (error != null) {
                throw error;
            }
            return inFlight == 0;
        }

        /**
         * Runs the callback at once only when nothing is in flight; otherwise at the pump's next
         * progress report, so a writer waiting for room or for the last bytes never polls.
         */
        @Override
        public void whenWritable(Runnable callback) {
            if (inFlight == 0 || error != null) {
                loop.callSoonInternal(new HandleImpl(loop, callback));
            } else {
                writable = callback;
            }
        }

        @Override
        public void shutdownOutput() {
            if (!shut) {
                shut = true;
                queue.add(EOF);
            }
        }

        @Override
        public void close() {
            shutdownOutput();
        }

        /**
         * Discards what the pump has not written yet. What was handed over is never reported
         * written now, so the pipe counts as failed: a writer waiting for it wakes and fails.
         */
        @Override
        public void abort() {
            shut = true;
            queue.clear();
            queue.add(EOF);
            if (error == null) {
                error = new IOException("the pipe is closed");
            }
            Runnable w = writable;
            if (w != null) {
                writable = null;
                loop.callSoonInternal(new HandleImpl(loop, w));
            }
        }

        @Override
        public boolean isClosed() {
            return shut;
        }
    }
}
