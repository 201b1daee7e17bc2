package org.asyncio4j.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.asyncio4j.Task;

/**
 * {@code EventLoop.dumpTasks()}: every live task as a table (Python 3.14's {@code python -m
 * asyncio ps}), as a tree from the tasks nobody awaits down to the tasks they await
 * ({@code pstree}), and with its stack. Who awaits whom is {@link CallGraphs#awaitersOf}.
 *
 * <p>Reads loop-confined state: called on the loop's thread, or by
 * {@link EventLoopImpl#dumpTasksFromAnyThread} under the conditions it documents (then
 * {@code note} says how the dump was taken, and anything the loop changed meanwhile at worst
 * cuts the dump short with a line saying so).
 */
final class TaskDump {
    private static final int MAX_CELL = 48;

    private TaskDump() {
    }

    /** What a dump shows after its heading: everything, or only the table or the tree (the MBean's operations). */
    enum Part { ALL, TABLE, TREE }

    /** One task's row, computed once (one stack walk per task). */
    private record Row(TaskImpl<?> task, String id, String name, String state, String waiting, String in, String at,
            List<StackTraceElement> stack, List<TaskImpl<?>> awaiters) {
    }

    static String render(EventLoopImpl loop, String note, Part part) {
        StringBuilder sb = new StringBuilder();
        Set<Task<?>> live;
        try {
            live = loop.allTasks();
        } catch (RuntimeException changing) {
            return loop + ": the task list changed while it was read (" + changing + "); try again";
        }
        sb.append(loop).append(": ").append(live.size()).append(live.size() == 1 ? " live task" : " live tasks")
                .append(String.format(Locale.ROOT, " at loop time %.3f s", loop.time())).append('\n');
        if (note != null) {
            sb.append("(").append(note).append(")\n");
        }
        if (live.isEmpty()) {
            return sb.toString();
        }
        try {
            Map<TaskImpl<?>, Row> rows = new LinkedHashMap<>();
            for (Task<?> t : live) {
                TaskImpl<?> ti = (TaskImpl<?>) t;
                rows.put(ti, row(loop, ti));
            }
            if (part != Part.TREE) {
                table(rows, sb);
            }
            if (part == Part.ALL) {
                sb.append('\n');
            }
            if (part != Part.TABLE) {
                tree(rows, sb);
            }
            if (part == Part.ALL) {
                sb.append('\n');
                stacks(rows, sb);
            }
        } catch (RuntimeException changing) {
            sb.append("(the dump stopped here: the loop changed while it was read: ").append(changing).append(")\n");
        }
        return sb.toString();
    }

    private static Row row(EventLoopImpl loop, TaskImpl<?> t) {
        List<StackTraceElement> stack = CallGraphs.stackOf(t);
        StackTraceElement[] raw = stack.toArray(new StackTraceElement[0]);
        String waiting = t.waitingFor(raw, false);
        String state = loop.current == t || t == TaskImpl.current() ? "running" : waiting != null ? "waiting" : "ready";
        StackTraceElement in = Frames.entryFrame(raw);
        StackTraceElement at = Frames.firstUserFrame(raw);
        return new Row(t, "#" + t.id(), t.getName(), state, waiting == null ? "-" : waiting,
                in == null ? "-" : Frames.shortMethod(in), at == null ? "-" : Frames.shortFrame(at), stack,
                CallGraphs.awaitersOf(t));
    }

    // ------------------------------------------------------------------ table

