package org.asyncio4j.test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.Asyncio;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.ExceptionHandler;
import org.asyncio4j.Task;
import org.asyncio4j.internal.EventLoopImpl;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;
import org.opentest4j.AssertionFailedError;

/**
 * One test method invocation on its own event loop, and the checks after it.
 *
 * <h2>Implementation overview</h2>
 * <dl>
 *   <dt>Threads</dt>
 *   <dd>The loop is created on JUnit's thread (parameter resolution may need it before the
 *       invocation), then run on a platform thread of its own, the <em>runner</em>, which takes
 *       it over: the test method runs in the loop's main task, the checks and the close on the
 *       runner. JUnit's thread waits for the runner with the real-time limit, so a test that
 *       holds the loop's thread (CPU work, a blocking call that pins it) still ends within the
 *       limit plus a grace period; such a runner is left behind (a daemon).</dd>
 *   <dt>The main task</dt>
 *   <dd>Runs {@code invocation.proceed()}, then settles the loop ({@link TestClock#settle}: what
 *       is ready runs, no time passes), so tasks the test cancelled just before returning can
 *       end. It catches whatever the method throws and keeps it as {@code failure}: the main
 *       task ends normally, so its own outcome is neither rethrown with the runner's frames
 *       appended nor reported as unretrieved.</dd>
 *   <dt>Checks</dt>
 *   <dd>After the main task: the loop's handler is ours again (the test may have replaced it),
 *       auto-advance is back on, the live tasks are described (name, state, stack), then
 *       cancelled and awaited ({@code cancelAllTasks}), the executor shut down and the loop
 *       closed, which reports every unread failure to the handler. What reached the handler is
 *       sorted into "never retrieved" (the loop's own wording) and the rest.</dd>
 *   <dt>Time limit</dt>
 *   <dd>When it passes (or JUnit's thread is interrupted: JUnit's own {@code @Timeout}),
 *       JUnit's thread records why, then posts to the loop a callback that dumps the tasks and
 *       cancels the main task. The runner reports the limit whatever happened after; if it has
 *       not ended within the grace period, JUnit's thread reports the limit with the runner's
 *       stack and what it can read of the tasks.</dd>
 * </dl>
 */
final class TestRun implements ExtensionContext.Store.CloseableResource {

    private static final String NEVER_RETRIEVED = "exception was never retrieved";

    final EventLoopImpl loop;
    final TestClock clock;                    // null on the real clock
    private final AsyncioTest settings;
    private final List<ExceptionContext> reported = Collections.synchronizedList(new ArrayList<>());
    private final ExceptionHandler recorder = (l, context) -> reported.add(context);
    private volatile Task<?> main;
    private volatile String expired;          // why the run was cut short (JUnit's thread)
    private volatile String dumpAtLimit;      // the tasks when it was (the loop's thread)
    private Throwable failure;                // what the test method threw (the main task)
    private boolean started;

    TestRun(AsyncioTest settings) {
        this.settings = settings;
        loop = new EventLoopImpl(settings.virtualClock());
        loop.setDebug(settings.debug());
        loop.setExceptionHandler(recorder);
        clock = settings.virtualClock() ? new TestClock(loop) : null;
    }

    /** Runs the invocation as the loop's main task named {@code name}; throws what fails the test. */
    void run(Invocation<Void> invocation, String name) throws Throwable {
        started = true;
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().daemon().name("asyncio4j-test-loop: " + name)
                .unstarted(() -> outcome.set(runAndCheck(invocation, name)));
        long t0 = System.nanoTime();
        runner.start();
        boolean interrupted = false;
        try {
            if (!runner.join(Duration.ofNanos(seconds(settings.timeoutSeconds())))) {
                expired = "passed its real-time limit of " + format(settings.timeoutSeconds())
                        + " s (@AsyncioTest(timeoutSeconds))";
            }
        } catch (InterruptedException e) {
            interrupted = true;
            expired = "was interrupted after " + format((System.nanoTime() - t0) / 1e9)
                    + " s (by JUnit's @Timeout, or another thread)";
        }
        if (expired != null) {
            expire();
            double grace = Math.min(5, Math.max(0.5, settings.timeoutSeconds()));
            boolean ended = joinUninterruptibly(runner, seconds(grace));
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (!ended) {
                throw stuck(runner, grace);
            }
        }
        Throwable t = outcome.get();
        if (t != null) {
            throw t;
        }
    }

    /** Ran by JUnit when the test's context ends: closes a loop no invocation ran (a failed resolution). */
    @Override
    public void close() {
        if (!started && !loop.isClosed()) {
            loop.close();
        }
    }

    // ------------------------------------------------------------------ the runner

    private Throwable runAndCheck(Invocation<Void> invocation, String name) {
        try {
            loop.runUntilComplete(() -> {
                Task<?> me = Asyncio.currentTask();
                me.setName(name);
                main = me;
                try {
                    invocation.proceed();
                    TestClock.settle(loop);
                } catch (Throwable t) {
                    failure = t;
                }
                return null;
            });
        } catch (Throwable t) {           // the main task cancelled before it started
            if (failure == null) {
                failure = t;
            }
        }
        List<Finding> findings = cleanUp();
        return outcome(findings);
    }

