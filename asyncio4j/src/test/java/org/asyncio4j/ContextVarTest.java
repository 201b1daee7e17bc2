package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ContextVar} and {@link Context} on their own: the behaviours of CPython's
 * Lib/test/test_context.py (ContextTest). Each test runs in a fresh empty context (the test
 * file's {@code isolated_context}), so JUnit's thread keeps no values between tests.
 */
@Timeout(30)
class ContextVarTest {

    private static void isolated(ThrowingRunnable body) {
        new Context().run(body);
    }

    @Test
    void contextVar_hasItsName_andToStringShowsNameAndDefault() {
        var c = new ContextVar<String>("aaa");
        assertEquals("aaa", c.name());
        assertEquals("ContextVar[name=aaa]", c.toString());
        assertEquals("ContextVar[name=a default=123]", new ContextVar<>("a", 123).toString());
        assertThrows(NullPointerException.class, () -> new ContextVar<>(null));

        List<Object> list = new ArrayList<>();
        var selfRef = new ContextVar<Object>("a", list);
        list.add(selfRef);
        assertTrue(selfRef.toString().contains("..."), selfRef.toString());   // no endless recursion
    }

    @Test
    void token_toString_namesItsVariable_andSaysWhenUsed() {
        isolated(() -> {
            var c = new ContextVar<Integer>("a");
            var t = c.set(1);
            assertEquals("Token[var=ContextVar[name=a]]", t.toString());
            c.reset(t);
            assertEquals("Token[var=ContextVar[name=a] used]", t.toString());
        });
    }

    @Test
    void get_withNoValueAndNoDefault_throwsNoSuchElementNamingTheVariable() {
        isolated(() -> {
            var c = new ContextVar<String>("request_id");
            var e = assertThrows(NoSuchElementException.class, c::get);
            assertTrue(e.getMessage().contains("request_id"), e.getMessage());
            assertNull(c.get(null));
            assertEquals("fb", c.get("fb"));
        });
    }

    @Test
    void get_fallbackWinsOverTheDefault_theDefaultOverNothing() {
        isolated(() -> {
            var c = new ContextVar<>("c", 42);
            assertEquals(42, c.get());
            assertEquals(7, c.get(7));
            c.set(1);
            assertEquals(1, c.get(7));
            var n = new ContextVar<String>("n", null);
            assertNull(n.get());                      // a null default is a default
        });
    }

    @Test
    void nullIsAValue_notTheAbsenceOfOne() {
        isolated(() -> {
            var c = new ContextVar<>("c", "default");
            var t = c.set(null);
            assertNull(c.get());
            assertTrue(Context.copyCurrent().contains(c));
            var t2 = c.set("x");
            assertTrue(t2.hasOldValue());
            assertNull(t2.oldValue());
            c.reset(t2);
            c.reset(t);
            assertEquals("default", c.get());
        });
    }

    /** test_context_getset_1. */
    @Test
    void setAndReset_restoreOldValues_tokensAreSingleUse_andCopiesKeepTheirSnapshot() {
        isolated(() -> {
            var c = new ContextVar<String>("c");
            assertThrows(NoSuchElementException.class, c::get);

            var t0 = c.set("42");
            assertEquals("42", c.get());
            assertFalse(t0.hasOldValue());                  // Python: t0.old_value is Token.MISSING
            assertThrows(NoSuchElementException.class, t0::oldValue);
            assertSame(c, t0.var());

            var t = c.set("spam");
            assertEquals("spam", c.get());
            assertEquals("42", t.oldValue());
            c.reset(t);
            assertEquals("42", c.get());

            c.set("spam2");
            var used = assertThrows(IllegalStateException.class, () -> c.reset(t));
            assertTrue(used.getMessage().contains("has already been used"), used.getMessage());
            assertEquals("spam2", c.get());

            Context ctx1 = Context.copyCurrent();
            assertTrue(ctx1.contains(c));

            c.reset(t0);
            assertThrows(IllegalStateException.class, () -> c.reset(t0));
            assertNull(c.get(null));                        // reset to "no value"

            assertTrue(ctx1.contains(c));                   // the copy kept its snapshot
            assertEquals("spam2", ctx1.get(c));
            assertEquals("spam2", ctx1.get(c, "aa"));
            assertEquals(1, ctx1.size());
            assertEquals(Map.of(c, "spam2"), ctx1.toMap());
            assertEquals(Set.of(c), ctx1.keys());

            Context ctx2 = Context.copyCurrent();
            assertFalse(ctx2.contains(c));
            assertNull(ctx2.get(c));
            assertEquals("aa", ctx2.get(c, "aa"));
            assertEquals(0, ctx2.size());
            assertTrue(ctx2.isEmpty());
            assertEquals(Set.of(), ctx2.keys());
        });
    }

    /** test_context_getset_2. */
    @Test
    void reset_withAnotherVariablesToken_throwsIllegalArgument() {
        isolated(() -> {
            var v1 = new ContextVar<Integer>("v1");
            var v2 = new ContextVar<Integer>("v2");
            var t1 = v1.set(42);
            var e = assertThrows(IllegalArgumentException.class, () -> v2.reset(t1));
            assertTrue(e.getMessage().contains("by a different ContextVar"), e.getMessage());
            v1.reset(t1);                                   // still usable by its own variable
        });
    }

    /** test_context_getset_4. */
    @Test
    void reset_withATokenFromAnotherContext_throwsIllegalArgument() {
        isolated(() -> {
            var c = new ContextVar<>("c", 42);
            var ctx = new Context();
            var tok = ctx.run(() -> c.set(1));
            var e = assertThrows(IllegalArgumentException.class, () -> c.reset(tok));
            assertTrue(e.getMessage().contains("different Context"), e.getMessage());
            ctx.run(() -> c.reset(tok));                    // fine where it was made
            assertFalse(ctx.contains(c));
        });
    }

    @Test
    void token_close_resetsTheVariable_soTryWithResourcesScopesAValue() {
        isolated(() -> {
            var c = new ContextVar<>("c", "outer");
            try (var _ = c.set("inner")) {
                assertEquals("inner", c.get());
            }
            assertEquals("outer", c.get());
            var t = c.set("x");
            t.close();
            assertThrows(IllegalStateException.class, t::close);
        });
    }

    /** test_context_run_4 and test_context_run_6. */
    @Test
    void run_makesTheContextCurrent_andItsSetsLandThere() {
        isolated(() -> {
            var ctx1 = new Context();
            var ctx2 = new Context();
            var v = new ContextVar<String>("var");
            Context returned = ctx1.run(() -> {
                assertNull(v.get(null));
                v.set("spam");
                ctx2.run(() -> assertNull(v.get(null)));
                assertEquals("spam", v.get(null));
                Context cur = Context.copyCurrent();
                assertEquals(1, cur.size());
                assertEquals("spam", cur.get(v));
                return cur;
            });
            assertEquals(ctx1.toMap(), returned.toMap());
            assertEquals("spam", ctx1.get(v));
            assertTrue(ctx1.contains(v));
            assertFalse(ctx2.contains(v));
            assertNull(v.get(null));                        // the caller's context is untouched

            var d = new ContextVar<>("a", 0);
            var ctx = new Context();
            ctx.run(() -> {
                assertEquals(0, d.get());
                assertNull(ctx.get(d));
                d.set(42);
                assertEquals(42, d.get());
                assertEquals(42, ctx.get(d));
            });
        });
    }

    /** test_context_getset_3: the context's view follows set and reset while it runs. */
    @Test
    void run_contextViewFollowsSetAndReset() {
        isolated(() -> {
            var c = new ContextVar<>("c", 42);
            var ctx = new Context();
            ctx.run(() -> {
                assertEquals(42, c.get());
                assertNull(ctx.get(c));
                assertEquals(-1, ctx.get(c, -1));
                assertFalse(ctx.contains(c));
                assertEquals(Set.of(), ctx.keys());
                var t = c.set(1);
                assertEquals(Set.of(c), ctx.keys());
                assertEquals(1, ctx.get(c));
                c.reset(t);
                assertEquals(Set.of(), ctx.keys());
            });
        });
    }

    /** test_context_run_3 and test_context_run_5. */
    @Test
    void run_failingBody_rethrows_andLeavesTheCallersContextAsItWas() {
        isolated(() -> {
            var ctx = new Context();
            var v = new ContextVar<String>("var");
            var boom = new ArithmeticException("/ by zero");
            assertSame(boom, assertThrows(ArithmeticException.class, () -> ctx.run(() -> {
                v.set("spam");
                throw boom;
            })));
            assertNull(v.get(null));
            assertEquals("spam", ctx.get(v));
            var io = new IOException("io");
            var ce = assertThrows(CompletionException.class, () -> ctx.run(() -> {
                throw io;
            }));
            assertSame(io, ce.getCause());
            ctx.run(() -> assertEquals("spam", v.get()));   // not left entered by a failure
        });
    }

    /** test_context_run_7 and test_context_manager_is_not_reentrant. */
    @Test
    void run_ofAContextAlreadyEntered_throwsIllegalState() {
        var ctx = new Context();
        ctx.run(() -> {
            var e = assertThrows(IllegalStateException.class, () -> ctx.run(() -> null));
            assertTrue(e.getMessage().contains("is already entered"), e.getMessage());
            new Context().run(() -> assertThrows(IllegalStateException.class, () -> ctx.run(() -> null)));
        });
        ctx.run(() -> { });                                  // entered no longer
    }

    @Test
    void run_ofAContextEnteredOnAnotherThread_throwsIllegalState() throws Exception {
        var ctx = new Context();
        var inside = new CountDownLatch(1);
        var leave = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> ctx.run(() -> {
            inside.countDown();
            leave.await();
        }));
        try {
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            assertThrows(IllegalStateException.class, () -> ctx.run(() -> null));
        } finally {
            leave.countDown();
            t.join();
        }
        ctx.run(() -> { });
    }

    /** test_context_copy_1 and test_context_getset_5. */
    @Test
    void copy_isIndependentOfTheOriginal_bothWays() {
        isolated(() -> {
            var ctx1 = new Context();
            var c = new ContextVar<>("c", 42);
            ctx1.run(() -> {
                c.set(10);
                Context ctx2 = ctx1.copy();
                assertEquals(10, ctx2.get(c));
                c.set(20);
                assertEquals(20, ctx1.get(c));
                assertEquals(10, ctx2.get(c));
                ctx2.run(() -> {
                    assertEquals(10, c.get());
                    c.set(30);
                    assertEquals(30, c.get());
                });
                assertEquals(20, ctx1.get(c));
                assertEquals(30, ctx2.get(c));
            });

            var l = new ContextVar<List<Integer>>("l");
            l.set(new ArrayList<>());
            Context.copyCurrent().run(() -> {
                l.set(new ArrayList<>());
                l.get().add(42);
                assertEquals(List.of(42), l.get());
            });
            assertEquals(List.of(), l.get());
        });
    }

    /** test_context_threads_1: each thread has its own context. */
    @Test
    void threads_eachHaveTheirOwnContext() throws Exception {
        var cvar = new ContextVar<Integer>("cvar");
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int num = 0; num < 10; num++) {
                int n = num;
                results.add(pool.submit(() -> new Context().run(() -> {
                    for (int i = 0; i < 10; i++) {
                        cvar.set(n + i);
                        Thread.sleep(ThreadLocalRandom.current().nextInt(1, 20));
                        assertEquals(n + i, cvar.get());
                    }
                    return n;
                })));
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(i, results.get(i).get(20, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void context_toString_namesTheVariablesSetInIt() {
        isolated(() -> {
            var a = new ContextVar<Integer>("request_id");
            assertEquals("Context[]", new Context().toString());
            a.set(1);
            assertEquals("Context[request_id]", Context.copyCurrent().toString());
        });
    }

    @Test
    void nullArguments_throwNullPointerExceptionNamingTheParameter() {
        var ctx = new Context();
        var c = new ContextVar<Integer>("c");
        assertEquals("var", assertThrows(NullPointerException.class, () -> ctx.get(null)).getMessage());
        assertEquals("var", assertThrows(NullPointerException.class, () -> ctx.contains(null)).getMessage());
        assertEquals("body", assertThrows(NullPointerException.class, () -> ctx.run((ThrowingRunnable) null)).getMessage());
        assertEquals("token", assertThrows(NullPointerException.class, () -> c.reset(null)).getMessage());
    }

    /**
     * The persistent map under many variables (its trie splits and collapses): random sets and
     * resets against a HashMap model, with a copy taken now and then that must keep its
     * snapshot whatever happens later.
     */
    @Test
    void manyVariables_randomSetsAndResets_matchAMap_andCopiesKeepTheirSnapshot() {
        isolated(() -> {
            Random rnd = new Random(20261201);
            List<ContextVar<Integer>> vars = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                vars.add(new ContextVar<>("v" + i));
            }
            Map<ContextVar<?>, Object> model = new HashMap<>();
            List<ContextVar.Token<Integer>> tokens = new ArrayList<>();
            List<Map<ContextVar<?>, Object>> snapshots = new ArrayList<>();
            List<Context> copies = new ArrayList<>();
            for (int step = 0; step < 20_000; step++) {
                if (tokens.isEmpty() || rnd.nextInt(3) > 0) {
                    var v = vars.get(rnd.nextInt(vars.size()));
                    int value = rnd.nextInt();
                    tokens.add(v.set(value));
                    model.put(v, value);
                } else {
                    var t = tokens.remove(rnd.nextInt(tokens.size()));
                    t.var().reset(t);
                    if (t.hasOldValue()) {
                        model.put(t.var(), t.oldValue());
                    } else {
                        model.remove(t.var());
                    }
                }
                if (step % 1000 == 0) {
                    copies.add(Context.copyCurrent());
                    snapshots.add(new HashMap<>(model));
                }
            }
            Context now = Context.copyCurrent();
            assertEquals(model, now.toMap());
            assertEquals(model.size(), now.size());
            for (var v : vars) {
                assertEquals(model.get(v), v.get(null));
                assertEquals(model.containsKey(v), now.contains(v));
            }
            for (int i = 0; i < copies.size(); i++) {
                assertEquals(snapshots.get(i), copies.get(i).toMap());
                assertEquals(snapshots.get(i).size(), copies.get(i).size());
            }
            while (!tokens.isEmpty()) {                        // the remaining tokens, newest first
                var t = tokens.remove(tokens.size() - 1);
                t.var().reset(t);
                if (t.hasOldValue()) {
                    model.put(t.var(), t.oldValue());
                } else {
                    model.remove(t.var());
                }
            }
            assertEquals(model, Context.copyCurrent().toMap());
        });
    }
}
