package org.asyncio4j.internal.carrier;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chooses this JVM's carrier mode, once: {@code -Dasyncio4j.carrier=fast|portable} forces one;
 * unset (or empty), the fast mode where {@link Carrier} is available, else the portable mode,
 * with one INFO line at the first loop saying why and naming the flag that makes it fast. A
 * value that names no mode, or the fast mode where it is unavailable, makes every loop creation
 * fail with one line saying so. A forced portable mode never touches {@link Carrier} (nor the
 * JDK internals).
 */
final class Selection {

    static final String PROPERTY = "asyncio4j.carrier";

    static final TaskThreads MODE;
    private static final String ERROR;          // why no loop can be made; null if one can
    private static final String INFO;           // the line to log at the first loop; null for none
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    static {
        String raw = System.getProperty(PROPERTY);
        String v = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        TaskThreads mode = null;
        String error = null, info = null;
        switch (v) {
            case "" -> {
                if (Carrier.isSupported()) {
                    mode = FastThreads.INSTANCE;
                } else {
                    mode = PortableThreads.INSTANCE;
                    info = "asyncio4j runs in portable mode, where a blocking JDK call inside a task holds up the"
                            + " loop's other tasks, since " + Carrier.unavailableReason();
                }
            }
            case "fast" -> {
                mode = FastThreads.INSTANCE;
                if (!Carrier.isSupported()) {
                    error = Carrier.unavailableReason() + "; -D" + PROPERTY + "=" + raw
                            + " forces the fast mode (unset, asyncio4j would run in portable mode)";
                }
            }
            case "portable" -> mode = PortableThreads.INSTANCE;
            default -> {
                mode = FastThreads.INSTANCE;      // inert: no loop can be made
                error = "-D" + PROPERTY + "=" + raw + " names no carrier mode: the modes are 'fast' and 'portable'"
                        + " (unset, asyncio4j runs fast where java.lang is open to it, else portable)";
            }
        }
        MODE = mode;
        ERROR = error;
        INFO = info;
        loadVirtualThreadExitPath();
    }

    /**
     * Loads the one JDK class a virtual thread touches only when it ends: the JFR end event whose
     * on/off check closes {@code VirtualThread.run}. If C2 compiles {@code VirtualThread.run}
     * before any virtual thread has ended (a loop that starts a million tasks before the first
     * one finishes), that class is still unloaded, the compiled code gets an uncommon trap
     * there, and every thread that entered the compiled code deoptimizes as it ends: 75,600
     * traps for 100,000 tasks parked on one Event (-Xlog:deoptimization), 12 us per task in the
     * first round instead of 2 (a JFR recording loads the class at startup, which hid it).
     * Loading it first leaves nothing to trap on. Loading needs no access to the package.
     */
    private static void loadVirtualThreadExitPath() {
        try {
            Class.forName("jdk.internal.event.VirtualThreadEndEvent", true, null);
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            // another JDK's layout: nothing to load
        }
    }

    private Selection() {
    }

    /**
     * @param log log the INFO line if this is the first successful check (a loop is being made)
     * @throws IllegalStateException if no loop can be made
     */
    static void check(boolean log) {
        if (ERROR != null) {
            throw new IllegalStateException(ERROR);
        }
        if (log && INFO != null && !LOGGED.get() && LOGGED.compareAndSet(false, true)) {
            System.getLogger("org.asyncio4j").log(System.Logger.Level.INFO, INFO);
        }
    }
}
