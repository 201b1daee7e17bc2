package org.asyncio4j.internal.carrier;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;

/**
 * The one seam between asyncio4j and the JDK's internals: the fast mode's ({@link FastThreads}).
 *
 * <h2>Implementation overview</h2>
 * In the fast mode an event loop carries its tasks by being their virtual threads' scheduler.
 * The JDK 25 API has no public way to give a virtual thread a scheduler, so this class reaches
 * three package-private members of {@code java.lang} through method handles, all looked up
 * once, in the static initialiser:
 * <ul>
 *   <li>{@code ThreadBuilders.newVirtualThread(Executor, String, int, Runnable)}: an unstarted
 *       virtual thread whose every wake-up (start, unpark, end of a sleep, a ready socket) is
 *       handed to the given executor as {@code execute(continuation)};</li>
 *   <li>{@code Thread.currentCarrierThread()}: the platform thread under the running code, so the
 *       loop can tell its own thread (and its tasks) from foreign ones in O(1);</li>
 *   <li>the {@code VirtualThread.scheduler} field, read only: from a task's own thread it leads
 *       back to the task, without a thread-local.</li>
 * </ul>
 * The lookups need {@code java.lang} opened to this module ({@code --add-opens
 * java.base/java.lang=ALL-UNNAMED} on the class path). Without it {@link #isSupported()} is
 * false and {@link #checkSupported()} throws one line naming the fix; loops then run in the
 * portable mode ({@link PortableThreads}), unless the fast one is forced ({@link TaskThreads}).
 *
 * <p>The static initialiser also starts the JDK's socket pollers from a platform thread: they
 * start lazily on the first socket operation of the process, and a virtual thread inherits its
 * creator's scheduler, so a first socket operation inside a task would make the pollers tasks of
 * that loop for the life of the process.
 *
 * <p>Set {@code -Dasyncio4j.carrier.disable=true} to switch the seam off (loops then run in the
 * portable mode; tests use it to see the failure path); {@link #SIMULATE_MISSING_PROPERTY} makes
 * it behave as on a JDK whose internals moved. A JVM that forces the portable mode never loads
 * this class.
 *
 * <h2>Failure is all or nothing</h2>
 * If any lookup fails (flag missing, switched off, a member not found), every handle is
 * dropped and {@link #unavailableReason()} holds one line naming what is missing. Every entry
 * that needs the internals ({@link #newVirtualThread}, {@link #currentCarrierThread},
 * {@link #checkSupported}) then throws an {@code IllegalStateException} with exactly that line,
 * never a NullPointerException from a half-found seam; {@link #schedulerOf} answers null.
 */
public final class Carrier {

    /** The property that switches the seam off. */
    public static final String DISABLE_PROPERTY = "asyncio4j.carrier.disable";

    /**
     * A test hook: a comma-separated list of the internals to treat as missing (for example
     * {@code java.lang.VirtualThread.scheduler}), to see how the seam fails on a JDK whose
     * internals moved.
     */
    public static final String SIMULATE_MISSING_PROPERTY = "asyncio4j.carrier.simulateMissing";

    private static final MethodHandle NEW_VIRTUAL_THREAD;   // (Executor,String,int,Runnable)Thread
    private static final MethodHandle CURRENT_CARRIER;      // ()Thread
    private static final MethodHandle SCHEDULER_OF;         // (Thread)Executor, VirtualThread only
    private static final Class<?> VIRTUAL_THREAD_CLASS;
    private static final String UNAVAILABLE;                // null when supported

