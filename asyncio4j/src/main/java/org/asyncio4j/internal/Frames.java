package org.asyncio4j.internal;

import java.security.CodeSource;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stack frames as the introspection shows them ({@code Task.toString()}, the call graph,
 * {@code dumpTasks()}, debug mode's cancellation origin): which frames are the library's (the
 * JDK's, or asyncio4j's runtime) and which are the user's, and a task's stack cut down to the
 * user's part.
 *
 * <p>A frame is asyncio4j's if its class comes from the same code source as this class (the
 * runtime jar, or its classes folder): a class name alone cannot tell, since tests, examples
 * and benchmarks live in {@code org.asyncio4j} packages too. The answer is cached per class
 * name; only classes named {@code org.asyncio4j.*} are looked up, and those on a stack are
 * loaded already.
 */
public final class Frames {
    private static final CodeSource OURS = FutureImpl.class.getProtectionDomain().getCodeSource();
    private static final ConcurrentHashMap<String, Boolean> RUNTIME_CLASSES = new ConcurrentHashMap<>();

    private Frames() {
    }

    /** True for a frame of the JDK (its modules, or a JDK package name). */
    static boolean isJdk(StackTraceElement e) {
        String m = e.getModuleName();
        if (m != null && (m.startsWith("java.") || m.startsWith("jdk."))) {
            return true;
        }
        String c = e.getClassName();
        return c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("javax.")
                || c.startsWith("com.sun.");
    }

    /** True for a frame of asyncio4j's runtime (not of its tests or examples). */
    static boolean isAsyncio4j(StackTraceElement e) {
        String c = e.getClassName();
        if (!c.startsWith("org.asyncio4j.")) {
            return false;
        }
        if ("org.asyncio4j".equals(e.getModuleName())) {
            return true;
        }
        Boolean known = RUNTIME_CLASSES.get(c);
        if (known == null) {
            known = inRuntime(c);
            RUNTIME_CLASSES.putIfAbsent(c, known);
        }
        return known;
    }

    private static boolean inRuntime(String className) {
        try {
            Class<?> k = Class.forName(className, false, FutureImpl.class.getClassLoader());
            CodeSource cs = k.getProtectionDomain().getCodeSource();
            if (cs == OURS) {
                return true;
            }
            return cs != null && OURS != null && Objects.equals(cs.getLocation(), OURS.getLocation());
        } catch (ClassNotFoundException | LinkageError notOurs) {
            return false;
        }
    }

    /** True for a frame of the JDK or of asyncio4j's runtime. */
    static boolean isLibrary(StackTraceElement e) {
        return isJdk(e) || isAsyncio4j(e);
    }

    /** The first (innermost) frame that is neither the JDK's nor asyncio4j's, or null. */
    public static StackTraceElement firstUserFrame(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if (!isLibrary(e)) {
                return e;
            }
        }
        return null;
    }

    /**
     * The frame user code called into the library from: the library frame just above the first
     * user frame ({@code Asyncio.gather}, {@code FutureImpl.await}, {@code Thread.sleep}), or null
     * when there is none.
     */
    static StackTraceElement entryFrame(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length; i++) {
            if (!isLibrary(stack[i])) {
                return i > 0 ? stack[i - 1] : null;
            }
        }
        return null;
    }

    /**
     * A task's stack without the library's frames above the first user frame and below the
     * last one (the thread's start, the task's runner). With {@code keepEntry}, the frame user
     * code called into the library from stays on top, so a suspended task shows what it waits
     * in ({@code Asyncio.gather}, {@code TaskGroup.close}, {@code LinkedBlockingQueue.take}).
     * Library frames between user frames stay (a {@code timeout} or {@code TaskGroup.run} the
     * user's code passed through). A stack with no user frame at all (a task whose body is the
     * library's own) is cut to its non-JDK part instead; one with neither is returned whole.
     */
    static List<StackTraceElement> trim(StackTraceElement[] stack, boolean keepEntry) {
        java.util.function.Predicate<StackTraceElement> ours = e -> !isLibrary(e);
        int first = firstIndex(stack, ours);
        if (first < 0) {
            ours = e -> !isJdk(e);
            first = firstIndex(stack, ours);
        }
        if (first < 0) {
            return List.of(stack);
        }
        int last = first;
        for (int i = first + 1; i < stack.length; i++) {
            if (ours.test(stack[i])) {
                last = i;
            }
        }
        int from = keepEntry && first > 0 ? first - 1 : first;
        return List.of(Arrays.copyOfRange(stack, from, last + 1));
    }

    private static int firstIndex(StackTraceElement[] stack, java.util.function.Predicate<StackTraceElement> p) {
        for (int i = 0; i < stack.length; i++) {
            if (p.test(stack[i])) {
                return i;
            }
        }
        return -1;
    }

    /** {@code pkg.Class.method(File.java:12)}: a stack frame without the class loader's prefix. */
    static String frame(StackTraceElement e) {
        return e.getClassName() + "." + e.getMethodName() + location(e);
    }

    /** {@code Class.method(File.java:12)}: the frame with the simple class name, for one-line summaries. */
    public static String shortFrame(StackTraceElement e) {
        String c = e.getClassName();
        return c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName() + location(e);
    }

    /** {@code Class.method}, for naming the call a task waits in. */
    static String shortMethod(StackTraceElement e) {
        String c = e.getClassName();
        return c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
    }

    private static String location(StackTraceElement e) {
        if (e.isNativeMethod()) {
            return "(Native Method)";
        }
        if (e.getFileName() == null) {
            return "(Unknown Source)";
        }
        return e.getLineNumber() >= 0 ? "(" + e.getFileName() + ":" + e.getLineNumber() + ")" : "(" + e.getFileName() + ")";
    }
}
