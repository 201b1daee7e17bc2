package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What javac makes of the overloads that pair a value body ({@code Callable}) with a void one
 * ({@code ThrowingRunnable}), for the calls that cannot be shown by a test that compiles: the
 * ones that do not compile. The cases are small classes compiled against the library by one
 * run of the JDK's {@code javac}; each test checks its case's diagnostics. {@link PortingFrictionsTest} and
 * {@code TimeoutObjectTest} hold the calls that do compile.
 *
 * <p>The rule behind them (JLS 15.12.2.1 and 15.12.2.5): a method reference to an overloaded
 * method ("inexact") is not used to choose an overload, except for its arity, so Java cannot
 * see whether it has a value; between {@code Callable<T>} and {@code ThrowingRunnable}, neither
 * a subtype of the other, such a call is ambiguous. {@code toThread} has a third overload,
 * {@link Asyncio.Call}, a subtype of both, so a reference there picks the value form: right for
 * {@code process::waitFor}, a compile error for an overloaded void method ({@code latch::await}).
 */
class OverloadResolutionTest {

    /** Each case: a statement list compiled in a method with these variables in scope. */
    private static final Map<String, String> CASES = new LinkedHashMap<>();

    static {
        CASES.put("ToThreadValueRef", "int code = toThread(process::waitFor);");
        CASES.put("GatherValueRefs", "java.util.List<Integer> r = gather(process::waitFor, process::waitFor); var s = gatherSettled(process::waitFor);");
        CASES.put("ToThreadVoidRef", "toThread(latch::await);");
        CASES.put("ToThreadVoidLambda", "toThread(() -> latch.await());");
        CASES.put("CreateTaskRef", "createTask(latch::await);");
        CASES.put("GroupCreateTaskRef", "tg.createTask(latch::await);");
        CASES.put("TimeoutRef", "timeout(Duration.ofSeconds(1), latch::await);");
        CASES.put("RunUntilCompleteRef", "loop.runUntilComplete(latch::await);");
        CASES.put("PairLambdas", "createTask(() -> latch.await()); int c = createTask(() -> process.waitFor()).await();");
        CASES.put("ThrowingCallbacks", """
                loop.callSoon(() -> { throw new java.io.IOException("x"); });
                loop.callLater(1, () -> Thread.sleep(1));
                loop.callAt(loop.time(), latch::await);
                Runnable r = () -> { }; loop.callSoon(r);""");
        CASES.put("ShadowedRun", "FULL class ShadowedRun implements Runnable { public void run() { int x = run(() -> 1); } }");
        CASES.put("QualifiedRun", "FULL class QualifiedRun implements Runnable { public void run() { int x = Asyncio.run(() -> 1); } }");
        CASES.put("TimeoutBodyExpression", "double w = timeout(Duration.ofSeconds(1), t -> t.when()); timeout(t -> { t.reschedule(1.0); return null; });");
    }

    private static final Map<String, String> DIAGNOSTICS = new LinkedHashMap<>();

    @BeforeAll
    static void compileAll(@TempDir Path dir) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", dir.resolve("out").toString(), "-proc:none", "-Xmaxerrs", "1000",
                "-classpath", Path.of(Asyncio.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString()));
        for (var c : CASES.entrySet()) {
            Path f = dir.resolve(c.getKey() + ".java");
            String full = c.getValue().startsWith("FULL ")
                    ? "import static org.asyncio4j.Asyncio.*;\nimport org.asyncio4j.*;\n" + c.getValue().substring(5) : null;
            Files.writeString(f, full != null ? full : """
                    import static org.asyncio4j.Asyncio.*;
                    import java.time.Duration;
                    import java.util.concurrent.*;
                    import org.asyncio4j.*;
                    class %s {
                        void m(Process process, CountDownLatch latch, EventLoop loop, TaskGroup tg) throws Exception {
                            %s
                        }
                    }
                    """.formatted(c.getKey(), c.getValue()));
            cmd.add(f.toString());
        }
        Process javac = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String all = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS));
        for (String name : CASES.keySet()) {
            StringBuilder mine = new StringBuilder();
            boolean in = false;
            for (String line : all.split("\n")) {
                if (line.contains(".java:")) {
                    in = line.contains(name + ".java:");
                }
                if (in) {
                    mine.append(line).append('\n');
                }
            }
            DIAGNOSTICS.put(name, mine.toString());
        }
    }

    private static String diagnostics(String name) {
        return DIAGNOSTICS.get(name);
    }

    @Test
    void toThread_referenceToAnOverloadedValueMethod_compiles() {
        assertEquals("", diagnostics("ToThreadValueRef"));
    }

    /** As before gather took void bodies: a reference with a value picks the value form. */
    @Test
    void gather_referencesToOverloadedValueMethods_compile() {
        assertEquals("", diagnostics("GatherValueRefs"));
    }

    @Test
    void toThread_referenceToAnOverloadedVoidMethod_doesNotCompile_theLambdaDoes() {
        String d = diagnostics("ToThreadVoidRef");
        assertTrue(d.contains("bad return type in method reference"), d);
        assertEquals("", diagnostics("ToThreadVoidLambda"));
    }

    /** The same pairs elsewhere stay ambiguous for such references; lambdas are not. */
    @Test
    void otherCallableThrowingRunnablePairs_areAmbiguousForReferencesToOverloadedMethods() {
        for (String name : List.of("CreateTaskRef", "GroupCreateTaskRef", "TimeoutRef", "RunUntilCompleteRef")) {
            String d = diagnostics(name);
            assertTrue(d.contains("is ambiguous"), name + " -> " + d);
        }
        assertEquals("", diagnostics("PairLambdas"));
    }

    @Test
    void callbacks_thatThrowCheckedExceptions_compile() {
        assertEquals("", diagnostics("ThrowingCallbacks"));
    }

    /** The README's rule: a run method of the class's own hides the static import. */
    @Test
    void run_insideAClassWithItsOwnRunMethod_isThatMethod_Asyncio_runIsNot() {
        assertTrue(diagnostics("ShadowedRun").contains("cannot be applied"), diagnostics("ShadowedRun"));
        assertEquals("", diagnostics("QualifiedRun"));
    }

    @Test
    void timeoutBody_oneArgumentExpressionLambda_compiles_becauseThereIsNoVoidVariant() {
        assertEquals("", diagnostics("TimeoutBodyExpression"));
    }
}