    static {
        MethodHandle newVt = null, carrier = null, scheduler = null;
        Class<?> vtClass = null;
        String reason = null;
        String member = null;                               // the one being looked up
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            reason = "asyncio4j's fast mode is switched off by -D" + DISABLE_PROPERTY + "=true";
        } else {
            String simulated = System.getProperty(SIMULATE_MISSING_PROPERTY, "");
            try {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
                member = "java.lang.ThreadBuilders";
                Class<?> builders = findClass(member, simulated);
                member = "java.lang.VirtualThread";
                vtClass = findClass(member, simulated);
                member = "java.lang.ThreadBuilders.newVirtualThread";
                unlessSimulated(member, simulated, new NoSuchMethodException(member));
                newVt = lookup.findStatic(builders, "newVirtualThread",
                        MethodType.methodType(Thread.class, Executor.class, String.class, int.class, Runnable.class));
                member = "java.lang.Thread.currentCarrierThread";
                unlessSimulated(member, simulated, new NoSuchMethodException(member));
                carrier = lookup.findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
                member = "java.lang.VirtualThread.scheduler";
                unlessSimulated(member, simulated, new NoSuchFieldException(member));
                scheduler = MethodHandles.privateLookupIn(vtClass, MethodHandles.lookup())
                        .findGetter(vtClass, "scheduler", Executor.class)
                        .asType(MethodType.methodType(Executor.class, Thread.class));
            } catch (IllegalAccessException | RuntimeException e) {
                // InaccessibleObjectException (a RuntimeException) when java.lang is not opened.
                reason = fixMessage();
            } catch (ReflectiveOperationException e) {
                reason = "the fast mode needs JDK 25's internal " + member + ", which Java " + Runtime.version()
                        + " does not have (" + e.toString().replace('\n', ' ') + ")";
            }
        }
        if (reason != null) {
            // All or nothing: a half-found seam (the class found, a member missing) would hand
            // out null handles, and every entry would fail with a NullPointerException.
            newVt = carrier = scheduler = null;
            vtClass = null;
        }
        NEW_VIRTUAL_THREAD = newVt;
        CURRENT_CARRIER = carrier;
        SCHEDULER_OF = scheduler;
        VIRTUAL_THREAD_CLASS = vtClass;
        UNAVAILABLE = reason;
        if (reason == null) {
            startSocketPollers();
        }
    }

    private static Class<?> findClass(String name, String simulated) throws ClassNotFoundException {
        unlessSimulated(name, simulated, new ClassNotFoundException(name));
        return Class.forName(name);
    }

    /** The test hook: throws {@code missing} if {@code member} is one the property names. */
    private static <E extends ReflectiveOperationException> void unlessSimulated(String member, String simulated, E missing)
            throws E {
        for (String s : simulated.split(",")) {
            if (s.trim().equals(member)) {
                throw missing;
            }
        }
    }

    private Carrier() {
    }

    /** The one-line message for a JVM started without the flag. */
    private static String fixMessage() {
        Module m = Carrier.class.getModule();
        String target = m.isNamed() ? m.getName() : "ALL-UNNAMED";
        return "the fast mode needs java.lang opened to asyncio4j: start the JVM with --add-opens java.base/java.lang="
                + target + " (or JDK_JAVA_OPTIONS=\"--add-opens java.base/java.lang=" + target
                + "\", or the manifest entry 'Add-Opens: java.base/java.lang' for java -jar)";
    }

    /** True if the fast mode is available in this JVM. */
    public static boolean isSupported() {
        return UNAVAILABLE == null;
    }

    /** Why the fast mode is unavailable, in one line naming the fix; null when it is available. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * Throws unless the fast mode is available.
     *
     * @throws IllegalStateException with one line naming the fix
     */
    public static void checkSupported() {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
    }

    /**
     * An unstarted virtual thread whose scheduler is {@code scheduler}. The scheduler's
     * {@code execute} is called from whichever thread wakes the thread, so it must never block,
     * never run the continuation inline, and never throw.
     *
     * @throws IllegalStateException if the seam is unavailable
     */
    public static Thread newVirtualThread(Executor scheduler, String name, Runnable body) {
        checkSupported();
        try {
            return (Thread) NEW_VIRTUAL_THREAD.invokeExact(scheduler, name, 0, body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The platform thread under the calling code: the thread itself for a platform thread, the
     * carrier for a mounted virtual thread.
     *
     * @throws IllegalStateException if the seam is unavailable
     */
    public static Thread currentCarrierThread() {
        checkSupported();
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The scheduler of a virtual thread made by the JDK ({@code null} for any other thread). The
     * one entry that never fails: while the seam is unavailable no thread can have an asyncio4j
     * scheduler, so it answers null for every thread, which keeps queries such as
     * {@code currentTask()} outside any loop true to their contract (null).
     */
    public static Executor schedulerOf(Thread thread) {
        if (VIRTUAL_THREAD_CLASS == null || thread.getClass() != VIRTUAL_THREAD_CLASS) {
            return null;
        }
        try {
            return (Executor) SCHEDULER_OF.invokeExact(thread);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Initialises {@code sun.nio.ch.Poller} (which starts the JDK's socket pollers) from a fresh
     * platform thread, so that the pollers get the JDK's default scheduler whatever thread first
     * touches this class.
     */
    private static void startSocketPollers() {
        // Not a lambda: a lambda's body is a method of this class, which is still initialising,
        // so the new thread would wait for this initialiser while it waits for the thread.
        Thread t = Thread.ofPlatform().daemon().name("asyncio4j-poller-init").unstarted(new PollerInit());
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class PollerInit implements Runnable {
        @Override
        public void run() {
            try {
                Class.forName("sun.nio.ch.Poller", true, null);
            } catch (ClassNotFoundException | LinkageError e) {
                // A JDK without that class has no lazily started pollers to protect.
            }
        }
    }
}
