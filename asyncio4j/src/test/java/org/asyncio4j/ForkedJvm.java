package org.asyncio4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM forked from a test, running a main class of the test class path with the
 * {@code --add-opens} flag, that the test drives through its output lines (stdout and stderr
 * merged) and the signals it sends with the {@code kill} command (the JDK cannot send one to
 * another process). Every wait is bounded; a failed wait's message holds the whole output.
 */
final class ForkedJvm implements AutoCloseable {
    private static final long WAIT_SECONDS = 30;

    private final Process process;
    private final List<String> lines = new ArrayList<>();   // guarded by itself, as is ended
    private boolean ended;

    private ForkedJvm(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("forked-jvm-output").start(this::pump);
    }

    /** Starts {@code main} with {@code args}, after the JVM options in {@code jvmOptions}. */
    static ForkedJvm start(List<String> prefix, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--add-opens");
        cmd.add("java.base/java.lang=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return new ForkedJvm(pb.start());
    }

    static ForkedJvm start(Class<?> main, String... args) throws IOException {
        return start(List.of(), List.of(), main, args);
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (lines) {
                lines.add("<output lost: " + e + ">");
            }
        } finally {
            synchronized (lines) {
                ended = true;                  // end of the output: the process has gone
                lines.notifyAll();
            }
        }
    }

    /** Waits for a line starting with {@code prefix} and returns it. */
    String awaitLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        synchronized (lines) {
            while (true) {
                for (String l : lines) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError("no line starting with \"" + prefix + "\" from the forked JVM"
                            + (ended ? " (it ended)" : "") + "; its output:\n" + output());
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Sends the signal ({@code "INT"}, {@code "HUP"}, ...) to the forked JVM. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed: " + out);
        }
    }

    /** Waits for the JVM to end; its exit status (128 + n when a signal n ended it). */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the forked JVM did not end; its output:\n" + output());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (lines) {
            while (!ended && System.nanoTime() < deadline) {
                lines.wait(100);               // the rest of its output, still in the pipe
            }
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Whether some line equals {@code line}. */
    boolean printed(String line) {
        synchronized (lines) {
            return lines.contains(line);
        }
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