    private static void table(Map<TaskImpl<?>, Row> rows, StringBuilder sb) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"task id", "name", "state", "waiting for", "in", "at", "awaited by"});
        for (Row r : rows.values()) {
            StringBuilder by = new StringBuilder();
            for (TaskImpl<?> a : r.awaiters()) {
                if (!by.isEmpty()) {
                    by.append(", ");
                }
                by.append(a.getName()).append(" #").append(a.id());
            }
            cells.add(new String[] {r.id(), r.name(), r.state(), r.waiting(), r.in(), r.at(), by.isEmpty() ? "-" : by.toString()});
        }
        int cols = cells.get(0).length;
        int[] width = new int[cols];
        for (String[] row : cells) {
            for (int c = 0; c < cols; c++) {
                row[c] = cut(row[c], c == cols - 1 ? Integer.MAX_VALUE : MAX_CELL);
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (int i = 0; i < cells.size(); i++) {
            String[] row = cells.get(i);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                line.append(row[c]);
                if (c < cols - 1) {
                    line.append(" ".repeat(width[c] - row[c].length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (i == 0) {
                int total = 0;
                for (int c = 0; c < cols; c++) {
                    total += width[c] + (c < cols - 1 ? 2 : 0);
                }
                sb.append("-".repeat(total)).append('\n');
            }
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    // ------------------------------------------------------------------ tree

    /**
     * Roots are the tasks nobody awaits; a task's children are the tasks awaiting it turned
     * around (the tasks it awaits, directly or through a combinator, or the children of its
     * TaskGroup). A task awaited by several appears under each, expanded once ("see above"
     * after); tasks only reachable through a cycle of awaits are listed after the roots.
     */
    private static void tree(Map<TaskImpl<?>, Row> rows, StringBuilder sb) {
        Map<TaskImpl<?>, List<TaskImpl<?>>> children = new HashMap<>();
        List<TaskImpl<?>> roots = new ArrayList<>();
        for (Row r : rows.values()) {
            boolean awaited = false;
            for (TaskImpl<?> a : r.awaiters()) {
                if (rows.containsKey(a)) {
                    children.computeIfAbsent(a, k -> new ArrayList<>()).add(r.task());
                    awaited = true;
                }
            }
            if (!awaited) {
                roots.add(r.task());
            }
        }
        sb.append("Tree (tasks nobody awaits, down to what they await):\n");
        Set<TaskImpl<?>> expanded = new HashSet<>();
        for (TaskImpl<?> root : roots) {
            node(root, rows, children, "", true, expanded, new HashSet<>(), sb);
        }
        boolean header = false;
        for (TaskImpl<?> t : rows.keySet()) {
            if (!expanded.contains(t)) {
                if (!header) {
                    sb.append("In a cycle of awaits (each awaits another of them):\n");
                    header = true;
                }
                node(t, rows, children, "", true, expanded, new HashSet<>(), sb);
            }
        }
    }

    private static void node(TaskImpl<?> t, Map<TaskImpl<?>, Row> rows, Map<TaskImpl<?>, List<TaskImpl<?>>> children,
            String prefix, boolean last, Set<TaskImpl<?>> expanded, Set<TaskImpl<?>> path, StringBuilder sb) {
        Row r = rows.get(t);
        sb.append(prefix).append(last ? "`-- " : "|-- ").append("(T) ").append(r.name()).append(' ').append(r.id())
                .append(' ').append(r.state());
        if (!r.waiting().equals("-")) {
            sb.append(" for ").append(r.waiting());
        }
        if (!r.in().equals("-")) {
            sb.append(" in ").append(r.in());
        }
        if (!r.at().equals("-")) {
            sb.append(" at ").append(r.at());
        }
        List<TaskImpl<?>> kids = children.getOrDefault(t, List.of());
        if (path.contains(t)) {
            sb.append("  (cycle: awaits a task above it)\n");
            return;
        }
        if (!expanded.add(t) && !kids.isEmpty()) {
            sb.append("  (see above)\n");
            return;
        }
        sb.append('\n');
        path.add(t);
        String inner = prefix + (last ? "    " : "|   ");
        for (int i = 0; i < kids.size(); i++) {
            node(kids.get(i), rows, children, inner, i == kids.size() - 1, expanded, path, sb);
        }
        path.remove(t);
    }

    // ------------------------------------------------------------------ stacks

    private static void stacks(Map<TaskImpl<?>, Row> rows, StringBuilder sb) {
        sb.append("Stacks:\n");
        for (Row r : rows.values()) {
            sb.append(r.id()).append(' ').append(r.name()).append(" (").append(r.state()).append(")\n");
            if (r.stack().isEmpty()) {
                sb.append(r.state().equals("ready") ? "    (queued to run: not read, so as not to disturb its turn)\n" : "    (no frames)\n");
            }
            for (StackTraceElement e : r.stack()) {
                sb.append("    at ").append(Frames.frame(e)).append('\n');
            }
        }
    }
}
