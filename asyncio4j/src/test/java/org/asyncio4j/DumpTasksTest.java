package org.asyncio4j;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.asyncio4j.internal.EventLoopImpl;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code EventLoop.dumpTasks()}: the table (one row per live task: id, name, state, what it
 * waits for, where, who awaits it), the tree from the tasks nobody awaits down, the stacks; and
 * the ways it is taken from another thread (running loop, idle loop, a loop a step holds).
 */
@Timeout(20)
class DumpTasksTest {

    /** main opens a TaskGroup of w1 and w2; each gathers two leaves; a dumper dumps at t=1. */
    private static String groupOfGatheringChildren() {
        return runVc(() -> {
            Task<String> dumper = createTask(() -> {
                sleep(1);
                return getRunningLoop().dumpTasks();
            }, "dumper");
            try (var tg = new TaskGroup()) {
                for (String w : List.of("w1", "w2")) {
                    tg.createTask(() -> {
                        gather(createTask(() -> sleep(5), w + "-a"), createTask(() -> sleep(5), w + "-b"));
                    }, w);
                }
            }
            return dumper.await();
        });
    }

    @Test
    void tree_taskGroupOfChildrenAwaitingAGather_hangsEachLeafUnderItsChild_andTheChildrenUnderTheGroupsTask() {
        String dump = groupOfGatheringChildren();
        assertEquals(List.of(
                "`-- Task-1",
                "    |-- w1",
                "    |   |-- w1-a",
                "    |   `-- w1-b",
                "    `-- w2",
                "        |-- w2-a",
                "        `-- w2-b",
                "`-- dumper"), treeShape(dump), dump);
    }

    @Test
    void table_namesEachTask_itsState_whatItAwaits_whereAndWhoAwaitsIt() {
        String dump = groupOfGatheringChildren();
        assertTrue(dump.lines().findFirst().orElseThrow().matches("EventLoop\\[running .*\\]: 8 live tasks at loop time 1\\.000 s"), dump);
        List<String> header = cells(line(dump, "task id"));
        assertEquals(List.of("task id", "name", "state", "waiting for", "in", "at", "awaited by"), header, dump);
        List<String> main = cells(row(dump, "Task-1"));
        assertEquals("waiting", main.get(2), dump);
        assertEquals("Future[pending]", main.get(3), dump);
        assertEquals("TaskGroup.close", main.get(4), dump);
        assertTrue(main.get(5).startsWith("DumpTasksTest.lambda$"), dump);
        assertEquals("-", main.get(6), dump);
        String mainId = main.get(0);
        assertTrue(mainId.matches("#\\d+"), dump);

        List<String> w1 = cells(row(dump, "w1"));
        assertEquals("waiting", w1.get(2), dump);
        assertEquals("Future[pending gather, 0 of 2 done]", w1.get(3), dump);
        assertEquals("Asyncio.gather", w1.get(4), dump);
        assertEquals("Task-1 " + mainId, w1.get(6), dump);

        List<String> leaf = cells(row(dump, "w2-b"));
        assertEquals("sleep", leaf.get(3), dump);
        assertEquals("Asyncio.sleep", leaf.get(4), dump);
        assertEquals("w2 " + cells(row(dump, "w2")).get(0), leaf.get(6), dump);

        List<String> dumper = cells(row(dump, "dumper"));
        assertEquals("running", dumper.get(2), dump);
        assertEquals("-", dumper.get(3), dump);
        assertEquals("-", dumper.get(4), dump);
    }

    @Test
    @Tag("fast-only")   // a task seen while it is blocked in a JDK call
    void table_aTaskBlockedInAJdkCall_saysSo_andNamesTheCall() {
        String dump = runVc(() -> {
            java.util.concurrent.LinkedBlockingQueue<String> q = new java.util.concurrent.LinkedBlockingQueue<>();
            Task<String> taker = createTask(() -> q.take(), "taker");
            sleep(0.01);
            String d = getRunningLoop().dumpTasks();
            q.put("x");
            taker.await();
            return d;
        });
        List<String> taker = cells(row(dump, "taker"));
        assertEquals(List.of("waiting", "JDK call", "LinkedBlockingQueue.take"), taker.subList(2, 5), dump);
    }

    @Test
    void stacks_showEachTaskFromTheCallItWaitsIn_downToItsBody() {
        String dump = groupOfGatheringChildren();
        String stacks = dump.substring(dump.indexOf("\nStacks:\n"));
        assertTrue(Pattern.compile("#\\d+ Task-1 \\(waiting\\)\n    at org\\.asyncio4j\\.TaskGroup\\.close\\(").matcher(stacks).find(), dump);
        assertTrue(Pattern.compile("#\\d+ w1 \\(waiting\\)\n    at org\\.asyncio4j\\.Asyncio\\.gather\\(").matcher(stacks).find(), dump);
        assertTrue(Pattern.compile("#\\d+ dumper \\(running\\)\n    at org\\.asyncio4j\\.DumpTasksTest\\.lambda\\$").matcher(stacks).find(), dump);
        assertFalse(stacks.contains("jdk.internal.vm.Continuation"), dump);
        assertFalse(stacks.contains("TaskImpl.runBody"), dump);
    }

