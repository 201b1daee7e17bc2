package org.asyncio4j.internal;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.streams.StreamOptions;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * A running process, its pipes and their pumps: the engine under
 * {@code org.asyncio4j.subprocess.Subprocess} (Python's {@code BaseSubprocessTransport}).
 *
 * <h2>Implementation overview</h2>
 * {@link #start} forks on the default executor, off the loop. Each piped stream gets a
 * {@link PipeTransports} pipe with its pump thread, under a stream of the stream engine; the
 * JDK's exit watch ({@code Process.onExit}) reports the exit through the loop's inbox. These are
 * the engine's off-loop <em>pieces</em>: each counts as off-loop work in flight from its start
 * until its end reaches the loop (the pumps count themselves, the engine counts the exit watch),
 * so the virtual clock follows real time while a process runs instead of jumping over it.
 *
 * <p>Lifecycle (loop thread; {@code exit} is the future of the exit code):
 * <table>
 *   <caption>states</caption>
 *   <tr><th>state</th><th>exit</th><th>closed</th><th>left by</th></tr>
 *   <tr><td>running</td><td>pending</td><td>false</td><td>the exit watch reports (exited);
 *       {@link #close()} (closing: it kills the process)</td></tr>
 *   <tr><td>closing</td><td>pending</td><td>true</td><td>the exit watch reports the kill</td></tr>
 *   <tr><td>exited</td><td>done</td><td>either</td><td>final; {@link #close()} closes the pipes,
 *       kills nothing</td></tr>
 * </table>
 * The exit closes the stdin writer (after what it buffers, so the stdin pump ends); the source
 * pumps end at their pipes' EOF, or at once when {@link #close()} closes them.
 *
 * <h2>Release at the loop's close</h2>
 * While any piece is alive the engine is registered with its loop
 * ({@link EventLoopImpl#releaseAtClose}); the last piece's end withdraws it. A loop that closes
 * first (its tasks have ended) releases it: {@link #close()}, then it waits, on the closing
 * thread (never a task), up to {@link #RELEASE_WAIT_NANOS} for the pump threads to end and the
 * process to be reaped. So {@code Asyncio.run} leaves no pump thread and no child behind, except
 * a pipe that a descendant of the process still holds open: its pump ends when that pipe closes
 * (a blocked read ignores a close), and the release logs it.
 */
public final class SubprocessEngine {
    private static final System.Logger LOG = System.getLogger("org.asyncio4j");
    static final long RELEASE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final EventLoopImpl loop;
    private final Process process;
    private final PipeTransports.Pipe[] pipes;     // stdin, stdout, stderr; null where not piped
    private final StreamWriter stdin;
    private final StreamReader stdout;
    private final StreamReader stderr;
    private final FutureImpl<Integer> exit;
    private final AutoCloseable release = this::release;
    private Runnable exitListener;                 // a protocol engine's, run after the exit is seen
    private int piecesAlive;
    private boolean closed;

    private SubprocessEngine(EventLoopImpl loop, Process process, boolean in, boolean out, boolean err, boolean streams) {
        this.loop = loop;
        this.process = process;
        this.exit = new FutureImpl<>(loop);
        Bridges.Net net = Bridges.net();
        StreamOptions o = StreamOptions.defaults();
        String name = process.pid() + "-";
        pipes = new PipeTransports.Pipe[] {
            in ? PipeTransports.sink(loop, process.getOutputStream(), name + "stdin", this::pieceEnded) : null,
            out ? PipeTransports.source(loop, process.getInputStream(), name + "stdout", this::pieceEnded) : null,
            err ? PipeTransports.source(loop, process.getErrorStream(), name + "stderr", this::pieceEnded) : null,
        };
        for (PipeTransports.Pipe p : pipes) {
            if (p != null) {
                piecesAlive++;
            }
        }
        stdin = in && streams ? net.writer(pipes[0], o) : null;
        stdout = out && streams ? net.reader(pipes[1], o.limit()) : null;
        stderr = err && streams ? net.reader(pipes[2], o.limit()) : null;
        piecesAlive++;
        loop.offLoopStarted();
        loop.releaseAtClose(release);
        process.onExit().whenComplete((p, e) -> {
            try {
                loop.callSoonThreadsafe(this::exited);
            } catch (IllegalStateException closedLoop) {
                // nobody waits any more
            }
        });
    }

    /**
     * Starts a process as the builder says (its redirects decide which streams are piped). The
     * fork runs on the default executor, off the loop.
     *
     * @throws NullPointerException  if {@code builder} is null
     * @throws IOException           if the process cannot start
     * @throws IllegalStateException outside a task
     */
    public static SubprocessEngine start(ProcessBuilder builder) throws IOException {
        return start(builder, true, "createSubprocess");
    }

    /**
     * {@link #start(ProcessBuilder)} without streams over the pipes: a protocol engine reads and
     * writes them ({@link #pipe}) and hears of the exit ({@link #onExit}).
     */
    static SubprocessEngine startPipes(ProcessBuilder builder, String operation) throws IOException {
        return start(builder, false, operation);
    }

    private static SubprocessEngine start(ProcessBuilder builder, boolean streams, String operation) throws IOException {
        Objects.requireNonNull(builder, "builder");
        EventLoopImpl loop = Structured.task(operation).loop;
        // Which streams are pipes is the builder's decision (the JDK's streams cannot tell:
        // with redirectErrorStream, stderr looks like a pipe that is always at EOF).
        boolean in = builder.redirectInput().type() == ProcessBuilder.Redirect.Type.PIPE;
        boolean out = builder.redirectOutput().type() == ProcessBuilder.Redirect.Type.PIPE;
        boolean err = !builder.redirectErrorStream() && builder.redirectError().type() == ProcessBuilder.Redirect.Type.PIPE;
        // If the task is stopped while the fork runs off the loop (a cancellation, a group's
        // interruption, anything), whoever comes second, the fork's result or the stop, kills the
        // process, so none is left behind.
        AtomicReference<Object> handOver = new AtomicReference<>();
        Process p;
        try {
            p = Structured.toThread(() -> {
                Process started = builder.start();
                if (!handOver.compareAndSet(null, started)) {
                    started.destroyForcibly();
                }
                return started;
            });
        } catch (Throwable stop) {
            if (!handOver.compareAndSet(null, stop) && handOver.get() instanceof Process started) {
                started.destroyForcibly();
            }
            if (stop instanceof CompletionException e) {
                throw FutureImpl.ioCause(e);
            }
            throw FutureImpl.rethrow(stop);
        }
        return new SubprocessEngine(loop, p, in, out, err, streams);
    }

    public EventLoopImpl loop() {
        return loop;
    }

    public Process process() {
        return process;
    }

    /** The pipe of stream {@code fd} (0, 1, 2), null where not piped. */
    PipeTransports.Pipe pipe(int fd) {
        return pipes[fd];
    }

    /** Runs {@code listener} on the loop once the exit is seen (after {@link #returnCode()} has it). */
    void onExit(Runnable listener) {
        exitListener = listener;
    }

    public StreamWriter stdin() {
        return stdin;
    }

    public StreamReader stdout() {
        return stdout;
    }

    public StreamReader stderr() {
        return stderr;
    }

    /** Suspends until the exit; a cancelled wait leaves the process alone. */
    public int waitFor() {
        return Structured.shield(exit).await();
    }

    /** The exit code once the loop has seen the exit, else null. */
    public Integer returnCode() {
        return exit.isDone() ? exit.resultNow() : null;
    }

    /**
     * Kills the process if it is still running (Python's transport close does), discards what
     * stdin still buffers and closes the pipes: their readers see EOF, their pumps end.
     * Idempotent; never suspends. Loop thread.
     */
    public void close() {
        loop.checkThread("Subprocess.close");
        if (closed) {
            return;
        }
        closed = true;
        if (!exit.isDone() && process.isAlive()) {
            process.destroyForcibly();
        }
        if (stdin != null) {
            stdin.abort();
        } else if (pipes[0] != null) {
            pipes[0].abort();
        }
        for (int i = 1; i < pipes.length; i++) {
            if (pipes[i] != null) {
                pipes[i].close();
            }
        }
    }

    /** The exit watch's report (loop). */
    private void exited() {
        if (!exit.isDone()) {
            exit.complete(process.exitValue());
        }
        if (stdin != null) {
            stdin.close();        // the process is gone: let the stdin pump end
        }
        loop.offLoopEnded();
        pieceEnded();
        Runnable l = exitListener;
        if (l != null) {
            l.run();
        }
    }

    /** A pump thread ended or the exit was seen (loop). */
    private void pieceEnded() {
        if (--piecesAlive == 0) {
            loop.forgetAtClose(release);
        }
    }

    /** At the loop's close, on the closing thread: close, then wait (bounded) for the pieces. */
    private void release() {
        close();
        long deadline = System.nanoTime() + RELEASE_WAIT_NANOS;
        boolean pumpsEnded = true;
        for (PipeTransports.Pipe p : pipes) {
            if (p != null) {
                pumpsEnded &= until(deadline, p::awaitPumpEnd);
            }
        }
        boolean reaped = until(deadline, nanos -> process.waitFor(nanos, TimeUnit.NANOSECONDS));
        if (!pumpsEnded || !reaped) {
            LOG.log(System.Logger.Level.WARNING, "the loop closed; " + this + (reaped
                    ? " has a pipe still open (a descendant process holds it?): its pump thread ends when the pipe closes"
                    : " did not end after SIGKILL"));
        }
    }

    /** A bounded wait: true once it says so; an interrupt does not end it, it is kept for later. */
    private interface TimedWait {
        boolean await(long nanos) throws InterruptedException;
    }

    private static boolean until(long deadline, TimedWait w) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return w.await(deadline - System.nanoTime());
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        Integer rc = returnCode();
        return "Subprocess[pid=" + process.pid() + (rc != null ? ", returncode=" + rc : closed ? ", closing" : ", running") + "]";
    }
}
