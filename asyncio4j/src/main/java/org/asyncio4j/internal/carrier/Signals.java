package org.asyncio4j.internal.carrier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The one place that touches the JDK's signal API ({@code sun.misc.Signal}, in the exported
 * module {@code jdk.unsupported}: no flag needed): {@code EventLoop.addSignalHandler} and the
 * SIGINT handling of {@code Runner.run} both register here.
 *
 * <h2>Implementation overview</h2>
 * Per signal there is at most one {@link Slot}: the JDK-level handler asyncio4j installs for
 * it, the handler that was installed before ({@code previous}: the JDK's own for HUP, INT and
 * TERM, which runs the shutdown hooks and exits with 128 + the signal's number; the OS default
 * for the others), and a stack of registrations, one per owner (a loop, or a run's SIGINT
 * guard). The last one registered gets the signal; removing it hands the signal back to the one
 * below; removing the last one puts {@code previous} back, unless someone replaced asyncio4j's
 * handler meanwhile (theirs then stays). Registering again for an owner already on the stack
 * replaces its receiver and moves it to the top.
 *
 * <p>A receiver runs on the JDK's signal-dispatch thread (a fresh platform thread per signal,
 * named {@code SIGINT handler} and so on): it must not block. A loop's receiver only hands the
 * callback to the loop through {@code callSoonThreadsafe}.
 *
 * <p>{@link Sigint} is run's Ctrl+C handling: a registration for INT made only where the JDK's
 * own handler is installed. {@code sun.misc.Signal.handle} answers with the handler it replaced:
 * one the application installed comes back as itself, one the JDK installed (its shutdown
 * handler) wrapped in {@code sun.misc.Signal$SunMiscHandler}; that class name is how the JDK's
 * is told apart (and the {@code toString} of a wrapped native handler is how a native one is).
 * A JDK that changes either makes {@code SigintTest} and {@code SignalsTest} fail.
 *
 * <h2>Which signals</h2>
 * Names are as the OS spells them without {@code SIG} ({@code INT}, {@code TERM}, {@code HUP},
 * {@code USR1}, ...); a leading {@code SIG} is accepted and dropped. Refused, with an
 * {@code IllegalArgumentException} that says why: an unknown name; a signal the JVM keeps for
 * itself (JDK 25 on Linux: {@code KILL} and {@code STOP} cannot be caught at all, {@code QUIT}
 * prints thread dumps, {@code SEGV}, {@code BUS}, {@code FPE}, {@code ILL} are the VM's, and so
 * are {@code HUP}, {@code INT} and {@code TERM} under {@code -Xrs}); a signal with a native
 * handler already ({@code USR2}: the VM's thread suspension on Linux; {@code PIPE},
 * {@code XFSZ}), which a Java handler would replace; and {@code HUP}, {@code INT} or
 * {@code TERM} while the process ignores it (started by {@code nohup}, or in the background by
 * a non-interactive shell): the JVM then never delivers it. {@link #RESERVED} is checked before
 * anything is installed; the native-handler check after, putting the native one back at once.
 *
 * <h2>Invariants</h2>
 * Every field is guarded by the class's monitor, except {@link Slot#top}, a volatile snapshot the
 * signal thread reads without locking. A slot exists exactly while its stack is non-empty, and
 * then asyncio4j's handler is installed for it (unless someone replaced it since).
 */
public final class Signals {

    /**
     * Names refused before anything is installed: the JVM uses them (a Java handler would break
     * it, or the JDK refuses), or the OS does not let any process catch them.
     */
    private static final Set<String> RESERVED = Set.of("KILL", "STOP", "QUIT", "SEGV", "BUS", "FPE", "ILL",
            "USR2", "PIPE", "XFSZ");

    /** The signals the JVM does not hand to Java while the process ignores them. */
    private static final Set<String> SHUTDOWN_SIGNALS = Set.of("HUP", "INT", "TERM");

    private static final Map<String, Slot> SLOTS = new HashMap<>();

    private Signals() {
    }

    /** One registration on a signal's stack. */
    private record Entry(Object owner, Runnable receiver) {
    }

    /** asyncio4j's JDK-level handler for one signal, and who gets the signal. */
    private static final class Slot implements SignalHandler {
        final Signal signal;
        SignalHandler previous;                         // set right after installing
        final List<Entry> stack = new ArrayList<>();    // the last one gets the signal
        volatile Runnable top;

        Slot(Signal signal) {
            this.signal = signal;
        }

        @Override
        public void handle(Signal sig) {
            Runnable r = top;
            if (r != null) {
                r.run();
            }
        }

        void update() {
            top = stack.isEmpty() ? null : stack.get(stack.size() - 1).receiver();
        }
    }

    /**
     * The signal's name as the JDK spells it: {@code "SIGINT"} and {@code "INT"} give
     * {@code "INT"}.
     *
     * @throws IllegalArgumentException if no such signal exists
     */
    public static String canonicalName(String name) {
        String n = name.startsWith("SIG") ? name.substring(3) : name;
        try {
            new Signal(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown signal \"" + name + "\": give its name as the OS spells it, "
                    + "without SIG (INT, TERM, HUP, USR1, WINCH, ...)");
        }
        return n;
    }

    /**
     * Registers {@code receiver} as {@code owner}'s handler of the signal, on top of the
     * signal's stack (replacing {@code owner}'s earlier one, if any).
     *
     * @param name     a name {@link #canonicalName} accepts
     * @param receiver runs on the JDK's signal thread; must not block
     * @throws IllegalArgumentException if the JVM does not let Java handle the signal (the
     *                                  message says why)
     */
    public static synchronized void register(String name, Object owner, Runnable receiver) {
        String n = canonicalName(name);
        if (RESERVED.contains(n)) {
            throw refused(n, "the JVM or the OS keeps it for itself");
        }
        Slot slot = SLOTS.get(n);
        if (slot == null) {
            slot = install(n, false);
        }
        slot.stack.removeIf(e -> e.owner() == owner);
        slot.stack.add(new Entry(owner, receiver));
        slot.update();
    }

    /**
     * Registers {@code receiver} for SIGINT only where the JDK's own handler is installed (so
     * neither the application nor a loop handles SIGINT) and the JVM delivers it.
     *
     * @return true if registered
     */
    public static synchronized boolean registerIfJdkDefault(String name, Object owner, Runnable receiver) {
        String n = canonicalName(name);
        if (SLOTS.containsKey(n)) {
            return false;                   // a loop's handler (the application's) has it
        }
        Slot slot;
        try {
            slot = install(n, true);
        } catch (IllegalArgumentException notHandled) {
            return false;                   // -Xrs, or ignored: the JDK's handler is not there either
        }
        if (slot == null) {
            return false;
        }
        slot.stack.add(new Entry(owner, receiver));
        slot.update();
        return true;
    }

    /**
     * Removes {@code owner}'s handler of the signal.
     *
     * @return true if it had one
     * @throws IllegalArgumentException if no such signal exists
     */
    public static synchronized boolean unregister(String name, Object owner) {
        String n = canonicalName(name);
        Slot slot = SLOTS.get(n);
        if (slot == null || !slot.stack.removeIf(e -> e.owner() == owner)) {
            return false;
        }
        slot.update();
        if (slot.stack.isEmpty()) {
            uninstall(n, slot);
        }
        return true;
    }

    /** Removes every handler {@code owner} has (a loop that closes). */
    public static synchronized void unregisterAll(Object owner) {
        for (Map.Entry<String, Slot> e : new ArrayList<>(SLOTS.entrySet())) {
            Slot slot = e.getValue();
            if (slot.stack.removeIf(x -> x.owner() == owner)) {
                slot.update();
                if (slot.stack.isEmpty()) {
                    uninstall(e.getKey(), slot);
                }
            }
        }
    }

    /**
     * What the signal would have done without asyncio4j: runs the handler that was installed
     * before asyncio4j's, if it is a Java one (the JDK's for SIGINT: the shutdown hooks, then
     * exit status 130). Called on the signal thread.
     */
    public static void passOn(String name) {
        Slot slot;
        synchronized (Signals.class) {
            slot = SLOTS.get(name);
        }
        SignalHandler p = slot == null ? null : slot.previous;
        if (p != null && p != SignalHandler.SIG_DFL && p != SignalHandler.SIG_IGN) {
            p.handle(slot.signal);
        }
    }

    /**
     * Installs asyncio4j's handler for the signal and records what it replaced. With
     * {@code onlyOverJdkDefault}, puts the old handler back and answers null unless it is the
     * JDK's own (a handler the JDK installed itself comes back wrapped in
     * {@code sun.misc.Signal$SunMiscHandler}; one the application installed comes back as
     * itself).
     */
    private static Slot install(String n, boolean onlyOverJdkDefault) {
        Signal sig = new Signal(n);
        Slot slot = new Slot(sig);
        SignalHandler previous;
        try {
            previous = Signal.handle(sig, slot);
        } catch (IllegalArgumentException e) {
            throw refused(n, "the JVM keeps it for itself" + (SHUTDOWN_SIGNALS.contains(n)
                    ? " (HUP, INT and TERM are the JVM's when it runs with -Xrs)" : "") + ": " + e.getMessage());
        }
        if (previous == SignalHandler.SIG_IGN && SHUTDOWN_SIGNALS.contains(n)) {
            Signal.handle(sig, SignalHandler.SIG_IGN);
            throw refused(n, "this process ignores it (it was started with the signal ignored, by nohup or in the "
                    + "background by a shell), so the JVM does not deliver it");
        }
        boolean nativeHandler = previous != SignalHandler.SIG_DFL && previous != SignalHandler.SIG_IGN
                && previous.toString().startsWith("jdk.internal.misc.Signal$NativeHandler");
        if (nativeHandler) {
            Signal.handle(sig, previous);
            throw refused(n, "it has a native handler (the JVM's or a native library's), which a Java handler "
                    + "would replace");
        }
        if (onlyOverJdkDefault && !previous.getClass().getName().equals("sun.misc.Signal$SunMiscHandler")) {
            Signal.handle(sig, previous);
            return null;
        }
        slot.previous = previous;
        SLOTS.put(n, slot);
        return slot;
    }

    /** Puts back what the slot replaced, unless another handler replaced the slot since. */
    private static void uninstall(String n, Slot slot) {
        SLOTS.remove(n);
        SignalHandler current = Signal.handle(slot.signal, slot.previous);
        if (current != slot) {
            Signal.handle(slot.signal, current);      // someone else's: leave it in place
        }
    }

    /**
     * Runner.run's SIGINT handling (Python 3.11's {@code Runner._on_sigint}): the first SIGINT
     * cancels the main task; another one, or one that finds the main task done, gets what the
     * JDK does (shutdown hooks, then exit status 130). Installed only on the JVM's main thread
     * over the JDK's own handler; {@link #close()} takes it off again.
     */
    public static final class Sigint implements AutoCloseable {
        /** The message of the main task's cancellation, and so of what run throws. */
        public static final String MESSAGE = "cancelled by SIGINT (Ctrl+C)";

        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        private volatile org.asyncio4j.Future<?> main;

        private Sigint() {
        }

        /** A guard on SIGINT for this run, or null where there is to be none. */
        public static Sigint install() {
            if (!onMainThread()) {
                return null;
            }
            Sigint s = new Sigint();
            return registerIfJdkDefault("INT", s, s::signalled) ? s : null;
        }

        /** The main task, as soon as it exists. */
        public void watch(org.asyncio4j.Future<?> task) {
            main = task;
        }

        private void signalled() {
            org.asyncio4j.Future<?> t = main;
            if (count.incrementAndGet() == 1 && t != null && !t.isDone()) {
                t.cancel(MESSAGE);            // from another thread: forwarded to the loop
                return;
            }
            passOn("INT");
        }

        @Override
        public void close() {
            unregister("INT", this);
        }

        /**
         * The JVM's main thread: the platform thread named {@code main} whose stack starts at a
         * {@code main} method (the launcher calls it; a thread the application started, even one
         * it named "main", starts at {@code Thread.run}). Java has no API naming it.
         */
        static boolean onMainThread() {
            Thread t = Thread.currentThread();
            if (t == mainThread) {
                return true;
            }
            if (t.isVirtual() || !"main".equals(t.getName())) {
                return false;
            }
            boolean main = StackWalker.getInstance().walk(s -> s.reduce((a, b) -> b))
                    .map(f -> f.getMethodName().equals("main") && !f.getClassName().equals("java.lang.Thread"))
                    .orElse(false);
            if (main) {
                mainThread = t;               // the walk costs some 30 us: once per JVM
            }
            return main;
        }

        private static volatile Thread mainThread;
    }

    private static IllegalArgumentException refused(String n, String why) {
        return new IllegalArgumentException("signal " + n + " cannot be handled in Java: " + why);
    }
}
