package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tools/Ps.java} ({@code ./dev ps PID}, {@code ./dev pstree PID}) against child JVMs: one
 * running a loop with named tasks, one with no loop, one that refuses attach. The tool runs
 * in-process (compiled from the source once) and, for the command {@code ./dev} runs, through
 * the source launcher.
 */
@Timeout(120)
class PsToolTest {
    private static final Path SOURCE = Path.of("..", "tools", "Ps.java").toAbsolutePath().normalize();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    static Path classes;

    private static Method run;
    private static Process withLoop;

    /** The JVM the tool looks at: a loop whose main task runs a group of named tasks. */
    public static final class Target {
        public static void main(String[] args) {
            Asyncio.run(() -> {
                Task<Object> crawl = createTask(() -> TaskGroup.run(tg -> {
                    for (int i = 1; i <= 3; i++) {
                        tg.createTask(() -> sleep(600), "fetch-" + i);
                    }
                    return null;
                }), "crawl");
                sleep(0);
                System.out.println("READY");
                System.out.flush();
                Asyncio.toThread(() -> System.in.read());     // until the test closes our stdin
                crawl.cancel();
            });
        }
    }

    /** A JVM without asyncio4j loops. */
    public static final class NoLoop {
        public static void main(String[] args) throws Exception {
            System.out.println("READY");
            System.out.flush();
            System.in.read();
        }
    }

    private static Process start(Class<?> main, String... jvmFlags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "--add-opens", "java.base/java.lang=ALL-UNNAMED"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = r.readLine()) != null && !line.equals("READY")) {
            seen.append(line).append('\n');
        }
        assertEquals("READY", line, "the child JVM did not start: " + seen);
        Thread.ofVirtual().start(() -> {
            try {
                r.transferTo(java.io.Writer.nullWriter());   // drain (a refused attach makes it print a thread dump)
            } catch (java.io.IOException ignored) {
                // it ended
            }
        });
        return p;
    }

    private static void stop(Process p) throws Exception {
        p.getOutputStream().close();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    @BeforeAll
    static void compileTheToolAndStartTheTarget() throws Exception {
        System.setProperty("sun.tools.attach.attachTimeout", "3000");   // the refused attach fails sooner
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", classes.toString(), SOURCE.toString()).redirectErrorStream(true).start();
        String out = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, javac.waitFor(), "tools/Ps.java does not compile: " + out);
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, PsToolTest.class.getClassLoader());
        run = loader.loadClass("Ps").getMethod("run", String[].class, PrintStream.class, PrintStream.class);
        withLoop = start(Target.class);
    }

    @AfterAll
    static void stopTheTarget() throws Exception {
        if (withLoop != null) {
            stop(withLoop);
        }
    }

    private record Result(int status, String out, String err) {
    }

    private static Result ps(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = (Integer) run.invoke(null, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The loop's MBean is registered in the background: retry while the target says it has none yet. */
    private static Result psUntilALoopShows(String command) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Result r;
        do {
            r = ps(command, String.valueOf(withLoop.pid()));
        } while (r.status == 1 && r.err.contains("no asyncio4j event loop") && System.nanoTime() < end);
        return r;
    }

    @Test
    void ps_printsEachLoop_andTheTableNamesItsTasks() throws Exception {
        Result r = psNamingTheTasks("ps");
        assertTrue(r.out.matches("(?s)loop-\\d+ \\(running in thread 'main'\\): lag \\d+\\.\\d ms, \\d+ steps, .*"
                + "\nEventLoop\\[running name=loop-\\d+ .*\\]: 5 live tasks .*\ntask id .*"), r.out);
    }

    private static Result psNamingTheTasks(String command) throws Exception {
        Result r = psUntilALoopShows(command);
        assertEquals(0, r.status, r.err);
        for (String task : new String[] {"crawl", "fetch-1", "fetch-2", "fetch-3"}) {
            assertTrue(r.out.contains(task), task + " missing from:\n" + r.out);
        }
        return r;
    }

    @Test
    void pstree_printsTheTree_namingTheTasks() throws Exception {
        Result r = psNamingTheTasks("pstree");
        assertTrue(r.out.contains("`-- (T) crawl"), r.out);
    }

    @Test
    void devPs_throughTheSourceLauncher_printsTheTasks() throws Exception {
        psUntilALoopShows("ps");                                  // registered by now
        Process p = new ProcessBuilder(JAVA, SOURCE.toString(), "ps", String.valueOf(withLoop.pid()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("fetch-2"), out);
    }

    @Test
    void noSuchProcess_saysSoInOneLine() throws Exception {
        Process gone = new ProcessBuilder(JAVA, "-version").redirectErrorStream(true).start();
        gone.getInputStream().readAllBytes();
        gone.waitFor();
        Result r = ps("ps", String.valueOf(gone.pid()));
        assertEquals(1, r.status);
        assertEquals("ps: no such process: " + gone.pid() + System.lineSeparator(), r.err);
    }

    @Test
    void aJvmWithoutLoops_saysThereIsNone() throws Exception {
        Process p = start(NoLoop.class);
        try {
            Result r = ps("pstree", String.valueOf(p.pid()));
            assertEquals(1, r.status, r.out);
            assertTrue(r.err.startsWith("ps: no asyncio4j event loop in JVM " + p.pid()), r.err);
            assertEquals(1, r.err.lines().count(), r.err);
        } finally {
            stop(p);
        }
    }

    @Test
    void aJvmRefusingAttach_saysAttachWasRefused() throws Exception {
        Process p = start(NoLoop.class, "-XX:+DisableAttachMechanism");
        try {
            Result r = ps("ps", String.valueOf(p.pid()));
            assertEquals(1, r.status, r.out);
            assertTrue(r.err.startsWith("ps: cannot attach to process " + p.pid() + ": attach refused"), r.err);
            assertEquals(1, r.err.lines().count(), r.err);
        } finally {
            stop(p);
        }
    }

    @Test
    void aBadCommandLine_printsTheUsage() throws Exception {
        Result r = ps("ps", "not-a-pid");
        assertEquals(2, r.status);
        assertTrue(r.err.startsWith("usage: ./dev ps PID"), r.err);
    }
}