    @Test
    void tree_tasksAwaitingEachOther_areListedAsACycle() {
        String dump = runVc(() -> {
            Task<Void>[] ab = CallGraphTest.awaitCycle();
            String d = getRunningLoop().dumpTasks();
            ab[1].cancel();
            return d;
        });
        assertTrue(dump.contains("In a cycle of awaits (each awaits another of them):\n`-- (T) a #"), dump);
        assertTrue(dump.contains("(cycle: awaits a task above it)"), dump);
        assertEquals(List.of("`-- Task-1", "`-- a", "    `-- b", "        `-- a"), treeShape(dump), dump);
    }

    @Test
    void fromAnotherThread_whileTheLoopRuns_theLoopTakesTheDump() {
        String dump = runVc(() -> {
            Task<Void> t = createTask(() -> sleep(5), "sleeper");
            sleep(0.1);
            EventLoop loop = getRunningLoop();
            String d = toThread(() -> loop.dumpTasks());
            t.cancel();
            return d;
        });
        assertEquals(List.of("`-- Task-1", "`-- sleeper"), treeShape(dump), dump);
        assertFalse(dump.contains("best effort"), dump);
        assertFalse(dump.contains("read by thread"), dump);
        assertEquals("sleep", cells(row(dump, "sleeper")).get(3), dump);
    }

    @Test
    void fromAnotherThread_whileTheLoopIsIdle_isReadDirectly_andSaysSo() throws Exception {
        EventLoop loop = newEventLoop();
        try {
            loop.createTask(() -> sleep(1), "prepared");
            String[] out = new String[1];
            Thread other = new Thread(() -> out[0] = loop.dumpTasks(), "dumping-thread");
            other.start();
            other.join();
            assertTrue(out[0].contains("(read by thread 'dumping-thread' while the loop was idle)"), out[0]);
            assertEquals("ready", cells(row(out[0], "prepared")).get(2), out[0]);
        } finally {
            loop.close();
        }
    }

    @Test
    void fromAnotherThread_whenAStepHoldsTheLoop_isABestEffortRead_showingTheRunningTask() {
        String dump = runVc(() -> {
            EventLoopImpl loop = (EventLoopImpl) getRunningLoop();
            String[] out = new String[1];
            Task<Void> hog = createTask(() -> {
                Thread other = new Thread(() -> out[0] = loop.dumpTasksFromAnyThread(Duration.ofMillis(100)), "watchdog");
                other.start();
                spinWhileAlive(other);
            }, "hog");
            hog.await();
            return out[0];
        });
        assertTrue(dump.contains("best effort: the loop thread"), dump);
        assertTrue(dump.contains("task hog runs"), dump);
        assertEquals("running", cells(row(dump, "hog")).get(2), dump);
        assertTrue(dump.contains("at org.asyncio4j.DumpTasksTest.spinWhileAlive("), dump);
    }

    /** Holds the loop's thread (never suspends) until {@code t} ends. */
    static void spinWhileAlive(Thread t) {
        while (t.isAlive()) {
            Thread.onSpinWait();
        }
    }

    @Test
    void fromACallbackOnTheLoop_readsDirectly() {
        String dump = runVc(() -> {
            Future<String> out = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> out.setResult(getRunningLoop().dumpTasks()));
            return out.await();
        });
        assertTrue(dump.contains("1 live task at"), dump);
        assertEquals("waiting", cells(row(dump, "Task-1")).get(2), dump);
    }

    @Test
    void aLoopWithoutTasks_saysSo() {
        try (EventLoop loop = newEventLoop()) {
            String dump = loop.dumpTasks();
            assertTrue(dump.matches("EventLoop\\[idle .*\\]: 0 live tasks at loop time .*\n"), dump);
        }
    }

    // ------------------------------------------------------------------ parsing the dump

    /** The tree's lines as prefix + task name. */
    static List<String> treeShape(String dump) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        Pattern node = Pattern.compile("^([ |`-]*)\\(T\\) (\\S+) #\\d+.*$");
        for (String l : dump.split("\n")) {
            if (l.startsWith("Tree ")) {
                in = true;
            } else if (in && l.isEmpty()) {
                break;
            } else if (in) {
                Matcher m = node.matcher(l);
                if (m.matches()) {
                    out.add(m.group(1) + m.group(2));
                }
            }
        }
        return out;
    }

    private static String line(String dump, String start) {
        return dump.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError("no line " + start + " in\n" + dump));
    }

    /** The table row of the task named {@code name}. */
    private static String row(String dump, String name) {
        return dump.lines().filter(l -> l.matches("#\\d+ +" + Pattern.quote(name) + "  .*")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + " in\n" + dump));
    }

    /** A table line split at runs of two or more spaces. */
    private static List<String> cells(String line) {
        return Arrays.asList(line.trim().split(" {2,}"));
    }
}
