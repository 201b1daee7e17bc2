package org.asyncio4j.internal;

/**
 * Cuts a task dump ({@link EventLoopImpl#dumpTasksFromAnyThread}, made by {@link TaskDump}: a
 * heading, the table, the tree, the stacks) into the parts the MBean's {@code dumpTasks} and
 * {@code dumpTaskTree} operations give, and so {@code ./dev ps} and {@code ./dev pstree} print:
 * the heading with the table, and the heading with the tree. It goes by {@link TaskDump}'s
 * section headings ({@code LoopMBeanTest} checks both parts against a real dump); a dump
 * without them (no live task) is given whole.
 */
final class TaskDumps {
    private static final String TABLE = "task id ";
    private static final String TREE = "Tree (";
    private static final String STACKS = "Stacks:";

    private TaskDumps() {
    }

    /** The heading and the table. */
    static String table(String dump) {
        int tree = lineStarting(dump, TREE, 0);
        return tree < 0 ? dump : dump.substring(0, tree).stripTrailing() + "\n";
    }

    /** The heading and the tree. */
    static String tree(String dump) {
        int table = lineStarting(dump, TABLE, 0);
        int tree = lineStarting(dump, TREE, 0);
        if (table < 0 || tree < 0) {
            return dump;
        }
        int stacks = lineStarting(dump, STACKS, tree);
        return dump.substring(0, table) + dump.substring(tree, stacks < 0 ? dump.length() : stacks).stripTrailing() + "\n";
    }

    /** Where the first line at or after {@code from} that starts with {@code prefix} begins, or -1. */
    private static int lineStarting(String dump, String prefix, int from) {
        int i = from;
        while (i < dump.length()) {
            if (dump.startsWith(prefix, i)) {
                return i;
            }
            int nl = dump.indexOf('\n', i);
            if (nl < 0) {
                return -1;
            }
            i = nl + 1;
        }
        return -1;
    }
}
