package org.asyncio4j.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.asyncio4j.ExceptionContext;
import org.asyncio4j.protocols.SubprocessProtocol;
import org.asyncio4j.protocols.SubprocessTransport;
import org.asyncio4j.protocols.Transport;
import org.asyncio4j.protocols.TransportAndProtocol;

/**
 * A child process under a {@link SubprocessProtocol}: the transport of
 * {@code EventLoop.subprocessExec}/{@code subprocessShell} (Python's
 * {@code BaseSubprocessTransport} with its pipe protocols). It sits on a
 * {@link SubprocessEngine} started without streams, which owns the process, the pipes' pump
 * threads, the exit watch and the release at the loop's close; this class turns the pipes into
 * three {@link Transport}s and the events into protocol callbacks.
 *
 * <h2>Implementation overview</h2>
 * Every protocol callback goes through {@link #call}: before {@code connectionMade} has run,
 * calls are queued and run right after it, in order (Python's {@code _pending_calls}); after
 * it, they run at once, on the loop. What one throws goes to the exception handler and closes
 * the transport (the package's rule for every protocol; Python's subprocess transport, whose
 * callbacks are plain {@code call_soon}s, would go on), so a running process is killed, and
 * {@code connectionLost} receives that exception. Reading a pipe
 * is pull by callback: a read pipe arms {@link PipeTransports.Pipe#whenReadable}, takes one
 * chunk per wake-up, hands it to {@code pipeDataReceived} and arms again, unless paused; while
 * paused, the pipe's bounded queue fills and its pump stops reading, so the process blocks on
 * its writes. The stdin pipe buffers what its pump cannot take at once and calls the protocol's
 * {@code pauseWriting}/{@code resumeWriting} at its water marks.
 *
 * <p>Lifecycle: {@code connectionLost(null)} is called once, last, when all three pipes are
 * lost and the exit was seen ({@link #tryFinish}). A read pipe is lost at its end of stream,
 * a read failure or its close; the stdin pipe after {@code writeEof}/{@code close} once its
 * buffer is written, at a write failure, at {@code abort}, or when the process exits (with an
 * {@code IOException} if output was still buffered, as Python's broken pipe). {@link #close()}
 * closes the three pipes and kills a running process, whose exit then ends the lifecycle.
 * Loop-confined.
 */
public final class SubprocessProtocolEngine implements SubprocessTransport {
    private static final int DEFAULT_HIGH = 64 * 1024;
    private static final int READ_CHUNK = 64 * 1024;

    private final EventLoopImpl loop;
    private final SubprocessEngine engine;
    private final SubprocessProtocol protocol;
    private final StdinPipe stdin;
    private final ReadPipe stdout;
    private final ReadPipe stderr;
    private List<Runnable> pending = new ArrayList<>();   // null once connectionMade has run
    private boolean exited;
    private int pipesLost;
    private boolean closed;
    private boolean finished;
    private Exception failure;                  // the first exception a protocol callback threw

    private SubprocessProtocolEngine(EventLoopImpl loop, SubprocessEngine engine, SubprocessProtocol protocol) {
        this.loop = loop;
        this.engine = engine;
        this.protocol = protocol;
        this.stdin = new StdinPipe(engine.pipe(0));
        this.stdout = new ReadPipe(1, engine.pipe(1));
        this.stderr = new ReadPipe(2, engine.pipe(2));
        engine.onExit(this::exited);
    }

