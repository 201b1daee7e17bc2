package org.asyncio4j.subprocess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

import org.asyncio4j.EventLoop;
import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.asyncio4j.internal.FutureImpl;
import org.asyncio4j.internal.Structured;
import org.asyncio4j.internal.SubprocessEngine;
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
 * <p>Each piped stream has a pump thread off the loop. The pumps end at their pipes' end, or at
 * {@link #close()}; when the loop closes, every subprocess of it that is still open is closed
 * (so a process still running then is killed, as Python's transports do) and its pump threads
 * are awaited. Under the virtual clock a running subprocess counts as off-loop work in flight:
 * time follows real time while it runs, so a timeout does not overtake its output or exit.
 *
 * <p>Python: {@code asyncio.subprocess.Process}.
 */
public final class Subprocess implements AutoCloseable {
    private final SubprocessEngine engine;

    private Subprocess(SubprocessEngine engine) {
        this.engine = engine;
    }

    /**
     * Starts a process as the builder says (its redirects decide which streams are piped).
     * The fork runs on the default executor, off the loop. If the task is cancelled while the
     * fork runs, the process is killed.
     *
     * @param builder the process builder
     * @return the running process
     * @throws NullPointerException  if {@code builder} is null
     * @throws IOException           if the process cannot start
     * @throws IllegalStateException outside a task
     */
    public static Subprocess start(ProcessBuilder builder) throws IOException {
        return new Subprocess(SubprocessEngine.start(builder));
    }

    /**
     * The process's standard input, if piped.
     *
     * @return the writer, or null if not piped
     */
    public StreamWriter stdin() {
        return engine.stdin();
    }

    /**
     * The process's standard output, if piped.
     *
     * @return the reader, or null if not piped
     */
    public StreamReader stdout() {
        return engine.stdout();
    }

    /**
     * The process's standard error, if piped.
     *
     * @return the reader, or null if not piped
     */
    public StreamReader stderr() {
        return engine.stderr();
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
        return engine.waitFor();
    }

    /**
     * Sends {@code input} to stdin (then closes it), reads stdout and stderr to their ends, and
     * waits for the process to exit. Pass null to send nothing. The two streams are read by
     * tasks of their own; however this call ends, they have ended before it returns or throws.
     *
     * @param input the bytes for stdin, or null
     * @return what the process wrote (empty arrays for streams that are not piped)
     * @throws IOException                      if a pipe fails (a broken stdin is ignored, as in
     *                                          Python)
     * @throws IllegalStateException            if the caller is not a task
     * @throws org.asyncio4j.CancelledException if the task is cancelled: what was read is
     *                                          dropped, the process goes on (as in Python; see
     *                                          {@link #close()})
     */
    public Output communicate(byte[] input) throws IOException {
        Structured.task("communicate");
        EventLoop loop = engine.loop();
        StreamWriter stdin = engine.stdin();
        Task<byte[]> out = loop.createTask(() -> readAll(engine.stdout()));
        Task<byte[]> err = loop.createTask(() -> readAll(engine.stderr()));
        try {
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
            byte[] o = out.await();
            byte[] e = err.await();
            engine.waitFor();
            return new Output(o, e);
        } catch (CompletionException x) {
            throw FutureImpl.ioCause(x);
        } finally {
            stopReaders(loop, out, err);
        }
    }

    /**
     * Cancels the reader tasks and waits until they have ended, so a communicate stopped at any
     * point (cancelled, interrupted by its group, failed) leaves no reader behind. A stop of this
     * task that lands while it waits is thrown once they have ended: the stop is not lost, and the
     * readers are never left running.
     */
    private static void stopReaders(EventLoop loop, Task<?> out, Task<?> err) {
        out.cancel();
        err.cancel();
        Throwable deferred = null;
        for (Task<?> r : List.of(out, err)) {
            while (!r.isDone()) {
                Future<Void> ended = loop.createFuture();
                Consumer<Future<?>> onEnd = x -> {
                    if (!ended.isDone()) {
                        ended.setResult(null);
                    }
                };
                r.addDoneCallback(onEnd);
                try {
                    ended.await();
                } catch (Throwable stop) {
                    r.removeDoneCallback(onEnd);
                    if (deferred == null) {
                        deferred = stop;
                    }
                }
            }
        }
        if (deferred != null) {
            throw FutureImpl.rethrow(deferred);
        }
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
     * Closes the pipes and ends their pump threads; a process still running is killed first
     * (SIGKILL, as Python's transport close kills a running child), so {@link #waitFor()} then
     * returns 137. Unread output and the bytes stdin still buffers are dropped: the readers see
     * EOF, the writer throws {@code IOException}. Closing an exited process only closes its
     * pipes; closing twice does nothing. Never suspends. The loop closes every subprocess still
     * open when it closes.
     *
     * @throws IllegalStateException if called from a thread other than the loop's
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * The process id.
     *
     * @return the pid
     */
    public long pid() {
        return engine.process().pid();
    }

    /**
     * The exit code, once the loop has seen the exit.
     *
     * @return the code, or null while the process runs
     */
    public Integer returnCode() {
        return engine.returnCode();
    }

    /** Asks the process to stop (SIGTERM on Unix). */
    public void terminate() {
        engine.process().destroy();
    }

    /** Kills the process (SIGKILL on Unix). */
    public void kill() {
        engine.process().destroyForcibly();
    }

    /**
     * The JDK's process handle, for what this class does not cover.
     *
     * @return the process
     */
    public Process process() {
        return engine.process();
    }

    @Override
    public String toString() {
        return engine.toString();
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
