package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.toThread;
import static org.asyncio4j.TestLoops.VC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How contexts travel with tasks, callbacks and executor calls: the behaviours of CPython's
 * Lib/test/test_context.py (AsyncContextTest), test_asyncio's test_tasks.py
 * ({@code test_context_1} to {@code _6}), test_taskgroups.py ({@code test_taskgroup_task_context}),
 * test_threads.py ({@code test_to_thread_contextvars}) and test_futures2.py (the exception
 * handler runs in the failing handle's context). Every test runs its loop from a fresh empty
 * context of JUnit's thread.
 */
@Timeout(60)
class ContextPropagationTest {

    private static <T> T isolatedRun(java.util.concurrent.Callable<T> main) {
        return new Context().run(() -> run(main, VC));
    }

    /** AsyncContextTest.test_asyncio_independent_contexts. */
    @Test
    void twoTasks_settingOneVariable_acrossSuspensions_neverSeeEachOthersValue() {
        var cvar = new ContextVar<>("cvar", "A");
        isolatedRun(() -> {
            var updated1 = new Event();
            var updated2 = new Event();
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> {
                    assertEquals("A", cvar.get());
                    sleep(0);
                    cvar.set("B");
                    sleep(0);
                    updated1.set();
                    updated2.await();
                    assertEquals("B", cvar.get());
                });
                tg.createTask(() -> {
                    updated1.await();
                    assertEquals("A", cvar.get());
                    sleep(0);
                    cvar.set("C");
                    sleep(0);
                    updated2.set();
                    sleep(0);
                    assertEquals("C", cvar.get());
                });
            }
            assertEquals("A", cvar.get());
            return null;
        });
    }

    /** test_tasks.test_context_1. */
    @Test
    void child_seesTheParentsValueAtCreation_notItsLaterSets_andTheParentNotTheChilds() {
        var cvar = new ContextVar<>("cvar", "nope");
        isolatedRun(() -> {
            assertEquals("nope", cvar.get());
            cvar.set("before");
            Task<Void> sub = createTask(() -> {
                sleep(0.01);
                assertEquals("before", cvar.get());
                cvar.set("something else");
            });
            cvar.set("yes");
            assertEquals("yes", cvar.get());
            sub.await();
            assertEquals("yes", cvar.get());
            return null;
        });
    }

    @Test
    void gatherAndTaskGroupChildren_startWithTheCallersValues() {
        var cvar = new ContextVar<>("cvar", 0);
        List<Integer> seen = isolatedRun(() -> {
            cvar.set(7);
            List<Integer> fromGather = gather(() -> cvar.get(), () -> { sleep(0); return cvar.get(); });
            int fromGroup = TaskGroup.run(tg -> tg.createTask(() -> cvar.get()).await());
            List<Integer> all = new ArrayList<>(fromGather);
            all.add(fromGroup);
            return all;
        });
        assertEquals(List.of(7, 7, 7), seen);
    }

    /** test_tasks.test_context_2: a done callback runs in the context of its addDoneCallback. */
    @Test
    void doneCallback_runsInTheContextOfItsRegistration_andItsSetsDoNotReachTheTask() {
        var cvar = new ContextVar<>("cvar", "nope");
        List<String> seenByCallbacks = new ArrayList<>();
        isolatedRun(() -> {
            EventLoop loop = getRunningLoop();
            for (int j = 0; j < 2; j++) {
                Future<Void> fut = loop.createFuture();
                cvar.set("registered" + j);
                fut.addDoneCallback(f -> {
                    seenByCallbacks.add(cvar.get());
                    cvar.set("something else");          // must not pollute the task's context
                });
                cvar.set("yes" + j);
                loop.callSoon(() -> fut.setResult(null));
                fut.await();
                sleep(0);                                // the callback has run now
                assertEquals("yes" + j, cvar.get());
                for (int i = 0; i < 3; i++) {
                    cvar.set("yes" + i + "-" + j);
                    sleep(0.001);
                    assertEquals("yes" + i + "-" + j, cvar.get());
                }
            }
            Future<Void> done = loop.createFuture();
            done.setResult(null);
            cvar.set("late");
            done.addDoneCallback(f -> seenByCallbacks.add(cvar.get()));   // already done: scheduled now
            cvar.set("after");
            sleep(0);
            return null;
        });
        assertEquals(List.of("registered0", "registered1", "late"), seenByCallbacks);
    }

    @Test
    void removeDoneCallback_findsACallbackRegisteredWithAContext() {
        var cvar = new ContextVar<>("cvar", 0);
        int removed = isolatedRun(() -> {
            cvar.set(1);
            Future<Integer> fut = getRunningLoop().createFuture();
            java.util.function.Consumer<Future<Integer>> cb = f -> { throw new AssertionError("removed"); };
            fut.addDoneCallback(cb);
            fut.addDoneCallback(cb);
            int n = fut.removeDoneCallback(cb);
            fut.setResult(1);
            sleep(0);
            return n;
        });
        assertEquals(2, removed);
    }

    @Test
    void callSoonExecuteCallLaterCallAt_seeTheContextOfTheirScheduling_andKeepTheirSetsToThemselves() {
        var cvar = new ContextVar<>("cvar", "default");
        List<String> seen = new ArrayList<>();
        isolatedRun(() -> {
            EventLoop loop = getRunningLoop();
            cvar.set("soon");
            loop.callSoon(() -> {
                seen.add("callSoon " + cvar.get());
                cvar.set("changed by callSoon");
                loop.callSoon(() -> seen.add("nested " + cvar.get()));   // scheduled from the callback's context
            });
            cvar.set("exec");
            loop.execute(() -> seen.add("execute " + cvar.get()));            // callSoonThreadsafe without a handle
            cvar.set("later");
            loop.callLater(0.5, () -> {
                seen.add("callLater " + cvar.get());
                cvar.set("changed by callLater");
            });
            cvar.set("at");
            loop.callAt(loop.time() + 1, () -> seen.add("callAt " + cvar.get()));
            cvar.set("task");
            sleep(2);
            assertEquals("task", cvar.get());
            return null;
        });
        assertEquals(List.of("callSoon soon", "execute exec", "nested changed by callSoon", "callLater later", "callAt at"), seen);
    }

    /**
     * The empty context's fast path: a callback scheduled where nothing was set runs with no
     * context object; what it sets is dropped after it, so the next callback starts empty again.
     * The loop thread's own context (set before run) is not what callbacks see.
     */
    @Test
    void callbacksFromTheEmptyContext_startEmpty_andWhatOneSetsIsGoneForTheNext() {
        var cvar = new ContextVar<>("cvar", "default");
        List<String> seen = new ArrayList<>();
        new Context().run(() -> {
            cvar.set("JUnit thread, before run");       // the loop's thread's own context
            run(() -> {
                EventLoop loop = getRunningLoop();
                Task<Void> t = createTask(() -> {
                    loop.callSoon(() -> {
                        seen.add(cvar.get());
                        cvar.set("set by the first callback");
                        seen.add(cvar.get());
                    });
                    loop.callSoon(() -> seen.add(cvar.get()));
                    loop.callLater(0.01, () -> seen.add(cvar.get()));
                    sleep(0.1);
                }, "empty", new Context());
                t.await();
            }, VC);
            assertEquals("JUnit thread, before run", cvar.get());
        });
        assertEquals(List.of("default", "set by the first callback", "default", "default"), seen);
    }

    @Test
    void callSoonThreadsafe_fromAnotherThread_runsInThatThreadsContext() throws Exception {
        var cvar = new ContextVar<>("cvar", "default");
        String seen = isolatedRun(() -> {
            EventLoop loop = getRunningLoop();
            Future<String> out = loop.createFuture();
            cvar.set("task");
            toThread(() -> new Context().run(() -> {
                cvar.set("other thread");
                loop.callSoonThreadsafe(() -> out.setResult(cvar.get()));
            }));
            return out.await();
        });
        assertEquals("other thread", seen);
    }

    @Test
    void runCoroutineThreadsafe_runsTheTaskInACopyOfTheCallingThreadsContext() throws Exception {
        var cvar = new ContextVar<>("cvar", "default");
        String seen = isolatedRun(() -> {
            EventLoop loop = getRunningLoop();
            return toThread(() -> new Context().run(() -> {
                cvar.set("submitter");
                CompletableFuture<String> cf = Asyncio.runCoroutineThreadsafe(() -> cvar.get(), loop);
                return cf.get(10, TimeUnit.SECONDS);
            }));
        });
        assertEquals("submitter", seen);
    }

    /** test_threads.test_to_thread_contextvars, and runInExecutor likewise (api.md). */
    @Test
    void toThreadAndRunInExecutor_runInACopyOfTheCallersContext_andItsSetsStayThere() {
        var cvar = new ContextVar<String>("cvar");
        List<String> seen = isolatedRun(() -> {
            cvar.set("parrot");
            List<String> out = new ArrayList<>();
            out.add(toThread(() -> {
                String v = cvar.get();
                cvar.set("changed in the thread");
                return v;
            }));
            out.add(cvar.get());
            out.add(getRunningLoop().runInExecutor(null, () -> cvar.get()).await());
            cvar.set("second");
            out.add(toThread(() -> cvar.get()));
            return out;
        });
        assertEquals(List.of("parrot", "parrot", "parrot", "second"), seen);
    }

    @Test
    void toThread_fromTheEmptyContext_leavesNothingOnThePoolThread() {
        var cvar = new ContextVar<>("cvar", "default");
        List<String> seen = new Context().run(() -> run(() -> {
            getRunningLoop().setDefaultExecutor(java.util.concurrent.Executors.newSingleThreadExecutor());
            List<String> out = new ArrayList<>();
            out.add(toThread(() -> {
                cvar.set("left behind?");
                return cvar.get();
            }));
            out.add(toThread(() -> cvar.get()));              // the same pool thread
            return out;
        }));
        assertEquals(List.of("left behind?", "default"), seen);
    }

    /** test_tasks.test_context_4, _5 and _6, test_taskgroups.test_taskgroup_task_context. */
    @Test
    void createTask_withAContext_runsInExactlyThatContext_onEveryEntryPoint() {
        var cvar = new ContextVar<Integer>("cvar");
        List<Object> ret = isolatedRun(() -> {
            List<Object> out = new ArrayList<>();
            Context ctx = Context.copyCurrent();
            out.add(ctx.get(cvar));
            createTask(() -> { sleep(0); cvar.set(1); }, "t1", ctx).await();
            out.add(ctx.get(cvar));
            getRunningLoop().createTask(() -> { sleep(0); cvar.set(2); return null; }, "t2", ctx).await();
            out.add(ctx.get(cvar));
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> { sleep(0); cvar.set(3); }, null, ctx).await();
                out.add(ctx.get(cvar));
                tg.createTask(() -> { sleep(0); cvar.set(4); return null; }, "t4", ctx).await();
                out.add(ctx.get(cvar));
            }
            Task<Integer> copied = createTask(() -> cvar.get(-1), "null context: a copy", null);
            out.add(copied.await());
            assertNull(cvar.get(null));                   // the caller's own context never changed
            return out;
        });
        assertEquals(Arrays.asList(null, 1, 2, 3, 4, -1), ret);
    }

    @Test
    void taskRunningInAContext_cannotEnterItAgain_butOthersMayWhileItIsSuspended() {
        var cvar = new ContextVar<>("cvar", 0);
        isolatedRun(() -> {
            Context ctx = new Context();
            Event go = new Event();
            Task<Void> t = createTask(() -> {
                assertThrows(IllegalStateException.class, () -> ctx.run(() -> null));
                go.await();
                assertEquals(5, cvar.get());                 // a set made in the shared context
            }, "in ctx", ctx);
            sleep(0);
            ctx.run(() -> cvar.set(5));                      // the task is suspended: not entered
            go.set();
            t.await();
            return null;
        });
    }

    @Test
    void contextRun_insideATask_holdsAcrossSuspensions_forThatTaskOnly() {
        var cvar = new ContextVar<>("cvar", "default");
        List<String> seen = new ArrayList<>();
        isolatedRun(() -> {
            Context ctx = new Context();
            Task<Void> other = createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    seen.add("other " + cvar.get());
                    sleep(0.01);
                }
            });
            ctx.run(() -> {
                cvar.set("in ctx");
                for (int i = 0; i < 3; i++) {
                    sleep(0.01);
                    seen.add("runner " + cvar.get());
                }
            });
            seen.add("after " + cvar.get());
            other.await();
            return null;
        });
        assertEquals(3, seen.stream().filter("other default"::equals).count());
        assertEquals(3, seen.stream().filter("runner in ctx"::equals).count());
        assertEquals("after default", seen.get(seen.size() - 1));
    }

    /** test_futures2.test_handle_exc_handler_correct_context and test_task_exc_handler_correct_context. */
    @Test
    void exceptionHandler_runsInTheContextOfTheFailingCallback() {
        var name = new ContextVar<>("name", "foo");
        AtomicReference<String> seen = new AtomicReference<>();
        isolatedRun(() -> {
            EventLoop loop = getRunningLoop();
            loop.setExceptionHandler((l, c) -> seen.set(name.get()));
            loop.callSoon(() -> {
                name.set("bar");
                throw new ArithmeticException("/ by zero");
            });
            sleep(0);
            sleep(0);
            return null;
        });
        assertEquals("bar", seen.get());
    }

    /** asyncio.run: the main task gets a copy of the caller's context; the caller's stays as it was. */
    @Test
    void run_mainTaskStartsWithTheCallersValues_andTheCallersContextIsUnchangedAfter() {
        var cvar = new ContextVar<>("cvar", "nope");
        new Context().run(() -> {
            cvar.set("main thread");
            String inside = run(() -> {
                String v = cvar.get();
                cvar.set("changed by the main task");
                return v;
            });
            assertEquals("main thread", inside);
            assertEquals("main thread", cvar.get());
        });
    }

    /**
     * test_tasks.test_context_3, scaled: 10,000 tasks (seeded) each set one variable to their
     * own values, many times, across suspensions of random length; none ever reads another's.
     */
    @Test
    @Tag("stress")
    void tenThousandTasks_eachSettingOneVariable_neverSeeAnothersValue() {
        int scale = Math.max(1, Integer.getInteger("asyncio4j.stress.scale", 1));
        int tasks = 10_000 * scale;
        var cvar = new ContextVar<>("cvar", -1);
        var other = new ContextVar<>("other", "untouched");
        AtomicInteger checks = new AtomicInteger();
        long seed = 1_764_547_200L;
        isolatedRun(() -> {
            other.set("parent");
            Random rnd = new Random(seed);
            List<Task<Void>> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int id = i;
                int rounds = 1 + rnd.nextInt(4);
                long taskSeed = rnd.nextLong();
                all.add(createTask(() -> {
                    Random r = new Random(taskSeed);
                    assertEquals(-1, cvar.get());
                    for (int k = 0; k < rounds; k++) {
                        int mine = id * 10 + k;
                        cvar.set(mine);
                        if (r.nextBoolean()) {
                            sleep(r.nextInt(20) / 1000.0);
                        } else {
                            sleep(0);
                        }
                        assertEquals(mine, cvar.get());
                        assertEquals("parent", other.get());
                        checks.incrementAndGet();
                    }
                }));
            }
            gather(all);
            assertEquals(-1, cvar.get());
            return null;
        });
        assertTrue(checks.get() >= tasks, "checks " + checks.get());
    }

    @Test
    void taskContext_isTheCopyTakenAtCreation_evenIfTheTaskStartsLater() {
        var cvar = new ContextVar<>("cvar", 0);
        int seen = isolatedRun(() -> {
            cvar.set(1);
            Task<Integer> t = createTask(() -> cvar.get());
            cvar.set(2);                                     // before the task's first step
            return t.await();
        });
        assertEquals(1, seen);
    }
}
