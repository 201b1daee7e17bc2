package org.asyncio4j.internal.carrier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test class path in a fresh JVM with the given JVM arguments only. */
final class Forks {

    /** The flag, as the one-line messages name it. */
    static final String FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    record Fork(int exit, String stdout, String stderr) {
        /** stdout and stderr, for assertion messages. */
        String both() {
            return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        }

        /** The lines of stderr that contain {@code s}. */
        List<String> stderrLines(String s) {
            return stderr.lines().filter(l -> l.contains(s)).toList();
        }
    }

    private Forks() {
    }

    /**
     * Forks {@code main} with exactly {@code jvmArgs} (the environment cannot sneak the flag in,
     * nor a carrier property: none is inherited from this JVM).
     */
    static Fork fork(Class<?> main, String... jvmArgs) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("forked JVM hung: " + cmd);
        }
        return new Fork(p.exitValue(), out.get(), err.get());
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }
}
