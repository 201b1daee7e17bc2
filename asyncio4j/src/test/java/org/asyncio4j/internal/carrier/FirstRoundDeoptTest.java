package org.asyncio4j.internal.carrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;
import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Test;

/**
 * Many tasks parked before the first one ends: C2 compiles {@code VirtualThread.run} while no
 * virtual thread has ended yet. Unless the class its exit path touches is loaded first
 * ({@code Selection.loadVirtualThreadExitPath}), the compiled code traps on it and every task
 * that entered it deoptimizes as it finishes (75,600 traps for 100,000 tasks; 12 us per task
 * instead of 2 in MillionTasks' first round). Counted in a fresh JVM through
 * {@code -Xlog:deoptimization}: a property of the code the JIT made, not a timing.
 */
class FirstRoundDeoptTest {

    /** The forked program: 60,000 tasks parked on one Event, then released. */
    public static void main(String[] args) {
        Asyncio.run(() -> {
            Event e = new Event();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 60_000; i++) {
                ts.add(Asyncio.createTask(() -> e.await()));
            }
            Asyncio.sleep(0);
            e.set();
            for (Task<Void> t : ts) {
                t.await();
            }
        });
        System.out.println("done");
    }

    @Test
    void tasksEndingInCompiledVirtualThreadRun_doNotDeoptimizeOneByOne() throws Exception {
        Forks.Fork f = Forks.fork(FirstRoundDeoptTest.class, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-XX:+UseParallelGC", "-Xmx1g", "-Xlog:deoptimization=debug:stderr");
        assertEquals(0, f.exit(), f.both());
        assertTrue(f.stdout().contains("done"), f.both());
        long traps = f.stderrLines("java.lang.VirtualThread.run(").size();
        assertTrue(traps < 100, traps + " deoptimizations in VirtualThread.run (one per task means the exit path's"
                + " class was not loaded before C2 compiled it)");
    }
}