    /** Describes and cancels what is left, closes the loop, and sorts what it reported. */
    private List<Finding> cleanUp() {
        List<Finding> findings = new ArrayList<>();
        loop.setExceptionHandler(recorder);
        if (settings.virtualClock()) {
            loop.setAutoAdvance(true);
        }
        Collection<Task<?>> pending = loop.allTasks();
        if (!pending.isEmpty() && !settings.allowPendingTasks()) {
            findings.add(new Finding(count(pending.size(), "task") + " still pending when the test method returned"
                    + " (cancelled now; @AsyncioTest(allowPendingTasks = true) permits it):\n" + describe(pending), List.of()));
        }
        try {
            loop.cancelAllTasks();
            loop.shutdownDefaultExecutor();
        } finally {
            loop.close();
        }
        List<ExceptionContext> unretrieved = new ArrayList<>();
        List<ExceptionContext> handled = new ArrayList<>();
        synchronized (reported) {
            for (ExceptionContext c : reported) {
                (c.message().contains(NEVER_RETRIEVED) ? unretrieved : handled).add(c);
            }
        }
        if (!unretrieved.isEmpty() && !settings.allowUnretrievedExceptions()) {
            findings.add(contexts(count(unretrieved.size(), "exception") + " never retrieved (a failed future or task"
                    + " nobody awaited; @AsyncioTest(allowUnretrievedExceptions = true) permits it):", unretrieved));
        }
        if (!handled.isEmpty() && !settings.allowHandlerExceptions()) {
            findings.add(contexts(count(handled.size(), "exception") + " reached the loop's exception handler"
                    + " (@AsyncioTest(allowHandlerExceptions = true) permits it):", handled));
        }
        return findings;
    }

    /** What fails the test: the limit, else the method's own failure, else the findings; null if it passed. */
    private Throwable outcome(List<Finding> findings) {
        AssertionFailedError found = null;
        if (!findings.isEmpty()) {
            StringBuilder sb = new StringBuilder("@AsyncioTest: after the test method, ");
            sb.append(findings.size() == 1 ? "one check failed" : findings.size() + " checks failed");
            for (Finding f : findings) {
                sb.append("\n- ").append(f.text);
            }
            found = new AssertionFailedError(sb.toString());
            for (Finding f : findings) {
                f.attached.forEach(found::addSuppressed);
            }
        }
        Throwable result;
        if (expired != null) {
            String dump = dumpAtLimit;
            result = new AssertionFailedError("@AsyncioTest: the test " + expired + "; its main task was cancelled. "
                    + (dump != null ? "The loop's tasks at that moment:\n" + dump
                            : "No task dump: the loop was not running then (the test was in its cleanup)."));
            if (failure != null) {
                result.addSuppressed(failure);
            }
        } else {
            result = failure != null ? failure : found;
        }
        if (result != null && found != null && result != found) {
            result.addSuppressed(found);
        }
        return result;
    }

    // ------------------------------------------------------------------ the limit

    /** JUnit's thread, at the limit: has the loop dump its tasks and cancel the main task. */
    private void expire() {
        try {
            loop.callSoonThreadsafe(() -> {
                dumpAtLimit = loop.dumpTasks();     // on the loop: the table, the tree, the stacks
                Task<?> m = main;
                if (m != null) {
                    m.cancel("@AsyncioTest: the test " + expired);
                }
            });
        } catch (IllegalStateException closed) {
            // the loop closed meanwhile: the runner is about to end
        }
    }

    /** The report when the runner does not end after the limit: it holds the loop's thread. */
    private AssertionFailedError stuck(Thread runner, double grace) {
        StringBuilder sb = new StringBuilder("@AsyncioTest: the test ").append(expired)
                .append(", and did not end within ").append(format(grace)).append(" s more: a step holds the loop's thread")
                .append(" (CPU work, a blocking call that pins it), or the cleanup waits for an executor call. The loop's thread:\n");
        appendFrames(sb, runner.getStackTrace());
        String tasks;
        try {
            tasks = loop.dumpTasks();           // from outside the loop: waits 1 s, then best effort
        } catch (RuntimeException e) {
            tasks = "  (unreadable while the loop runs: " + e + ")\n";
        }
        sb.append("Its tasks:\n").append(tasks);
        AssertionFailedError e = new AssertionFailedError(sb.toString());
        e.setStackTrace(runner.getStackTrace());
        return e;
    }

    // ------------------------------------------------------------------ reports

    private record Finding(String text, List<Throwable> attached) {
    }

    private static Finding contexts(String title, List<ExceptionContext> contexts) {
        StringBuilder sb = new StringBuilder(title);
        List<Throwable> attached = new ArrayList<>();
        for (ExceptionContext c : contexts) {
            sb.append("\n  ").append(c.message());
            if (c.exception() != null) {
                sb.append(": ").append(c.exception());
                attached.add(c.exception());
            }
        }
        return new Finding(sb.toString(), attached);
    }

    /** Each task on a line, its stack below it. */
    static String describe(Collection<? extends Task<?>> tasks) {
        StringBuilder sb = new StringBuilder();
        for (Task<?> t : tasks) {
            sb.append("  ").append(t).append('\n');
            appendFrames(sb, t.getStack());
        }
        return sb.toString();
    }

    private static void appendFrames(StringBuilder sb, StackTraceElement[] frames) {
        for (StackTraceElement f : frames) {
            sb.append("      at ").append(f).append('\n');
        }
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static long seconds(double s) {
        return EventLoopImpl.secondsToNanos(s);
    }

    private static String format(double seconds) {
        return new BigDecimal(String.format(Locale.ROOT, "%.3f", seconds)).stripTrailingZeros().toPlainString();
    }

    private static boolean joinUninterruptibly(Thread t, long nanos) {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return !t.isAlive();
                }
                try {
                    return t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
