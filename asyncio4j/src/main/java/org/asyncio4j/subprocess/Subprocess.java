package org.asyncio4j.subprocess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.CancelledException;
import org.asyncio4j.EventLoop;
import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.asyncio4j.internal.FutureImpl;
import org.asyncio4j.internal.Bridges;
import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.PipeTransports;
import org.asyncio4j.internal.Structured;
import org.asyncio4j.streams.StreamOptions;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * A running process whose piped streams are asyncio4j streams.
 *
 * <pre>{@code
 * var p = createSubprocessExec("sort");
 * var out = p.communicate("b\na\n".getBytes());
 * // out.stdout() is "a\nb\n", p.returnCode() is 0
 * }</pre>
 *
 * <p>Python: {@code asyncio.subprocess.Process}.
 */
public final class Subprocess {
    private final Process process;
    private final StreamWriter stdin;
    private final StreamReader stdout;
    private final StreamReader stderr;
    private final Future<Integer> exit;

    private Subprocess(EventLoopImpl loop, Process process, boolean in, boolean out, boolean err) {
        this.process = process;
        Bridges.Net net = Bridges.net();
        StreamOptions o = StreamOptions.defaults();
        this.stdin = in
                ? net.writer(PipeTransports.sink(loop, process.getOutputStream(), process.pid() + "-stdin"), o) : null;
        this.stdout = out
                ? net.reader(PipeTransports.source(loop, process.getInputStream(), process.pid() + "-stdout"), o.limit()) : null;
        this.stderr = err
                ? net.reader(PipeTransports.source(loop, process.getErrorStream(), process.pid() + "-stderr"), o.limit()) : null;
        Future<Integer> f = loop.createFuture();
        this.exit = f;
        StreamWriter stdinWriter = this.stdin;
        process.onExit().whenComplete((p, e) -> {
            try {
                loop.callSoonThreadsafe(() -> {
                    if (!f.isDone()) {
                        f.setResult(process.exitValue());
                    }
                    if (stdinWriter != null) {
                        stdinWriter.close();  // the process is gone: let the stdin pump end
                    }
                });
            } catch (IllegalStateException closedLoop) {
                // nobody waits any more
            }
        });
    }

    /**
     * Starts a process as the builder says (its redirects decide which streams are piped).
     * The fork runs on the default executor, off the loop.
     *
     * @param builder the process builder
     * @return the running process
     * @throws NullPointerException  if {@code builder} is null
     * @throws IOException           if the process cannot start
     * @throws IllegalStateException outside a task
     */
    public static Subprocess start(ProcessBuilder builder) throws IOException {
        Objects.requireNonNull(builder, "builder");
        EventLoopImpl loop = (EventLoopImpl) Structured.task("createSubprocess").getLoop();
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
        return new Subprocess(loop, p, in, out, err);
    }

    /**
     * The process's standard input, if piped.
     *
     * @return the writer, or null if not piped
     */
    public StreamWriter stdin() {
        return stdin;
    }

    /**
     * The process's standard output, if piped.
     *
     * @return the reader, or null if not piped
     */
    public StreamReader stdout() {
        return stdout;
    }

    /**
     * The process's standard error, if piped.
     *
     * @return the reader, or null if not piped
     */
    public StreamReader stderr() {
        return stderr;
    }

    /**
     * Waits for the process to exit.
     *
     * @return the exit code as the JDK reports it (137 after SIGKILL on Linux)
     * @throws IllegalStateException            if the caller is not a task and must wait
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (the
     *                                          process goes on)
     */
    public int waitFor() {
        return org.asyncio4j.Asyncio.shield(exit).await();
    }

    /**
     * Sends {@code input} to stdin (then closes it), reads stdout and stderr to their ends, and
     * waits for the process to exit. Pass null to send nothing.
     *
     * @param input the bytes for stdin, or null
     * @return what the process wrote (empty arrays for streams that are not piped)
     * @throws IOException           if a pipe fails (a broken stdin is ignored, as in Python)
     * @throws IllegalStateException if the caller is not a task
     */
    public Output communicate(byte[] input) throws IOException {
        EventLoop loop = Structured.task("communicate").getLoop();
        Task<byte[]> out = loop.createTask(() -> readAll(stdout));
        Task<byte[]> err = loop.createTask(() -> readAll(stderr));
        if (stdin != null) {
            try {
                if (input != null && input.length > 0) {
                    stdin.write(input);
                    stdin.drain();
                }
                stdin.close();
            } catch (IOException brokenPipe) {
                // the process did not read its input: not an error (Python ignores it too)
            }
        }
        byte[] o, e;
        try {
            o = out.await();
            e = err.await();
        } catch (java.util.concurrent.CompletionException x) {
            throw FutureImpl.ioCause(x);
        } finally {
            out.cancel();                 // a cancelled communicate leaves no reader behind
            err.cancel();
        }
        waitFor();
        return new Output(o, e);
    }

    private static byte[] readAll(StreamReader r) throws IOException {
        if (r == null) {
            return new byte[0];
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] chunk;
        while ((chunk = r.read(65536)).length > 0) {
            b.write(chunk);
        }
        return b.toByteArray();
    }

    /**
     * The process id.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * The exit code, once the loop has seen the exit.
     *
     * @return the code, or null while the process runs
     */
    public Integer returnCode() {
        return exit.isDone() ? exit.resultNow() : null;
    }

    /** Asks the process to stop (SIGTERM on Unix). */
    public void terminate() {
        process.destroy();
    }

    /** Kills the process (SIGKILL on Unix). */
    public void kill() {
        process.destroyForcibly();
    }

    /**
     * The JDK's process handle, for what this class does not cover.
     *
     * @return the process
     */
    public Process process() {
        return process;
    }

    @Override
    public String toString() {
        Integer rc = returnCode();
        return "Subprocess[pid=" + pid() + (rc == null ? ", running" : ", returncode=" + rc) + "]";
    }

    /**
     * What {@link #communicate(byte[])} collected.
     *
     * @param stdout the process's standard output
     * @param stderr the process's standard error
     */
    public record Output(byte[] stdout, byte[] stderr) {
        /**
         * The output.
         *
         * @throws NullPointerException if either is null
         */
        public Output {
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }
    }
}
