package org.asyncio4j;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The async call graph, ported from CPython's Lib/test/test_asyncio/test_graph.py (3.14) where
 * the behaviours map: the graph through a plain await of a task, {@code gather}, a TaskGroup
 * (whose task awaits every child), {@code shield}, {@code timeout} (which adds nothing),
 * {@code wait}, and a future awaited by two tasks; plus what Python has no counterpart for
 * ({@code waitFor}, the lambda-form group, {@code asCompleted}, cycles, misuse).
 *
 * <p>{@link #walk} reduces a graph to a line like Python's test helper does:
 * {@code T<name>[frames]{awaiters}}, where the frames are this class's methods ({@code λ} for a
 * lambda), and the library frame on top (the call the task is suspended in), if any, as
 * {@code Class.method}.
 */
@Timeout(10)
class CallGraphTest {

    /** {@code T<name>[frames]{awaiters...}}, or {@code F[]{...}} for a plain future. */
    static String walk(FutureCallGraph g) {
        StringBuilder sb = new StringBuilder();
        sb.append(g.future() instanceof Task<?> t ? "T<" + t.getName() + ">" : "F");
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < g.callStack().size(); i++) {
            StackTraceElement e = g.callStack().get(i);
            if (e.getClassName().startsWith(CallGraphTest.class.getName())) {
                frames.add(e.getMethodName().startsWith("lambda$") ? "λ" : e.getMethodName());
            } else if (i == 0) {
                String c = e.getClassName();
                frames.add(c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName());
            }
        }
        sb.append(frames).append('{');
        for (int i = 0; i < g.awaitedBy().size(); i++) {
            sb.append(i > 0 ? " " : "").append(walk(g.awaitedBy().get(i)));
        }
        return sb.append('}').toString();
    }

    // ------------------------------------------------------------------ test_stack_tgroup

    private static FutureCallGraph[] tgroupCapture = new FutureCallGraph[1];

    static void c5() {
        tgroupCapture[0] = captureCallGraph();
    }

    static void c4() {
        sleep(0);
        c5();
    }

    static void c3() {
        c4();
    }

    static void c2() {
        c3();
    }

    @Test
    void graph_taskGroupChild_isAwaitedByTheGroupsTaskAndByTheSiblingsAwaitingIt() {
        String main = run(() -> {
            try (var tg = new TaskGroup()) {
                Task<Void> root = tg.createTask(() -> c2(), "c2_root");
                tg.createTask(() -> root.await(), "sub_main_1");
                tg.createTask(() -> root.await(), "sub_main_2");
            }
            return currentTask().getName();
        });
        String m = "T<" + main + ">[TaskGroup.close, λ]{}";
        assertEquals("T<c2_root>[c5, c4, c3, c2, λ]{" + m
                + " T<sub_main_1>[FutureImpl.await, λ]{" + m + "}"
                + " T<sub_main_2>[FutureImpl.await, λ]{" + m + "}}", walk(tgroupCapture[0]));
    }

    // ------------------------------------------------------------------ test_stack_gather

    static FutureCallGraph deepCapture;

    static void deep() {
        sleep(0);
        deepCapture = captureCallGraph();
    }

    static void c1Deep() {
        sleep(0);
        deep();
    }

    @Test
    void graph_throughGather_childIsAwaitedByTheTaskAwaitingTheGather() {
        String main = run(() -> {
            gather(() -> {
                c1Deep();
                return null;
            }, () -> {
                sleep(0);
                return null;
            });
            return currentTask().getName();
        });
        assertEquals("T<Task-2>[deep, c1Deep, λ]{T<" + main + ">[Asyncio.gather, λ]{}}", walk(deepCapture));
    }

    @Test
    void graph_throughGatherOfFutures_andNestedGathers_reachesTheOuterCaller() {
        runVc(() -> {
            Task<Void> leaf = createTask(() -> sleep(10), "leaf");
            Task<Void> mid = createTask(() -> {
                gather(leaf, createTask(() -> sleep(1), "other"));
            }, "mid");
            Task<Void> top = createTask(() -> {
                gather(List.of(mid));
            }, "top");
            sleep(0.5);
            assertEquals("T<leaf>[Asyncio.sleep, λ]{T<mid>[Asyncio.gather, λ]{T<top>[Asyncio.gather, λ]{}}}",
                    walk(captureCallGraph(leaf)));
            top.cancel();
            assertThrows(CancelledException.class, top::await);
        });
    }

    // ------------------------------------------------------------------ test_stack_shield

    @Test
    void graph_throughShield_innerIsAwaitedByWhoAwaitsTheShield() {
        String main = run(() -> {
            shield(createTask(() -> c1Deep())).await();
            return currentTask().getName();
        });
        assertEquals("T<Task-2>[deep, c1Deep, λ]{T<" + main + ">[FutureImpl.await, λ]{}}", walk(deepCapture));
    }

    // ------------------------------------------------------------------ test_stack_timeout

    static FutureCallGraph innerCapture;

    static void inner() {
        sleep(0);
        innerCapture = captureCallGraph();
    }

    static void c1Timeout() {
        timeout(Duration.ofSeconds(1), () -> {
            sleep(0);
            inner();
        });
    }

    @Test
    void graph_timeout_addsNothing_itIsAContextInTheSameTask() {
        String main = run(() -> {
            shield(createTask(() -> c1Timeout())).await();
            return currentTask().getName();
        });
        assertEquals("T<Task-2>[inner, λ, c1Timeout, λ]{T<" + main + ">[FutureImpl.await, λ]{}}", walk(innerCapture));
    }

    // ------------------------------------------------------------------ test_stack_wait

    @Test
    void graph_throughWait_eachFutureIsAwaitedByTheWaitingTask() {
        String main = run(() -> {
            Task<Void> t1 = createTask(() -> c1Timeout());
            Task<Void> t2 = createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    sleep(0);
                }
            });
            while (!Asyncio.wait(List.of(t1, t2), ReturnWhen.ALL_COMPLETED).pending().isEmpty()) {
                sleep(0);
            }
            return currentTask().getName();
        });
        assertEquals("T<Task-2>[inner, λ, c1Timeout, λ]{T<" + main + ">[Asyncio.wait, λ]{}}", walk(innerCapture));
    }

    // ------------------------------------------------------------------ test_stack_task

    static void c1Task() {
        inner();
    }

    static void c2Task() {
        createTask(() -> c1Task(), "there there").await();
    }

    @Test
    void graph_throughAwaitOfATask_theAwaiterIsTheTaskAwaitingIt() {
        String main = run(() -> {
            c2Task();
            return currentTask().getName();
        });
        assertEquals("T<there there>[inner, c1Task, λ]{T<" + main + ">[FutureImpl.await, c2Task, λ]{}}", walk(innerCapture));
    }

    // ------------------------------------------------------------------ test_stack_future

    static void a2(Future<?> fut) {
        fut.await();
    }

    static void a1(Future<?> fut) {
        a2(fut);
    }

    static void b1(Future<?> fut) {
        fut.await();
    }

    @Test
    void graph_futureAwaitedByTwoTasks_listsBoth_withTheGroupsTaskAboveEach() {
        FutureCallGraph[] g = new FutureCallGraph[1];
        String[] text = new String[1];
        String main = run(() -> {
            Future<Object> fut = getRunningLoop().createFuture();
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> a1(fut), "task A");
                tg.createTask(() -> b1(fut), "task B");
                for (int i = 0; i < 5; i++) {
                    sleep(0);
                }
                g[0] = captureCallGraph(fut);
                text[0] = formatCallGraph(fut);
                fut.setResult(null);
            }
            return currentTask().getName();
        });
        String m = "T<" + main + ">[λ]{}";      // the capturing task itself: its stack at the call
        assertEquals("F[]{T<task A>[FutureImpl.await, a2, a1, λ]{" + m + "} T<task B>[FutureImpl.await, b1, λ]{" + m + "}}",
                walk(g[0]));
        assertTrue(text[0].startsWith("* Future @"), text[0]);
    }

    // ------------------------------------------------------------------ beyond Python's tests

    @Test
    void graph_throughWaitFor_theInnerIsAwaitedByTheCaller() {
        runVc(() -> {
            Task<Void> slow = createTask(() -> sleep(10), "slow");
            Task<Void> caller = createTask(() -> {
                waitFor(slow, Duration.ofSeconds(5));
            }, "caller");
            sleep(1);
            assertEquals("T<slow>[Asyncio.sleep, λ]{T<caller>[Asyncio.waitFor, λ]{}}", walk(captureCallGraph(slow)));
            assertThrows(AsyncTimeoutException.class, caller::await);
            assertTrue(slow.isCancelled());
        });
    }

    @Test
    void graph_lambdaFormGroup_childIsAwaitedByTheGroupsTask_whileTheBodyRunsAndWhileItWaits() {
        runVc(() -> {
            List<String> seen = new ArrayList<>();
            String main = currentTask().getName();
            taskGroup(tg -> {
                Task<Void> child = tg.createTask(() -> sleep(1), "child");
                sleep(0);
                seen.add(walk(captureCallGraph(child)));       // the body runs: its own stack
                tg.createTask(() -> seen.add(walk(captureCallGraph(child))), "watcher");
                return null;
            });
            assertEquals(List.of(
                    "T<child>[Asyncio.sleep, λ]{T<" + main + ">[λ, λ]{}}",
                    "T<child>[Asyncio.sleep, λ]{T<" + main + ">[Asyncio.taskGroup, λ]{}}"), seen);
        });
    }

    @Test
    void graph_throughAsCompleted_eachFutureIsAwaitedByTheIteratingTask() {
        runVc(() -> {
            Task<Void> a = createTask(() -> sleep(5), "a");
            Task<Void> b = createTask(() -> sleep(10), "b");
            Task<Void> iterating = createTask(() -> {
                for (Task<Void> t : asCompleted(List.of(a, b))) {
                    t.await();
                }
            }, "iterating");
            sleep(1);
            assertEquals("T<b>[Asyncio.sleep, λ]{T<iterating>[Structured$CompletionOrder.next, λ]{}}",
                    walk(captureCallGraph(b)));
            iterating.await();
        });
    }

    @Test
    void graph_aPlainFutureNobodyAwaits_isAloneAndHasNoStack() {
        runVc(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            FutureCallGraph g = captureCallGraph(f);
            assertSame(f, g.future());
            assertEquals(List.of(), g.callStack());
            assertEquals(List.of(), g.awaitedBy());
        });
    }

    @Test
    void graph_ofTheCurrentTask_startsAtTheCaller() {
        runVc(() -> {
            FutureCallGraph g = captureCallGraph();
            assertSame(currentTask(), g.future());
            StackTraceElement top = g.callStack().get(0);
            assertEquals(CallGraphTest.class.getName(), top.getClassName(), g.callStack().toString());
            assertSame(currentTask(), captureCallGraph(currentTask()).future());
            assertEquals(CallGraphTest.class.getName(), captureCallGraph(currentTask()).callStack().get(0).getClassName());
        });
    }

    /**
     * Tasks a and b awaiting each other (a awaits b; b waits for a through {@code wait}, so
     * that cancelling b ends both: a plain await both ways would make a cancel recurse), after
     * both began to wait.
     */
    static Task<Void>[] awaitCycle() {
        @SuppressWarnings("unchecked")
        Task<Void>[] ab = new Task[2];
        ab[0] = createTask(() -> {
            sleep(0);
            ab[1].await();
        }, "a");
        ab[1] = createTask(() -> {
            sleep(0);
            Asyncio.wait(List.of(ab[0]), ReturnWhen.ALL_COMPLETED);
        }, "b");
        sleep(0.1);
        return ab;
    }

    @Test
    void graph_tasksAwaitingEachOther_isCutWhereTheCycleWouldRepeat() {
        runVc(() -> {
            Task<Void>[] ab = awaitCycle();
            assertEquals("T<a>[FutureImpl.await, λ]{T<b>[Asyncio.wait, λ]{}}", walk(captureCallGraph(ab[0])));
            assertEquals("T<b>[Asyncio.wait, λ]{T<a>[FutureImpl.await, λ]{}}", walk(captureCallGraph(ab[1])));
            ab[1].cancel();
            assertThrows(CancelledException.class, ab[0]::await);
        });
    }

    @Test
    void graph_doneTask_hasNoStackAndNoAwaiters() {
        runVc(() -> {
            Task<Integer> t = createTask(() -> 1);
            t.await();
            FutureCallGraph g = captureCallGraph(t);
            assertEquals(List.of(), g.callStack());
            assertEquals(List.of(), g.awaitedBy());
        });
    }

    // ------------------------------------------------------------------ format and print

    @Test
    void format_namesEachTaskAndFutureAndIndentsTheAwaiters() {
        runVc(() -> {
            Task<Void> child = createTask(() -> sleep(1), "child");
            Task<Void> parent = createTask(() -> child.await(), "parent");
            sleep(0.1);
            String text = formatCallGraph(child);
            String[] lines = text.split("\n");
            assertTrue(lines[0].matches("\\* Task 'child' #\\d+"), text);
            assertEquals("  + Call stack:", lines[1], text);
            assertTrue(lines[2].startsWith("  |   at org.asyncio4j.Asyncio.sleep("), text);
            assertTrue(text.contains("\n  + Awaited by:\n    * Task 'parent' #"), text);
            assertTrue(text.contains("\n      + Call stack:\n      |   at org.asyncio4j.internal.FutureImpl.await("), text);
            assertFalse(text.endsWith("\n"), text);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            printCallGraph(child, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertEquals(text + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
            parent.await();
        });
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void capture_nullFuture_isNullPointerException() {
        runVc(() -> {
            assertThrows(NullPointerException.class, () -> captureCallGraph(null));
            assertThrows(NullPointerException.class, () -> formatCallGraph(null));
            assertThrows(NullPointerException.class, () -> printCallGraph(currentTask(), null));
        });
    }

    @Test
    void capture_withoutTheFuture_outsideALoop_isIllegalState_andInACallbackIsNull() {
        assertThrows(IllegalStateException.class, Asyncio::captureCallGraph);
        runVc(() -> {
            Future<FutureCallGraph> out = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> out.setResult(captureCallGraph()));
            assertNull(out.await());
        });
    }

    @Test
    void capture_fromAnotherThread_whileTheLoopRuns_isIllegalState() {
        runVc(() -> {
            Task<Void> t = createTask(() -> sleep(1));
            Throwable[] thrown = new Throwable[1];
            Thread other = new Thread(() -> {
                try {
                    captureCallGraph(t);
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            });
            toThread(() -> {
                other.start();
                other.join();
            });
            assertInstanceOf(IllegalStateException.class, thrown[0]);
            t.await();
        });
    }
}
