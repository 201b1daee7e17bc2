package org.asyncio4j.internal;

/**
 * Splits a task dump ({@link EventLoopImpl#dumpTasksFromAnyThread}: the table, then the tree)
 * into its two parts, for the MBean's {@code dumpTasks} and {@code dumpTaskTree} operations and
 * so for {@code ./dev ps} and {@code ./dev pstree}. The tree is the part from its first line
 * drawn with a box character ({@code └ ├ │}) on; a dump with no such line is all table.
 */
final class TaskDumps {
    private TaskDumps() {
    }

    /** The table part of a dump. */
    static String table(String dump) {
        int i = treeStart(dump);
        return i < 0 ? dump : dump.substring(0, i).stripTrailing() + "\n";
    }

    /** The tree part of a dump, or the whole dump if it has no tree. */
    static String tree(String dump) {
        int i = treeStart(dump);
        return i < 0 ? dump : dump.substring(i);
    }

    private static int treeStart(String dump) {
        int start = 0;
        while (start < dump.length()) {
            int end = dump.indexOf('\n', start);
            if (end < 0) {
                end = dump.length();
            }
            String line = dump.substring(start, end).stripLeading();
            if (!line.isEmpty() && "└├│".indexOf(line.charAt(0)) >= 0) {
                return start;
            }
            start = end + 1;
        }
        return -1;
    }
}
