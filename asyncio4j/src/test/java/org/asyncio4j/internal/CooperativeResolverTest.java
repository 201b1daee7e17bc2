package org.asyncio4j.internal;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.net.spi.InetAddressResolverProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.asyncio4j.Task;
import org.asyncio4j.TestLoops;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("fast-only")   // cooperative blocking: JDK blocking calls inside tasks park only the task
class CooperativeResolverTest {
    private static final LookupPolicy IPV4 = LookupPolicy.of(LookupPolicy.IPV4);
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    /**
     * A resolver that blocks its carrier thread in native code for a while, as the JDK's
     * getaddrinfo does (a Thread.sleep here would only park a task: it would prove nothing), and
     * records the threads it ran on.
     */
    static final class NativeSlowResolver implements InetAddressResolver {
        private static final MethodHandle USLEEP = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("usleep").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        final long millis;
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        NativeSlowResolver(long millis) {
            this.millis = millis;
        }

        private void block() {
            threads.add(Thread.currentThread());
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            for (long left; (left = end - System.nanoTime()) > 0; ) {
                try {
                    int ignored = (int) USLEEP.invokeExact((int) Math.min(100_000, Math.max(1, left / 1_000)));
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            }
        }

        @Override
        public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
            block();
            return Stream.of(InetAddress.getByAddress(host, LOOPBACK));
        }

        @Override
        public String lookupByAddress(byte[] addr) {
            block();
            return "slow.test";
        }
    }

