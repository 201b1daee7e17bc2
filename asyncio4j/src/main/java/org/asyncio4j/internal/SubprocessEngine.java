package org.asyncio4j.internal;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.CancelledException;
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
 * JDK's exit watch ({@code Process.onExit}) reports the exit through the loop's inbox, which
 * completes {@code exit} (the future of the exit code) and closes the stdin writer (after what
 * it buffers, so the stdin pump ends); the source pumps end at their pipes' EOF.
 */
public final class SubprocessEngine {
    private final EventLoopImpl loop;
    private final Process process;
    private final StreamWriter stdin;
    private final StreamReader stdout;
    private final StreamReader stderr;
    private final FutureImpl<Integer> exit;

    private SubprocessEngine(EventLoopImpl loop, Process process, boolean in, boolean out, boolean err) {
        this.loop = loop;
        this.process = process;
        this.exit = new FutureImpl<>(loop);
        Bridges.Net net = Bridges.net();
        StreamOptions o = StreamOptions.defaults();
        String name = process.pid() + "-";
        stdin = in ? net.writer(PipeTransports.sink(loop, process.getOutputStream(), name + "stdin"), o) : null;
        stdout = out ? net.reader(PipeTransports.source(loop, process.getInputStream(), name + "stdout"), o.limit()) : null;
        stderr = err ? net.reader(PipeTransports.source(loop, process.getErrorStream(), name + "stderr"), o.limit()) : null;
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
        Objects.requireNonNull(builder, "builder");
        EventLoopImpl loop = Structured.task("createSubprocess").loop;
        // Which streams are pipes is the builder's decision (the JDK's streams cannot tell:
        // with redirectErrorStream, stderr looks like a pipe that is always at EOF).
        boolean in = builder.redirectInput().type() == ProcessBuilder.Redirect.Type.PIPE;
        boolean out = builder.redirectOutput().type() == ProcessBuilder.Redirect.Type.PIPE;
        boolean err = !builder.redirectErrorStream() && builder.redirectError().type() == ProcessBuilder.Redirect.Type.PIPE;
        // If the task is cancelled while the fork runs off the loop, whoever comes second (the
        // fork's result or the cancellation) kills the process, so none is left behind.
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
        } catch (CancelledException c) {
            if (!handOver.compareAndSet(null, c) && handOver.get() instanceof Process started) {
                started.destroyForcibly();
            }
            throw c;
        } catch (java.util.concurrent.CompletionException e) {
            throw FutureImpl.ioCause(e);
        }
        return new SubprocessEngine(loop, p, in, out, err);
    }

    public EventLoopImpl loop() {
        return loop;
    }

    public Process process() {
        return process;
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

    /** The exit watch's report (loop). */
    private void exited() {
        if (!exit.isDone()) {
            exit.complete(process.exitValue());
        }
        if (stdin != null) {
            stdin.close();        // the process is gone: let the stdin pump end
        }
    }

    @Override
    public String toString() {
        Integer rc = returnCode();
        return "Subprocess[pid=" + process.pid() + (rc != null ? ", returncode=" + rc : ", running") + "]";
    }
}
