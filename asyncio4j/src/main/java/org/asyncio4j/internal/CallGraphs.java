package org.asyncio4j.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.asyncio4j.Future;
import org.asyncio4j.FutureCallGraph;

/**
 * The async call graph (Python 3.14's {@code asyncio.graph}): who awaits a future, found by
 * reading what the future has registered, never by recording anything on the await path.
 *
 * <h2>Implementation overview</h2>
 * A future's callback list already holds every task suspended on it (a task in
 * {@link TaskImpl#awaitDone} registers itself, not a callback), and the callbacks the
 * combinators register ({@code gather}'s outer future, {@code wait}'s and {@code asCompleted}'s
 * watchers, {@code shield}'s relay, a TaskGroup's child watcher) are {@link AwaitLink}s naming the
 * future they wait on behalf of. {@link #awaitersOf} walks that list, following links through
 * combinator futures to the tasks behind them. Everything here reads loop-confined state: it runs
 * on the loop's thread (the public calls check it; {@code dumpTasks} from another thread has the
 * loop run it, or reads at its own risk when the loop does not answer).
 */
public final class CallGraphs {
    private static final int MAX_LINK_DEPTH = 64;   // combinators over combinators; deeper is a cycle

    private CallGraphs() {
    }

    /**
     * The pending tasks suspended on {@code f}, directly or through combinators, in the order
     * they registered, each once; never {@code f} itself.
     */
    static List<TaskImpl<?>> awaitersOf(FutureImpl<?> f) {
        Set<TaskImpl<?>> out = new LinkedHashSet<>();
        collect(f, f, out, 0);
        return new ArrayList<>(out);
    }

    private static void collect(FutureImpl<?> origin, FutureImpl<?> f, Set<TaskImpl<?>> out, int depth) {
        if (depth > MAX_LINK_DEPTH) {
            return;
        }
        for (Object e : f.callbackEntries()) {
            FutureImpl<?> a = e instanceof TaskImpl<?> t ? t : e instanceof AwaitLink link ? link.awaiter() : null;
            if (a == null || a == origin || a == f) {
                continue;
            }
            if (a instanceof TaskImpl<?> t) {
                if (!t.isDone()) {
                    out.add(t);
                }
            } else {
                collect(origin, a, out, depth + 1);
            }
        }
    }

    /**
     * {@code Asyncio.captureCallGraph(future)}.
     *
     * @throws NullPointerException     if {@code future} is null
     * @throws IllegalArgumentException if it is not an asyncio4j future
     * @throws IllegalStateException    if the caller is not on the future's loop thread
     */
    public static FutureCallGraph capture(Future<?> future) {
        Objects.requireNonNull(future, "future");
        if (!(future instanceof FutureImpl<?> f)) {
            throw new IllegalArgumentException("captureCallGraph: not an asyncio4j future (use Asyncio.wrapFuture): " + future);
        }
        f.loop.checkThread("captureCallGraph");
        return build(f, new LinkedHashSet<>());
    }

    /**
     * {@code Asyncio.captureCallGraph()}: the current task's graph, or null on the loop outside
     * a task (a callback), as Python returns None there.
     *
     * @throws IllegalStateException outside a running loop
     */
    public static FutureCallGraph captureCurrent() {
        if (EventLoopImpl.running() == null) {
            throw new IllegalStateException("captureCallGraph() needs a running event loop: call it inside a task, or pass the future");
        }
        TaskImpl<?> t = TaskImpl.current();
        return t == null ? null : build(t, new LinkedHashSet<>());
    }

    private static FutureCallGraph build(FutureImpl<?> f, Set<FutureImpl<?>> path) {
        List<StackTraceElement> stack = f instanceof TaskImpl<?> t ? stackOf(t) : List.of();
        path.add(f);
        List<FutureCallGraph> by = new ArrayList<>();
        for (TaskImpl<?> a : awaitersOf(f)) {
            if (!path.contains(a)) {          // a task already on the path: a cycle, cut here
                by.add(build(a, path));
            }
        }
        path.remove(f);
        return new FutureCallGraph(f, stack, by);
    }

    /** A task's stack as the graph shows it: see {@link FutureCallGraph#callStack()}. */
    static List<StackTraceElement> stackOf(TaskImpl<?> t) {
        if (t == TaskImpl.current()) {
            return Frames.trim(Thread.currentThread().getStackTrace(), false);
        }
        return Frames.trim(t.getStack(), true);
    }

    // ------------------------------------------------------------------ format

    /** {@code Asyncio.formatCallGraph}: the graph as indented text, without a final newline. */
    public static String format(FutureCallGraph g) {
        StringBuilder sb = new StringBuilder();
        render(g, sb, 0);
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    private static void render(FutureCallGraph g, StringBuilder sb, int level) {
        String pad = "    ".repeat(level);
        sb.append(pad).append("* ").append(label(g.future())).append('\n');
        if (!g.callStack().isEmpty()) {
            sb.append(pad).append("  + Call stack:\n");
            for (StackTraceElement e : g.callStack()) {
                sb.append(pad).append("  |   at ").append(Frames.frame(e)).append('\n');
            }
        }
        if (!g.awaitedBy().isEmpty()) {
            sb.append(pad).append("  + Awaited by:\n");
            for (FutureCallGraph a : g.awaitedBy()) {
                render(a, sb, level + 1);
            }
        }
    }

    /** {@code Task 'name' #id} (the id is the task's thread id) or {@code Future @hash}. */
    static String label(Future<?> f) {
        if (f instanceof TaskImpl<?> t) {
            return "Task '" + t.getName() + "' #" + t.id();
        }
        return "Future @" + Integer.toHexString(System.identityHashCode(f));
    }
}