    @Test
    void tenLookupsFromTasks_runTogetherOffTheLoop_whileASiblingKeepsTicking() {
        NativeSlowResolver slow = new NativeSlowResolver(800);
        CooperativeResolver resolver = new CooperativeResolver(slow);
        long[] wallAndGap = run(() -> {
            boolean[] done = {false};
            long[] maxGap = {0};
            Task<Void> ticker = createTask(() -> {
                while (!done[0]) {
                    long t0 = System.nanoTime();
                    sleep(0.01);
                    maxGap[0] = Math.max(maxGap[0], System.nanoTime() - t0);
                }
            });
            sleep(0.05);
            long t0 = System.nanoTime();
            List<Task<List<InetAddress>>> lookups = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String host = "host" + i + ".test";
                lookups.add(createTask(() -> resolver.lookupByName(host, IPV4).toList()));
            }
            List<List<InetAddress>> found = gather(lookups);
            long wall = System.nanoTime() - t0;
            done[0] = true;
            ticker.await();
            assertEquals("host7.test", found.get(7).getFirst().getHostName());
            return new long[] {wall, maxGap[0]};
        });
        assertTrue(wallAndGap[0] < TimeUnit.SECONDS.toNanos(3), "ten 0.8 s lookups took " + wallAndGap[0] / 1e9 + " s");
        assertTrue(wallAndGap[1] < TimeUnit.MILLISECONDS.toNanos(400), "the ticker was late by " + wallAndGap[1] / 1e6 + " ms");
        assertEquals(10, slow.threads.size());
        for (Thread t : slow.threads) {
            assertFalse(t.isVirtual(), "a lookup ran on " + t);
            assertTrue(t.getName().startsWith("asyncio4j-resolver-"), t.getName());
        }
    }

    @Test
    void cancelledTaskLookup_endsPromptly_withUnknownHostCausedByTheInterrupt() {
        CooperativeResolver resolver = new CooperativeResolver(new NativeSlowResolver(2_000));
        AtomicReference<UnknownHostException> seen = new AtomicReference<>();
        boolean[] interruptKept = {false};
        run(() -> {
            Task<String> t = createTask(() -> {
                try {
                    return resolver.lookupByAddress(LOOPBACK);
                } catch (UnknownHostException e) {
                    seen.set(e);
                    interruptKept[0] = Thread.currentThread().isInterrupted();
                    throw e;
                }
            });
            sleep(0.1);
            long t0 = System.nanoTime();
            t.cancel();
            org.asyncio4j.Asyncio.wait(List.of(t), org.asyncio4j.ReturnWhen.ALL_COMPLETED);
            long took = System.nanoTime() - t0;
            assertTrue(took < TimeUnit.MILLISECONDS.toNanos(500), "the cancelled lookup took " + took / 1e6 + " ms");
            // A cancellation stays a cancellation: the interrupt is in the lookup failure's cause.
            assertTrue(t.isCancelled(), "ended with " + (t.isCancelled() ? "cancel" : t.exceptionNow()));
        });
        assertNotNull(seen.get(), "the lookup did not fail");
        assertInstanceOf(InterruptedException.class, seen.get().getCause());
        assertTrue(seen.get().getMessage().contains("127.0.0.1"), seen.get().getMessage());
        assertTrue(interruptKept[0], "the interrupt status was cleared");
    }

    @Test
    void interruptedTask_failsAtOnce_withoutStartingALookup() {
        NativeSlowResolver slow = new NativeSlowResolver(2_000);
        CooperativeResolver resolver = new CooperativeResolver(slow);
        UnknownHostException e = run(() -> {
            Thread.currentThread().interrupt();
            try {
                resolver.lookupByName("interrupted.test", IPV4);
                return null;
            } catch (UnknownHostException u) {
                assertTrue(Thread.interrupted(), "the interrupt status was cleared");
                return u;
            }
        });
        assertNotNull(e, "the lookup did not fail");
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertTrue(slow.threads.isEmpty(), "a lookup started: " + slow.threads);
    }

    @Test
    void lookupOffAnyTask_runsOnTheCallingThread() throws Exception {
        NativeSlowResolver fast = new NativeSlowResolver(0);
        CooperativeResolver resolver = new CooperativeResolver(fast);
        List<Thread> callers = new ArrayList<>();

        callers.add(Thread.currentThread());                                  // a platform thread
        resolver.lookupByName("platform.test", IPV4);

        Thread plain = Thread.ofVirtual().unstarted(() -> {                    // a plain virtual thread
            try {
                resolver.lookupByAddress(LOOPBACK);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        });
        callers.add(plain);
        plain.start();
        plain.join();

        run(() -> {                                                           // the loop's own callback
            org.asyncio4j.Future<Void> done = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> {
                callers.add(Thread.currentThread());
                try {
                    resolver.lookupByName("callback.test", IPV4);
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
                done.setResult(null);
            });
            done.await();
        });
        assertEquals(callers, fast.threads);
    }

    @Test
    void virtualThreadStartedInATask_looksUpOffTheLoop() {
        NativeSlowResolver fast = new NativeSlowResolver(0);
        CooperativeResolver resolver = new CooperativeResolver(fast);
        run(() -> {
            Thread inner = Thread.ofVirtual().start(() -> {
                try {
                    resolver.lookupByName("inner.test", IPV4);
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
            });
            inner.join();
        });
        assertEquals(1, fast.threads.size());
        assertTrue(fast.threads.getFirst().getName().startsWith("asyncio4j-resolver-"), fast.threads.toString());
    }

    @Test
    void virtualClock_followsRealTimeWhileALookupIsInFlight() {
        CooperativeResolver resolver = new CooperativeResolver(new NativeSlowResolver(800));
        double[] elapsed = {0};
        boolean[] siblingDone = {true};
        TestLoops.runVc(() -> {
            Task<Void> sibling = createTask(() -> sleep(100));                 // a timer to jump to
            sleep(0);
            double t0 = getRunningLoop().time();
            resolver.lookupByName("clock.test", IPV4);
            elapsed[0] = getRunningLoop().time() - t0;
            siblingDone[0] = sibling.isDone();
            sibling.cancel();
        });
        assertFalse(siblingDone[0], "loop time jumped over the lookup to the sibling's timer");
        assertTrue(elapsed[0] >= 0.5 && elapsed[0] < 5, "loop time moved " + elapsed[0] + " s over a 0.8 s lookup");
    }

    @Test
    void installedProvider_isOurs_andSendsTaskLookupsOffTheLoop() {
        run(() -> {
            long before = CooperativeResolver.offLoopLookups();
            // A reverse lookup is never cached, so it reaches the installed resolver every time.
            String name = InetAddress.getByAddress(LOOPBACK).getCanonicalHostName();
            assertFalse(name.isEmpty());
            assertTrue(CooperativeResolver.offLoopLookups() > before, "the task's lookup did not go through our resolver");
            assertTrue(InetAddress.getByName("localhost").isLoopbackAddress());
            assertTrue(Arrays.stream(InetAddress.getAllByName("localhost")).allMatch(InetAddress::isLoopbackAddress));
        });
        assertTrue(ServiceLoader.load(InetAddressResolverProvider.class).stream()
                .anyMatch(p -> p.type() == CooperativeResolverProvider.class));
        assertTrue(new CooperativeResolverProvider().name().contains("asyncio4j"));
    }

    // ------------------------------------------------------------------ an application's provider

    /** An application's provider: its resolver answers 10.9.9.9 for every name. */
    public static final class AppProvider extends InetAddressResolverProvider {
        @Override
        public InetAddressResolver get(Configuration configuration) {
            return new InetAddressResolver() {
                @Override
                public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                    return Stream.of(InetAddress.getByAddress(host, new byte[] {10, 9, 9, 9}));
                }

                @Override
                public String lookupByAddress(byte[] addr) {
                    return "app.test";
                }
            };
        }

        @Override
        public String name() {
            return "test application provider";
        }
    }

    /** An application's provider that steps aside as ours does: it takes the next one it finds. */
    public static final class SteppingAsideProvider extends InetAddressResolverProvider {
        @Override
        public InetAddressResolver get(Configuration configuration) {
            return ServiceLoader.load(InetAddressResolverProvider.class).stream()
                    .filter(p -> p.type() != SteppingAsideProvider.class)
                    .findFirst().orElseThrow().get().get(configuration);
        }

        @Override
        public String name() {
            return "test provider that steps aside";
        }
    }

    /** Run in a fresh JVM: prints what "localhost" resolves to. */
    public static final class Probe {
        public static void main(String[] args) throws IOException {
            System.out.println(InetAddress.getByName("localhost").getHostAddress());
        }
    }

    /** What "localhost" resolves to in a fresh JVM whose class path has ours, then {@code provider}. */
    private static String resolveInFreshJvm(Path dir, Class<?> provider) throws Exception {
        Path services = dir.resolve("META-INF/services/" + InetAddressResolverProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, provider.getName() + "\n");
        String classPath = System.getProperty("java.class.path") + java.io.File.pathSeparator + dir;
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, Probe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    @Test
    void applicationProviderAfterOurs_isTheOneUsed(@TempDir Path dir) throws Exception {
        assertEquals("10.9.9.9", resolveInFreshJvm(dir, AppProvider.class));
    }

    @Test
    void applicationProviderThatStepsAsideToo_getsOursWithoutRecursion(@TempDir Path dir) throws Exception {
        assertEquals("127.0.0.1", resolveInFreshJvm(dir, SteppingAsideProvider.class));
    }
}
