package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each loop's JMX MBean: registered (in the background) once the loop runs, with the
 * statistics as attributes and the task dump as operations; gone when the loop closes; never
 * there with {@code withJmx(false)}.
 */
@Timeout(60)
class LoopMBeanTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    /** Waits (the registration is asynchronous) until {@code name} is registered. */
    private static void awaitRegistered(ObjectName name) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!SERVER.isRegistered(name)) {
            assertTrue(System.nanoTime() < end, name + " never registered");
            Thread.sleep(10);
        }
    }

    private static ObjectName nameOf(EventLoop loop) throws Exception {
        return new ObjectName("org.asyncio4j:type=EventLoop,name=" + JfrEventsTest.loopName(loop));
    }

    @Test
    void runningLoop_hasAnMBean_withItsStatistics_andTheTaskDump_goneAfterClose() throws Exception {
        CompletableFuture<ObjectName> name = new CompletableFuture<>();
        CountDownLatch checked = new CountDownLatch(1);
        Runner runner = new Runner();
        Thread t = Thread.ofPlatform().start(() -> runner.run(() -> {
            for (int i = 0; i < 3; i++) {
                createTask(() -> sleep(60), "mbean-sleeper-" + i);
            }
            sleep(0);                                        // they start, and sleep
            name.complete(nameOf(getRunningLoop()));
            while (checked.getCount() > 0) {
                sleep(0.01);
            }
            for (Task<?> task : Asyncio.allTasks()) {
                if (task != Asyncio.currentTask()) {
                    task.cancel();
                }
            }
        }));
        ObjectName on = name.get(20, TimeUnit.SECONDS);
        try {
            awaitRegistered(on);
            assertEquals(JfrEventsTest.loopName(runner.getLoop()), SERVER.getAttribute(on, "Name"));
            assertEquals(Boolean.TRUE, SERVER.getAttribute(on, "Running"));
            assertEquals(t.getName(), SERVER.getAttribute(on, "Thread"));
            assertEquals(4, SERVER.getAttribute(on, "Tasks"));
            assertTrue((Integer) SERVER.getAttribute(on, "Timers") >= 3);
            assertTrue((Long) SERVER.getAttribute(on, "Steps") >= 4);
            assertTrue((Long) SERVER.getAttribute(on, "Iterations") > 0);
            assertTrue((Long) SERVER.getAttribute(on, "LagNanos") >= 0);
            assertEquals(0L, SERVER.getAttribute(on, "LongestStepNanos"), "no step is timed outside debug mode");
            for (String attr : new String[] {"Ready", "IoWaiters", "Callbacks", "LongestStepTask", "Debug"}) {
                SERVER.getAttribute(on, attr);
            }
            assertEquals(14, SERVER.getMBeanInfo(on).getAttributes().length);
            String table = (String) SERVER.invoke(on, "dumpTasks", null, null);
            String tree = (String) SERVER.invoke(on, "dumpTaskTree", null, null);
            for (int i = 0; i < 3; i++) {
                assertTrue(table.contains("mbean-sleeper-" + i), table);
                assertTrue(tree.contains("mbean-sleeper-" + i), tree);
            }
            // The table part: the dump's heading and table, no tree, no stacks.
            assertTrue(table.startsWith("EventLoop[running name=" + runner.getLoop().toString().split("name=")[1].split(" ")[0]), table);
            assertTrue(table.contains("\ntask id ") && !table.contains("Tree (") && !table.contains("Stacks:"), table);
            // The tree part: the heading and the tree, drawn from the roots.
            assertTrue(tree.startsWith("EventLoop[running name="), tree);
            assertTrue(tree.contains("\nTree (") && tree.contains("`-- (T) ") && !tree.contains("task id ")
                    && !tree.contains("Stacks:"), tree);
        } finally {
            checked.countDown();
            t.join();
        }
        assertTrue(SERVER.isRegistered(on), "an idle loop that is not closed keeps its MBean");
        assertEquals(Boolean.FALSE, SERVER.getAttribute(on, "Running"));
        runner.close();
        assertFalse(SERVER.isRegistered(on), "close() unregisters it");
    }

    @Test
    void withJmxFalse_registersNoMBean_whileALoopStartedAfterItHasOne() throws Exception {
        CompletableFuture<ObjectName> hidden = new CompletableFuture<>();
        CompletableFuture<ObjectName> shown = new CompletableFuture<>();
        CountDownLatch done = new CountDownLatch(1);
        ThrowingRunnable body = () -> {
            while (done.getCount() > 0) {
                sleep(0.01);
            }
        };
        Thread a = Thread.ofPlatform().start(() -> Asyncio.run(() -> {
            hidden.complete(nameOf(getRunningLoop()));
            body.run();
        }, RunOptions.defaults().withJmx(false)));
        ObjectName hiddenName = hidden.get(20, TimeUnit.SECONDS);
        Thread b = Thread.ofPlatform().start(() -> Asyncio.run(() -> {
            shown.complete(nameOf(getRunningLoop()));
            body.run();
        }));
        try {
            // The registrations are made in order by one thread: once the later loop has its
            // MBean, the earlier one would have had its own.
            awaitRegistered(shown.get(20, TimeUnit.SECONDS));
            assertFalse(SERVER.isRegistered(hiddenName));
            Set<ObjectName> all = SERVER.queryNames(new ObjectName("org.asyncio4j:type=EventLoop,*"), null);
            assertFalse(all.contains(hiddenName), all.toString());
        } finally {
            done.countDown();
            a.join();
            b.join();
        }
        assertFalse(SERVER.isRegistered(shown.get()), "Asyncio.run closed the loop, and so unregistered it");
    }
}
