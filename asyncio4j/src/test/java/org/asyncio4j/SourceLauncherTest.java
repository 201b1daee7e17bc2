package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exception leaving {@code run} under the source launcher ({@code java Prog.java}) shows the
 * user's own exception and frames: the launcher trims its frames off the bottom of the trace,
 * which failed ("IllegalArgumentException: 0 > -2") on a trace holding only the task's frames.
 */
class SourceLauncherTest {

    @Test
    void sourceLauncher_showsTheTasksException_withTheMainFrame(@TempDir Path dir) throws Exception {
        Path prog = dir.resolve("Prog.java");
        Files.writeString(prog, """
                public class Prog {
                    static int parse(String s) {
                        throw new IllegalArgumentException("empty input");
                    }
                    public static void main(String[] args) {
                        org.asyncio4j.Asyncio.run(() -> {
                            org.asyncio4j.Asyncio.sleep(0.01);
                            return parse("");
                        });
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), prog.toString())
                .redirectErrorStream(true).directory(new File(dir.toString())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("java.lang.IllegalArgumentException: empty input"), out);
        assertTrue(out.contains("at Prog.parse(Prog.java:3)"), out);
        assertTrue(out.contains("at Prog.main(Prog.java:6)"), out);
        assertTrue(!out.contains("0 > -"), out);
    }
}
