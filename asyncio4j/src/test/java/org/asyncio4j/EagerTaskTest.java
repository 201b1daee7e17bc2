package org.asyncio4j;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Eager tasks: Python 3.12's {@code eager_task_factory} and 3.14's {@code eager_start=True},
 * as {@link Asyncio#createEagerTask}, {@link TaskGroup#createEagerTask},
 * {@link EventLoop#setEagerTasks} and {@link RunOptions#withEagerTasks}. Behaviours ported from
 * CPython's Lib/test/test_asyncio/test_eager_task_factory.py (eager completion, blocking after
 * the eager step, cancellation after either, current_task, all_tasks, recursive task groups and
 * gathers), plus what this design adds: the order against other ready work, creation from a
 * callback, nesting, a creator cancelled during the eager step, a creator that cannot yield,
 * statistics and the virtual clock.
 */
@Timeout(20)
class EagerTaskTest {

    private static final RunOptions EAGER = TestLoops.VC.withEagerTasks(true);

    private static <T> T runEager(Callable<T> main) {
        return Asyncio.run(main, EAGER);
    }

    // ------------------------------------------------------------------ the first step runs inside createTask

    /** test_eager_task_factory's test_context_vars: the eager step runs in the child's own copy. */
    @Test
    void eagerStep_runsInACopyOfTheCreatorsContext() {
        ContextVar<Integer> cv = new ContextVar<>("cv", 0);
        List<String> seen = Asyncio.run(() -> {
            List<String> log = new ArrayList<>();
            cv.set(1);
            Task<Void> t = createEagerTask(() -> {
                log.add("child start " + cv.get());
                cv.set(2);
                sleep(0.01);
                log.add("child after sleep " + cv.get());
                cv.set(3);
            });
            log.add("creator after createTask " + cv.get());
            t.await();
            log.add("creator after await " + cv.get());
            return log;
        });
        assertEquals(List.of("child start 1", "creator after createTask 1", "child after sleep 2",
                "creator after await 1"), seen);
    }

    @Test
    void createEagerTask_runsTheBodyBeforeItReturns() {
        List<String> order = runVc(() -> {
            List<String> o = new ArrayList<>();
            Task<Void> t = createEagerTask(() -> {
                o.add("body starts");
                sleep(0.1);
                o.add("body resumes");
            });
            o.add("createEagerTask returned");
            t.await();
            return o;
        });
        assertEquals(List.of("body starts", "createEagerTask returned", "body resumes"), order);
    }

    @Test
    void createTask_onANormalLoop_staysLazy() {
        List<String> order = runVc(() -> {
            List<String> o = new ArrayList<>();
            assertFalse(getRunningLoop().getEagerTasks());
            Task<Void> t = createTask(() -> {
                o.add("body");
            });
            o.add("createTask returned");
            t.await();
            return o;
        });
        assertEquals(List.of("createTask returned", "body"), order);
    }

    @Test
    void eagerCompletion_bodyThatReturnsWithoutSuspending_givesADoneTask() {
        runVc(() -> {
            Task<String> t = createEagerTask(() -> "hello");
            assertTrue(t.isDone());
            assertEquals("hello", t.resultNow());
            assertEquals("hello", t.await());
            assertFalse(allTasks().contains(t));
        });
    }

    @Test
    void eagerCompletion_awaitsAFutureDoneDuringTheStep() {
        // test_await_future_during_eager_step
        String v = runVc(() -> {
            Future<String> fut = getRunningLoop().createFuture();
            Task<Void> t = createEagerTask(() -> {
                fut.setResult("my message");
            });
            assertTrue(t.isDone());
            return fut.await();
        });
        assertEquals("my message", v);
    }

    @Test
    void eagerCompletion_bodyThrows_taskDoneWithThatException_andCreateDoesNotThrow() {
        IllegalStateException boom = new IllegalStateException("boom");
        runVc(() -> {
            Task<Integer> t = createEagerTask(() -> {
                throw boom;
            });
            assertTrue(t.isDone());
            assertEquals(java.util.concurrent.Future.State.FAILED, t.state());
            assertSame(boom, t.exceptionNow());
            assertSame(boom, assertThrows(IllegalStateException.class, t::await));
        });
    }

    @Test
    void eagerCompletion_checkedException_awaitWrapsIt() {
        runVc(() -> {
            Task<Void> t = createEagerTask(() -> {
                throw new java.io.IOException("disk");
            });
            assertTrue(t.isDone());
            assertInstanceOf(java.io.IOException.class, t.exceptionNow());
            java.util.concurrent.CompletionException e =
                    assertThrows(java.util.concurrent.CompletionException.class, t::await);
            assertEquals("disk", e.getCause().getMessage());
        });
    }

    @Test
    void eagerCompletion_bodyThrowsCancelled_taskIsCancelled() {
        runVc(() -> {
            Task<Void> t = createEagerTask(() -> {
                throw new CancelledException("gave up");
            });
            assertTrue(t.isDone());
            assertTrue(t.isCancelled());
            assertEquals("gave up", assertThrows(CancelledException.class, t::await).getMessage());
        });
    }

    @Test
    void eagerTaskCancellingItselfThenReturning_isCancelledWhenCreateReturns() {
        runVc(() -> {
            Task<Integer> t = createEagerTask(() -> {
                currentTask().cancel();
                return 5;
            });
            assertTrue(t.isDone());
            assertTrue(t.isCancelled());
        });
    }

    @Test
    void eagerTaskCancellingItselfBeforeItsFirstSuspension_isCancelledThere() {
        // Python: the request is delivered at the first await; the task is pending with
        // cancelling() == 1 when create_task returns, then ends cancelled.
        List<String> order = runVc(() -> {
            List<String> o = new ArrayList<>();
            Task<Void> t = createEagerTask(() -> {
                currentTask().cancel();
                o.add("continues after cancel()");
                try {
                    sleep(1);
                    o.add("never");
                } catch (CancelledException e) {
                    o.add("cancelled at its first suspension");
                    throw e;
                }
            });
            o.add("created, done=" + t.isDone() + " cancelling=" + t.cancelling());
            assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
            return o;
        });
        assertEquals(List.of("continues after cancel()", "cancelled at its first suspension", "created, done=true cancelling=1"),
                order);
    }

    @Test
    void cancelAfterEagerCompletion_returnsFalse_andTheResultStands() {
        // test_cancellation_after_eager_completion
        runVc(() -> {
            Task<String> t = createEagerTask(() -> "finished without blocking");
            assertFalse(t.cancel());
            assertEquals("finished without blocking", t.await());
            assertFalse(t.isCancelled());
        });
    }

    @Test
    void cancelAfterTheEagerStepBlocks_cancelsTheTaskWithTheMessage() {
        // test_cancellation_after_eager_step_blocks
        runVc(() -> {
            Task<String> t = createEagerTask(() -> {
                sleep(0.1);
                return "finished after blocking";
            });
            assertFalse(t.isDone());
            assertTrue(t.cancel("cancellation message"));
            assertTrue(t.cancelling() > 0);
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("cancellation message", e.getMessage());
        });
    }

    // ------------------------------------------------------------------ order against other ready work

    @Test
    void firstSuspension_returnsToTheCreator_beforeAnyOtherReadyEntry_laterStepsInFifoOrder() {
        List<String> order = runVc(() -> {
            List<String> o = new ArrayList<>();
            getRunningLoop().callSoon(() -> o.add("callback scheduled before"));
            Task<Void> other = createTask(() -> {
                o.add("task created before, lazily");
            });
            Task<Void> eager = createEagerTask(() -> {
                o.add("eager step 1");
                getRunningLoop().callSoon(() -> o.add("callback scheduled by the eager step"));
                sleep(0);
                o.add("eager step 2");
            });
            o.add("creator after create");
            gather(List.of(other, eager));
            return o;
        });
        assertEquals(List.of("eager step 1", "creator after create", "callback scheduled before",
                "task created before, lazily", "callback scheduled by the eager step", "eager step 2"), order);
    }

    @Test
    void blockAfterEagerStep_taskFinishesLater() {
        // test_block_after_eager_step
        String v = runVc(() -> {
            Task<String> t = createEagerTask(() -> {
                sleep(0.1);
                return "finished after blocking";
            });
            assertFalse(t.isDone());
            String r = t.await();
            assertTrue(t.isDone());
            return r;
        });
        assertEquals("finished after blocking", v);
    }

    @Test
    @Tag("fast-only")   // cooperative blocking: in the portable mode the latch holds the loop's turn
    void eagerStepBlockedInAJdkCall_returnsToTheCreator_andResumesFromThere() {
        runVc(() -> {
            java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
            List<String> o = new ArrayList<>();
            Task<Void> t = createEagerTask(() -> {
                o.add("waits on a latch");
                latch.await();
                o.add("latch released");
            });
            o.add("creator goes on");
            Thread.ofPlatform().start(latch::countDown);
            t.await();
            assertEquals(List.of("waits on a latch", "creator goes on", "latch released"), o);
        });
    }

    // ------------------------------------------------------------------ current task, all tasks

    @Test
    void currentTask_duringTheEagerStep_isTheNewTask_andTheCreatorAfterwards() {
        // test_current_task
        runVc(() -> {
            Task<?> creator = currentTask();
            Task<?>[] seen = new Task<?>[2];
            Task<Void> t = createEagerTask(() -> {
                seen[0] = currentTask();
                sleep(0.1);
                seen[1] = currentTask();
            });
            assertSame(t, seen[0]);
            assertSame(creator, currentTask());
            t.await();
            assertSame(t, seen[1]);
        });
    }

    @Test
    void allTasks_containsTheEagerTaskDuringItsStep_notOnceItEndedThere() {
        // test_all_tasks_with_eager_completion, test_all_tasks_with_blocking
        runVc(() -> {
            List<Task<?>> during = new ArrayList<>();
            Task<Void> done = createEagerTask(() -> {
                during.addAll(allTasks());
            });
            assertTrue(during.contains(done));
            assertFalse(allTasks().contains(done));

            Future<Void> fut1 = getRunningLoop().createFuture();
            Future<Void> fut2 = getRunningLoop().createFuture();
            during.clear();
            Task<Void> blocking = createEagerTask(() -> {
                during.addAll(allTasks());
                fut1.await();
                fut2.setResult(null);
            });
            assertTrue(during.contains(blocking));
            assertTrue(allTasks().contains(blocking));
            fut1.setResult(null);
            fut2.await();
            blocking.await();
            assertFalse(allTasks().contains(blocking));
        });
    }

    // ------------------------------------------------------------------ the per-loop setting

    @Test
    void runOptionsWithEagerTasks_makeCreateTaskEager_butNotTheMainTask() {
        assertTrue(EAGER.eagerTasks());
        assertFalse(RunOptions.defaults().eagerTasks());
        assertTrue(EAGER.toString().contains("eagerTasks=true"), EAGER.toString());
        List<String> order = runEager(() -> {
            List<String> o = new ArrayList<>();
            assertTrue(getRunningLoop().getEagerTasks());
            assertEquals("Task-1", currentTask().getName());
            Task<Void> a = createTask(() -> {
                o.add("Asyncio.createTask body");
            });
            assertTrue(a.isDone());
            Task<Void> b = getRunningLoop().createTask(() -> {
                o.add("EventLoop.createTask body");
            });
            assertTrue(b.isDone());
            o.add("end");
            return o;
        });
        assertEquals(List.of("Asyncio.createTask body", "EventLoop.createTask body", "end"), order);
    }

    @Test
    void setEagerTasks_switchesALoopOnAndOff() {
        runVc(() -> {
            EventLoop loop = getRunningLoop();
            loop.setEagerTasks(true);
            assertTrue(loop.getEagerTasks());
            assertTrue(createTask(() -> 1).isDone());
            loop.setEagerTasks(false);
            assertFalse(loop.getEagerTasks());
            Task<Integer> lazy = createTask(() -> 2);
            assertFalse(lazy.isDone());
            assertEquals(2, lazy.await());
        });
    }

    @Test
    void eagerLoop_taskGroupChildrenStartEagerly() {
        List<String> order = runEager(() -> {
            List<String> o = new ArrayList<>();
            try (var tg = new TaskGroup()) {
                Task<Integer> a = tg.createTask(() -> {
                    o.add("a runs");
                    return 1;
                });
                o.add("a done=" + a.isDone());
                Task<Integer> b = tg.createTask(() -> {
                    o.add("b runs");
                    sleep(1);
                    o.add("b resumes");
                    return 2;
                });
                o.add("b done=" + b.isDone());
            }
            o.add("group closed");
            return o;
        });
        assertEquals(List.of("a runs", "a done=true", "b runs", "b done=false", "b resumes", "group closed"), order);
    }

    @Test
    void taskGroupCreateEagerTask_onANormalLoop_isEager() {
        runVc(() -> taskGroup(tg -> {
            Task<Integer> a = tg.createEagerTask(() -> 1);
            assertTrue(a.isDone());
            Task<Integer> b = tg.createTask(() -> 2);
            assertFalse(b.isDone());
            return null;
        }));
    }

    @Test
    void eagerLoop_childFailingInItsFirstStep_abortsTheGroupBeforeCreateTaskReturns() {
        // Python 3.13: TaskGroup.create_task sees the done child at once (_on_task_done): the
        // parent is cancelled (cancelling() == 1), the next create_task is refused ("shutting
        // down"), the body is stopped at its next await, the group raises the child's error.
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        List<String> order = new ArrayList<>();
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> runEager(() -> taskGroup(tg -> {
            Task<Void> t = tg.createTask(() -> {
                order.add("child runs");
                throw boom;
            });
            order.add("after create: done=" + t.isDone() + " cancelling=" + currentTask().cancelling());
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> tg.createTask(() -> 1));
            assertTrue(refused.getMessage().contains("shutting down"), refused.getMessage());
            order.add("body before its next suspension");
            try {
                sleep(0);
                order.add("never");
            } catch (CancelledException e) {
                order.add("body stopped at its next suspension");
                throw e;
            }
            return null;
        })));
        assertEquals(List.of(boom), eg.exceptions());
        assertEquals(List.of("child runs", "after create: done=true cancelling=1", "body before its next suspension",
                "body stopped at its next suspension"), order);
    }

    @Test
    void eagerLoop_tryFormGroup_childFailingInItsFirstStep_stopsTheBodyWithTheGroup() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        runEager(() -> {
            boolean[] reached = {false};
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        throw boom;
                    });
                    sleep(1);
                    reached[0] = true;
                }
            });
            assertFalse(reached[0]);
            assertEquals(List.of(boom), eg.exceptions());
            assertEquals(0, currentTask().cancelling(), "the group's own cancel request is withdrawn");
            return null;
        });
    }

    @Test
    void eagerLoop_recursiveTaskGroups_allComplete() {
        // recursive_taskgroups(5, 4): 1 + 5 + 25 + 125 + 625 tasks
        int[] count = {0};
        runEager(() -> {
            recursiveGroups(5, 4, count);
            return null;
        });
        assertEquals(780, count[0]);
    }

    private static void recursiveGroups(int width, int depth, int[] count) {
        if (depth == 0) {
            return;
        }
        try (var tg = new TaskGroup()) {
            for (int i = 0; i < width; i++) {
                Task<Void> t = tg.createTask(() -> {
                    count[0]++;
                    recursiveGroups(width, depth - 1, count);
                });
                if (depth == 1) {
                    assertTrue(t.isDone(), "a leaf group's child never suspends: done when createTask returns");
                }
            }
        }
    }

    @Test
    void eagerLoop_gatherOfBodies_startsEachBodyEagerly() {
        // recursive_gather: the bodies run inside gather's createTask calls, before the callback
        // scheduled ahead of the gather.
        List<String> order = runEager(() -> {
            List<String> o = new ArrayList<>();
            getRunningLoop().callSoon(() -> o.add("callback"));
            List<Integer> r = gather(() -> {
                o.add("body 1");
                return 1;
            }, () -> {
                o.add("body 2");
                return 2;
            });
            assertEquals(List.of(1, 2), r);
            return o;
        });
        assertEquals(List.of("body 1", "body 2", "callback"), order);
    }

    @Test
    void idleLoop_eagerTaskCreatedBeforeTheLoopRuns_startsAtItsNextTurn() {
        // Python: eager_start only if the loop is running; otherwise call_soon.
        try (EventLoop loop = newEventLoop()) {
            loop.setEagerTasks(true);
            List<String> o = new ArrayList<>();
            Task<Integer> t = loop.createTask(() -> {
                o.add("body");
                return 7;
            });
            assertFalse(t.isDone());
            assertEquals(List.of(), o);
            assertEquals(7, loop.runUntilComplete(t));
            assertEquals(List.of("body"), o);
        }
    }

    // ------------------------------------------------------------------ from a callback

    @Test
    void fromACallback_theFirstStepRunsInsideTheCallback() {
        List<String> order = runVc(() -> {
            List<String> o = new ArrayList<>();
            Future<Task<String>> made = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> {
                assertNull(currentTask());
                Task<String> t = createEagerTask(() -> {
                    o.add("eager step 1 in " + currentTask().getName());
                    sleep(0);
                    o.add("eager step 2");
                    return "r";
                }, "cb-eager");
                o.add("callback after create, done=" + t.isDone());
                assertNull(currentTask());
                Task<Integer> quick = createEagerTask(() -> 3);
                o.add("quick done=" + quick.isDone());
                made.setResult(t);
            });
            assertEquals("r", made.await().await());
            return o;
        });
        assertEquals(List.of("eager step 1 in cb-eager", "callback after create, done=false", "quick done=true",
                "eager step 2"), order);
    }

    @Test
    void fromACallback_nestedEagerTasks_allRunTheirFirstStepBeforeTheCallbackGoesOn() {
        List<String> order = runVc(() -> {
            List<String> o = new ArrayList<>();
            Event done = new Event();
            getRunningLoop().callSoon(() -> {
                createEagerTask(() -> {
                    o.add("outer starts");
                    createEagerTask(() -> {
                        o.add("inner runs");
                        sleep(0);
                        o.add("inner resumes");
                    });
                    o.add("outer after create");
                    done.await();
                    o.add("outer resumes");
                });
                o.add("callback goes on");
            });
            sleep(0);
            sleep(0);
            done.set();
            sleep(0);
            sleep(0);
            return o;
        });
        assertEquals(List.of("outer starts", "inner runs", "outer after create", "callback goes on", "inner resumes",
                "outer resumes"), order);
    }

    // ------------------------------------------------------------------ nesting

    @Test
    void nestedEagerTasks_runDepthFirst_eachCreatorResumingAfterItsChild() {
        List<String> order = runVc(() -> {
            List<String> o = new ArrayList<>();
            getRunningLoop().callSoon(() -> o.add("callback"));
            Task<Void> a = createEagerTask(() -> {
                o.add("a starts");
                Task<Void> b = createEagerTask(() -> {
                    o.add("b starts");
                    Task<Void> c = createEagerTask(() -> {
                        o.add("c runs");
                    });
                    o.add("b after c, c done=" + c.isDone());
                    sleep(0);
                    o.add("b resumes");
                });
                o.add("a after b, b done=" + b.isDone());
                b.await();
                o.add("a resumes");
            });
            o.add("main after a");
            a.await();
            return o;
        });
        assertEquals(List.of("a starts", "b starts", "c runs", "b after c, c done=true", "a after b, b done=false",
                "main after a", "callback", "b resumes", "a resumes"), order);
    }

    @Test
    void deepChainOfNestedEagerTasks_doesNotGrowTheLoopsStack() {
        // Each task creates the next eagerly before its own first suspension: 10,000 levels
        // deep, the loop runs them one after the other from its ready queue, not recursively.
        int depth = 10_000;
        int v = runVc(() -> chain(depth).await());
        assertEquals(depth, v);
    }

    private static Task<Integer> chain(int n) {
        return createEagerTask(() -> {
            if (n == 0) {
                return 0;
            }
            Task<Integer> next = chain(n - 1);
            sleep(0);
            return next.await() + 1;
        });
    }

    @Test
    void tenThousandEagerTasks_gathered() {
        int n = 10_000;
        long sum = runVc(() -> {
            Event go = new Event();
            List<Task<Integer>> tasks = new ArrayList<>(n);
            int[] started = {0};
            for (int i = 0; i < n; i++) {
                int k = i;
                tasks.add(createEagerTask(() -> {
                    started[0]++;
                    if (k % 2 == 0) {
                        return k;
                    }
                    go.await();
                    return k;
                }));
                assertEquals(i + 1, started[0]);
            }
            assertEquals(n / 2, tasks.stream().filter(Task::isDone).count());
            go.set();
            return gather(tasks).stream().mapToLong(Integer::longValue).sum();
        });
        assertEquals((long) n * (n - 1) / 2, sum);
    }

    // ------------------------------------------------------------------ cancellation of the creator

    @Test
    void creatorCancelledDuringTheEagerStep_stillGetsTheTask_andIsCancelledAtItsNextSuspension() {
        List<String> order = runVc(() -> {
            List<String> o = new ArrayList<>();
            Task<List<String>> creator = createTask(() -> {
                Task<?> me = currentTask();
                Task<Void> child = null;
                try {
                    child = createEagerTask(() -> {
                        me.cancel("from the child");
                        o.add("child cancelled its creator");
                        sleep(0);
                        o.add("child resumes");
                    });
                    o.add("creator got the task, cancelling=" + me.cancelling());
                    sleep(1);
                    o.add("never");
                } catch (CancelledException e) {
                    o.add("creator cancelled at its next suspension: " + e.getMessage());
                    assertNotNull(child);
                    child.await();
                    o.add("child done=" + child.isDone());
                    throw e;
                }
                return o;
            });
            assertEquals("from the child", assertThrows(CancelledException.class, creator::await).getMessage());
            assertTrue(creator.isCancelled());
            return o;
        });
        assertEquals(List.of("child cancelled its creator", "creator got the task, cancelling=1",
                "creator cancelled at its next suspension: from the child", "child resumes", "child done=true"), order);
    }

    @Test
    void creatorCancelledDuringTheEagerStep_aJdkCallAfterwardsSeesTheInterrupt() {
        runVc(() -> {
            Task<String> creator = createTask(() -> {
                Task<?> me = currentTask();
                Task<Void> child = createEagerTask(() -> {
                    me.cancel();
                });
                assertTrue(child.isDone());
                try {
                    Thread.sleep(10_000);
                    return "slept";
                } catch (InterruptedException e) {
                    return "interrupted";
                }
            });
            // The JDK call consumed the cancellation's interrupt: the body chose to return.
            assertEquals("interrupted", creator.await());
        });
    }

    @Test
    void creatorCancelledFromOutsideWhileItsEagerChildIsSuspended_childKeepsRunning() {
        runVc(() -> {
            Event release = new Event();
            Task<?>[] child = new Task<?>[1];
            Task<Void> creator = createTask(() -> {
                child[0] = createEagerTask(() -> {
                    release.await();
                    return "child done";
                });
                sleep(10);
            });
            sleep(0);
            assertNotNull(child[0]);
            creator.cancel();
            assertThrows(CancelledException.class, creator::await);
            assertFalse(child[0].isDone());
            release.set();
            assertEquals("child done", child[0].await());
        });
    }

    // ------------------------------------------------------------------ design details

    @Test
    @Tag("fast-only")   // pinning is the fast mode's; in the portable mode the creator yields in <clinit>, and a
                        // child touching the class being initialised would wait for it holding the turn
    void createEagerTask_whenTheCreatorCannotYield_runsTheChildRightAfterTheCreatorsStep() {
        // A class initialiser pins the creating thread (it cannot yield there): the child's first
        // step runs right after the creator's step instead, still before older ready work.
        List<String> order = runVc(() -> {
            Pinned.ORDER.clear();
            getRunningLoop().callSoon(() -> Pinned.ORDER.add("callback scheduled before"));
            Task<String> t = Pinned.TASK;
            Pinned.ORDER.add("creator after create, done=" + t.isDone());
            assertEquals("pinned child", t.await());
            return List.copyOf(Pinned.ORDER);
        });
        assertEquals(List.of("creator after create, done=false", "child runs", "callback scheduled before"), order);
    }

    /** Initialised inside a task: its initialiser creates an eager task while pinned. */
    static final class Pinned {
        static final List<String> ORDER = new ArrayList<>();
        static final Task<String> TASK = createEagerTask(() -> {
            ORDER.add("child runs");
            return "pinned child";
        });
    }

    @Test
    @Tag("fast-only")   // only the fast mode's loop carries a plain virtual thread started in a task
    void fromAPlainVirtualThreadTheLoopCarries_theChildRunsRightAfterThatThreadsStep() {
        runVc(() -> {
            Task<?>[] made = new Task<?>[1];
            Thread vt = Thread.ofVirtual().start(() -> made[0] = createEagerTask(() -> "from a plain thread"));
            vt.join();
            assertEquals("from a plain thread", made[0].await());
        });
    }

    @Test
    void eagerLoop_asyncGeneratorsProducer_stillStartsOnlyWhenTheConsumerAsks() {
        // An async generator's producer is no task in Python: the loop's setting leaves it lazy.
        List<String> order = runEager(() -> {
            List<String> o = new ArrayList<>();
            try (var gen = AsyncGenerator.<Integer>of(y -> {
                o.add("producer starts");
                y.yield(1);
            })) {
                var it = gen.iterator();
                o.add("before hasNext");
                assertTrue(it.hasNext());
                o.add("got " + it.next());
            }
            return o;
        });
        assertEquals(List.of("before hasNext", "producer starts", "got 1"), order);
    }

    @Test
    void statistics_countTheEagerStepAndTheCreatorsResumption_once_each() {
        runVc(() -> {
            EventLoop loop = getRunningLoop();
            long callbacks = loop.statistics().callbacks();
            long steps = loop.statistics().steps();
            int[] tasksDuring = {0};
            Task<Integer> t = createEagerTask(() -> {
                tasksDuring[0] = loop.statistics().tasks();
                return 1;
            });
            LoopStatistics after = loop.statistics();
            assertEquals(steps + 2, after.steps(), "the child's step, then the creator's resumed step");
            assertEquals(callbacks, after.callbacks());
            assertEquals(2, tasksDuring[0], "main and the eager child");
            assertEquals(1, after.tasks());
            assertEquals(0, after.ready());
            assertTrue(t.isDone());
        });
    }

    @Test
    void virtualClock_theEagerStepTakesNoLoopTime_andItsSleepFollowsTheClock() {
        runVc(() -> {
            EventLoop loop = getRunningLoop();
            double t0 = loop.time();
            Task<Double> t = createEagerTask(() -> {
                sleep(3600);
                return loop.time();
            });
            assertEquals(t0, loop.time());
            double woke = t.await();
            assertEquals(t0 + 3600, woke, 1e-6);
        });
    }

    @Test
    void virtualClock_anEagerStepEndingInAJdkTimedWait_holdsTheClockBack() {
        // The step that parks in Thread.sleep counts as off-loop work, as a lazy task's does:
        // virtual time follows real time meanwhile, so a ten-second waitFor does not expire.
        int v = runVc(() -> {
            Task<Integer> t = createEagerTask(() -> {
                Thread.sleep(100);
                return 1;
            });
            Future<Task<Integer>> made = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> made.setResult(createEagerTask(() -> {
                Thread.sleep(100);
                return 2;
            })));
            return waitFor(t, Duration.ofSeconds(10)) + waitFor(made.await(), Duration.ofSeconds(10));
        });
        assertEquals(3, v);
    }

    @Test
    void debugMode_eagerTasksFromATaskAndFromACallback() {
        String v = Asyncio.run(() -> {
            Future<String> fromCallback = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> {
                Task<String> t = createEagerTask(() -> "cb");
                fromCallback.setResult(t.resultNow());
            });
            Task<String> t = createEagerTask(() -> {
                sleep(0.01);
                return "task";
            });
            return t.await() + "+" + fromCallback.await();
        }, EAGER.withDebug(true));
        assertEquals("task+cb", v);
    }

    @Test
    void createEagerTask_names_andNullChecks() {
        runVc(() -> {
            assertEquals("mine", createEagerTask(() -> 1, "mine").getName());
            assertEquals("void", createEagerTask(() -> { }, "void").getName());
            assertThrows(NullPointerException.class, () -> createEagerTask((Callable<Integer>) null));
            assertThrows(NullPointerException.class, () -> createEagerTask((ThrowingRunnable) null, "x"));
            try (var tg = new TaskGroup()) {
                assertThrows(NullPointerException.class, () -> tg.createEagerTask((Callable<Integer>) null));
                assertEquals("child", tg.createEagerTask(() -> { }, "child").getName());
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> createEagerTask(() -> 1));
        assertTrue(e.getMessage().contains("createEagerTask"), e.getMessage());
    }

    // ------------------------------------------------------------------ cancellation at every suspension point

    @Test
    void everySuspensionPoint_eagerGroupsAndNestedEagerTasks_loseNoCancelAndLeaveNothing() {
        for (boolean inline : new boolean[] {false, true}) {
            int points = CancellationHarness.everySuspensionPoint(CancellationHarness.named("eg-"), run -> {
                if (inline) {
                    run.injectInline();
                }
                run.onInject(t -> run.cancel(t));
                getRunningLoop().setEagerTasks(true);
                List<Task<?>> children = new ArrayList<>();
                boolean[] allDoneAtExit = {false};
                Task<Object> body = createTask(() -> {
                    try {
                        return taskGroup(tg -> {
                            children.add(tg.createTask(() -> {
                                sleep(1);
                                return 1;
                            }, "eg-a"));
                            children.add(tg.createTask(() -> {
                                Task<Integer> inner = createEagerTask(() -> {
                                    sleep(0.5);
                                    return 2;
                                }, "eg-inner");
                                children.add(inner);
                                try {
                                    return inner.await();
                                } finally {
                                    sleep(0.1);
                                }
                            }, "eg-b"));
                            sleep(2);
                            return null;
                        });
                    } finally {
                        allDoneAtExit[0] = children.stream().allMatch(t -> t.isDone() || t.getName().equals("eg-inner"));
                    }
                }, "eg-body");
                try {
                    body.await();
                } catch (CancelledException | ExceptionGroup expected) {
                    // the injected cancel ended the body, or a child cancelled on its own
                }
                assertTrue(allDoneAtExit[0], "a group's child outlived the group");
                for (Task<?> c : children) {
                    c.cancel();
                }
                CancellationHarness.assertNothingLeft(5);
            });
            assertTrue(points >= 5, "points: " + points);
        }
    }

    // ------------------------------------------------------------------ a quick concurrency check

    @Test
    void fiftyEagerTasksEachSleepingOneSecond_endTogether() {
        long t0 = System.nanoTime();
        Asyncio.run(() -> gather(IntStream.range(0, 50).mapToObj(i -> createEagerTask(() -> {
            sleep(Duration.ofSeconds(1));
            return i;
        })).toList()), RunOptions.defaults().withEagerTasks(true));
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "50 one-second eager sleeps took more than 3 s");
    }
}