    /**
     * Starts {@code command} with its three streams piped, under the factory's protocol; returns
     * once {@code connectionMade} has run. From a task of {@code loop}.
     */
    static <P extends SubprocessProtocol> TransportAndProtocol<SubprocessTransport, P> exec(EventLoopImpl loop,
            Supplier<P> protocolFactory, String... command) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(command, "command");
        if (command.length == 0) {
            throw new IllegalArgumentException("subprocessExec: the command is empty; name the program to run");
        }
        for (int i = 0; i < command.length; i++) {
            Objects.requireNonNull(command[i], "command[" + i + "]");
        }
        if (Structured.task("subprocessExec").loop != loop) {
            throw new IllegalStateException("subprocessExec() called from a task of another event loop: call it on the"
                    + " loop whose task it is (Asyncio.getRunningLoop())");
        }
        P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
        SubprocessEngine engine = SubprocessEngine.startPipes(new ProcessBuilder(command), "subprocessExec");
        SubprocessProtocolEngine t = new SubprocessProtocolEngine(loop, engine, protocol);
        FutureImpl<Void> made = new FutureImpl<>(loop);
        loop.callSoonInternal(new HandleImpl(loop, () -> {
            t.connect();
            made.complete(null);
        }));
        try {
            made.await();
        } catch (Throwable stop) {
            t.close();                // cancelled (or stopped) before it returned: leave no process behind
            throw stop;
        }
        return new TransportAndProtocol<>(t, protocol);
    }

    /** connectionMade, then what came before it, then reading (loop). */
    private void connect() {
        List<Runnable> before = pending;
        pending = null;
        call("connectionMade", () -> protocol.connectionMade(this));
        for (Runnable r : before) {
            r.run();
        }
        stdout.arm();
        stderr.arm();
    }

    /** Runs a protocol callback now, or after connectionMade if that has not run yet. */
    private void call(String what, Runnable callback) {
        if (pending != null) {
            pending.add(() -> call(what, callback));
            return;
        }
        try {
            callback.run();
        } catch (Throwable e) {
            loop.callExceptionHandler(new ExceptionContext("Exception in " + protocol.getClass().getName() + "." + what
                    + " of " + this + (finished ? "" : "; the transport is closed"), e, null, null));
            if (!finished) {
                if (failure == null && e instanceof Exception ex) {
                    failure = ex;
                }
                close();
            }
        }
    }

    /** The exit watch's report, after the engine has the exit code (loop). */
    private void exited() {
        stdin.processExited();
        call("processExited", protocol::processExited);
        exited = true;                // only now: connectionLost comes after processExited
        tryFinish();
    }

    private void pipeLost(int fd, Exception failure) {
        pipesLost++;
        call("pipeConnectionLost", () -> protocol.pipeConnectionLost(fd, failure));
        tryFinish();
    }

    private void tryFinish() {
        if (exited && pipesLost == 3 && !finished) {
            finished = true;
            Exception f = failure;
            call("connectionLost", () -> protocol.connectionLost(f));
        }
    }

    // ------------------------------------------------------------------ SubprocessTransport

    @Override
    public long getPid() {
        return engine.process().pid();
    }

    @Override
    public Integer getReturncode() {
        return engine.returnCode();
    }

    @Override
    public Transport getPipeTransport(int fd) {
        return switch (fd) {
            case 0 -> stdin;
            case 1 -> stdout;
            case 2 -> stderr;
            default -> throw new IllegalArgumentException("getPipeTransport: fd is " + fd + "; it must be 0, 1 or 2");
        };
    }

    @Override
    public void terminate() {
        loop.checkThread("terminate");
        if (engine.returnCode() == null) {
            engine.process().destroy();
        }
    }

    @Override
    public void kill() {
        loop.checkThread("kill");
        if (engine.returnCode() == null) {
            engine.process().destroyForcibly();
        }
    }

    @Override
    public void close() {
        loop.checkThread("close");
        if (closed) {
            return;
        }
        closed = true;
        stdin.abort();
        stdout.close();
        stderr.close();
        engine.close();               // kills the process if it still runs; its exit ends the lifecycle
    }

    /** As {@link #close()}: a process has nothing more abrupt to offer. */
    @Override
    public void abort() {
        close();
    }

    @Override
    public boolean isClosing() {
        return closed;
    }

    @Override
    public Object getExtraInfo(String key) {
        Objects.requireNonNull(key, "key");
        return key.equals("subprocess") ? engine.process() : null;
    }

    @Override
    public String toString() {
        Integer rc = engine.returnCode();
        return "SubprocessTransport[pid=" + engine.process().pid() + (rc != null ? " returncode=" + rc
                : closed ? " closing" : " running") + "]";
    }

    // ------------------------------------------------------------------ the pipes

    /** What both kinds of pipe share: the fd, the closing flag, being lost once. */
    private abstract class PipeTransport implements Transport {
        final int fd;
        final PipeTransports.Pipe pipe;
        boolean closing;          // close, abort, writeEof, or lost
        boolean lost;             // pipeConnectionLost called (or queued before connectionMade)

        PipeTransport(int fd, PipeTransports.Pipe pipe) {
            this.fd = fd;
            this.pipe = pipe;
        }

        final void lost(Exception failure) {
            closing = true;
            if (!lost) {
                lost = true;
                pipeLost(fd, failure);
            }
        }

        /** Lost from the next callback on, so a close never calls the protocol back inline. */
        final void lostSoon(Exception failure) {
            closing = true;
            loop.callSoonInternal(new HandleImpl(loop, () -> lost(failure)));
        }

        @Override
        public final void writeLines(Iterable<byte[]> data) {
            Objects.requireNonNull(data, "data");
            for (byte[] chunk : data) {
                write(Objects.requireNonNull(chunk, "a chunk of data"));
            }
        }

        @Override
        public final void write(byte[] data) {
            write(ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
        }

        @Override
        public final boolean isClosing() {
            return closing;
        }

        /** The process's own information: {@code "subprocess"}. */
        @Override
        public final Object getExtraInfo(String key) {
            return SubprocessProtocolEngine.this.getExtraInfo(key);
        }

        @Override
        public String toString() {
            return "PipeTransport[fd=" + fd + (closing ? " closing" : "") + " of " + SubprocessProtocolEngine.this + "]";
        }
    }

    /** The child's stdout (1) or stderr (2): read-only. */
    private final class ReadPipe extends PipeTransport {
        private ByteBuffer scratch;
        private boolean paused;
        private boolean armed;

        ReadPipe(int fd, PipeTransports.Pipe pipe) {
            super(fd, pipe);
        }

        void arm() {
            if (!armed && !paused && !closing) {
                armed = true;
                pipe.whenReadable(this::readable);
            }
        }

        /** One chunk per wake-up, so stdout and stderr take turns. */
        private void readable() {
            armed = false;
            if (paused || closing) {
                return;
            }
            ByteBuffer b = scratch;
            if (b == null) {
                scratch = b = ByteBuffer.allocate(READ_CHUNK);
            }
            b.clear();
            int n;
            try {
                n = pipe.readNow(b);
            } catch (IOException e) {
                pipe.close();
                lost(e);
                return;
            }
            if (n < 0) {
                pipe.close();
                lost(null);
                return;
            }
            if (n > 0) {
                b.flip();
                ByteBuffer data = b;
                call("pipeDataReceived", () -> protocol.pipeDataReceived(fd, data));
            }
            arm();
        }

        @Override
        public void pauseReading() {
            loop.checkThread("pauseReading");
            paused = true;
        }

        @Override
        public void resumeReading() {
            loop.checkThread("resumeReading");
            if (paused) {
                paused = false;
                arm();
            }
        }

        @Override
        public boolean isReading() {
            return !paused && !closing;
        }

        @Override
        public void close() {
            loop.checkThread("close");
            if (!closing) {
                pipe.close();
                lostSoon(null);
            }
        }

        @Override
        public void abort() {
            close();
        }

        @Override
        public void write(ByteBuffer data) {
            throw readOnly();
        }

        @Override
        public void writeEof() {
            throw readOnly();
        }

        @Override
        public boolean canWriteEof() {
            return false;
        }

        @Override
        public void setWriteBufferLimits(int high, int low) {
            throw readOnly();
        }

        @Override
        public int getWriteBufferSize() {
            return 0;
        }

        private UnsupportedOperationException readOnly() {
            return new UnsupportedOperationException("the " + (fd == 1 ? "stdout" : "stderr")
                    + " pipe of a process is read-only");
        }
    }

    /** The child's stdin (0): write-only, buffered, with water marks. */
    private final class StdinPipe extends PipeTransport {
        private final ArrayDeque<ByteBuffer> buffer = new ArrayDeque<>();
        private int buffered;
        private int high = DEFAULT_HIGH;
        private int low = DEFAULT_HIGH / 4;
        private boolean writingPaused;    // the protocol was told pauseWriting
        private boolean flushArmed;
        private boolean eofPending;       // writeEof/close waits for the buffer

        StdinPipe(PipeTransports.Pipe pipe) {
            super(0, pipe);
        }

        @Override
        public void write(ByteBuffer data) {
            Objects.requireNonNull(data, "data");
            loop.checkThread("write");
            if (closing) {
                throw new IllegalStateException("write on the stdin pipe of " + SubprocessProtocolEngine.this
                        + (eofPending ? " after writeEof()" : " after it closed"));
            }
            if (!data.hasRemaining()) {
                return;
            }
            if (buffer.isEmpty()) {
                try {
                    pipe.writeNow(data);
                } catch (IOException e) {
                    fail(e);
                    return;
                }
                if (!data.hasRemaining()) {
                    return;
                }
            }
            ByteBuffer copy = ByteBuffer.allocate(data.remaining());
            copy.put(data).flip();
            buffer.addLast(copy);
            buffered += copy.remaining();
            armFlush();
            if (!writingPaused && buffered > high) {
                writingPaused = true;
                call("pauseWriting", protocol::pauseWriting);
            }
        }

        private void armFlush() {
            if (!flushArmed) {
                flushArmed = true;
                try {
                    pipe.whenWritable(this::flush);
                } catch (IOException e) {
                    flushArmed = false;
                    fail(e);
                }
            }
        }

        /** The pump took some: hand it more (loop). */
        private void flush() {
            flushArmed = false;
            if (buffer.isEmpty() && !eofPending) {
                return;
            }
            try {
                ByteBuffer head;
                while ((head = buffer.peekFirst()) != null) {
                    int n = pipe.writeNow(head);
                    buffered -= n;
                    if (head.hasRemaining()) {
                        break;
                    }
                    buffer.pollFirst();
                }
            } catch (IOException e) {
                fail(e);
                return;
            }
            if (writingPaused && buffered <= low) {
                writingPaused = false;
                call("resumeWriting", protocol::resumeWriting);
            }
            if (!buffer.isEmpty()) {
                armFlush();
            } else if (eofPending) {
                pipe.close();         // EOF after what the pump still holds
                lost(null);
            }
        }

        private void fail(IOException e) {
            buffer.clear();
            buffered = 0;
            pipe.abort();
            lost(e);
        }

        /** The process is gone: nobody reads the pipe any more. */
        void processExited() {
            if (lost) {
                return;
            }
            if (buffer.isEmpty()) {
                pipe.close();
                lost(null);
            } else {
                fail(new IOException("Broken pipe: the process exited with " + buffered + " bytes of its stdin unwritten"));
            }
        }

        @Override
        public void writeEof() {
            loop.checkThread("writeEof");
            if (closing) {
                return;
            }
            closing = true;
            if (buffer.isEmpty()) {
                pipe.close();
                lostSoon(null);
            } else {
                eofPending = true;
            }
        }

        @Override
        public boolean canWriteEof() {
            return true;
        }

        /** Closes after the buffered output is written (Python's write pipe: {@code write_eof}). */
        @Override
        public void close() {
            writeEof();
        }

        @Override
        public void abort() {
            loop.checkThread("abort");
            buffer.clear();
            buffered = 0;
            eofPending = false;
            pipe.abort();
            lostSoon(null);
        }

        @Override
        public void pauseReading() {
            // nothing to read: stdin is write-only
        }

        @Override
        public void resumeReading() {
            // nothing to read: stdin is write-only
        }

        @Override
        public boolean isReading() {
            return false;
        }

        @Override
        public void setWriteBufferLimits(int high, int low) {
            if (low < 0 || high < low) {
                throw new IllegalArgumentException("setWriteBufferLimits: high " + high + " and low " + low
                        + " need 0 <= low <= high");
            }
            this.high = high;
            this.low = low;
            if (!writingPaused && buffered > high) {
                writingPaused = true;
                call("pauseWriting", protocol::pauseWriting);
            } else if (writingPaused && buffered <= low) {
                writingPaused = false;
                call("resumeWriting", protocol::resumeWriting);
            }
        }

        @Override
        public int getWriteBufferSize() {
            return buffered;
        }
    }
}
