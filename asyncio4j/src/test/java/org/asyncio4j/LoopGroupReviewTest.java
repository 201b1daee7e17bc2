package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Adversarial review of LoopGroup (issue 11, merged with issue 12): cross-loop await racing a
 * cancellation, submit racing close. Seeded; each seed's iterations interleave differently.
 */
@Timeout(120)
class LoopGroupReviewTest {

    private static final long[] SEEDS = {1, 42, 20261201};

    private static void spin(Random r) {
        int n = r.nextInt(2000);
        for (int i = 0; i < n; i++) {
            Thread.onSpinWait();
        }
    }

    /**
     * A task of loop A awaits a future of loop B; B sets the future's result while A cancels the
     * task (on A's own thread, so cancel()'s answer is exact). No lost cancellation: cancel()
     * answering true means the task ends cancelled. No lost result: a task that was not cancelled
     * returns the value; and the future always ends done (with the value, or cancelled by the
     * awaiter's cancellation).
     */
    @Test
    void crossLoopAwait_resultRacingTheAwaitersCancellation() throws Exception {
        try (LoopGroup g = LoopGroup.create(2)) {
            EventLoop a = g.loops().get(0), b = g.loops().get(1);
            for (long seed : SEEDS) {
                Random rnd = new Random(seed);
                for (int i = 0; i < 150; i++) {
                    CompletableFuture<Future<Integer>> made = new CompletableFuture<>();
                    b.callSoonThreadsafe(() -> made.complete(b.createFuture()));
                    Future<Integer> f = made.get(10, TimeUnit.SECONDS);
                    CompletableFuture<Task<Integer>> started = new CompletableFuture<>();
                    a.callSoonThreadsafe(() -> {
                        Task<Integer> t = a.createTask(() -> f.await());
                        started.complete(t);
                    });
                    Task<Integer> t = started.get(10, TimeUnit.SECONDS);
                    CountDownLatch go = new CountDownLatch(1);
                    AtomicReference<Boolean> cancelAnswer = new AtomicReference<>();
                    int delayA = rnd.nextInt(3), delayB = rnd.nextInt(3);
                    Random ra = new Random(rnd.nextLong()), rb = new Random(rnd.nextLong());
                    Thread ta = Thread.ofPlatform().start(() -> {
                        await(go);
                        spin(ra);
                        a.callSoonThreadsafe(() -> later(a, delayA, () -> cancelAnswer.set(t.cancel())));
                    });
                    Thread tb = Thread.ofPlatform().start(() -> {
                        await(go);
                        spin(rb);
                        b.callSoonThreadsafe(() -> later(b, delayB, () -> { if (!f.isDone()) { f.setResult(7); } }));
                    });
                    Thread.sleep(0, rnd.nextInt(100_000));
                    go.countDown();
                    ta.join();
                    tb.join();
                    String where = "seed " + seed + " iteration " + i;
                    Integer value = null;
                    boolean cancelled = false;
                    try {
                        value = t.get(10, TimeUnit.SECONDS);
                    } catch (CancelledException e) {
                        cancelled = true;
                    } catch (TimeoutException e) {
                        fail(where + ": the awaiting task hangs: " + t + " / " + f);
                    }
                    for (int k = 0; k < 1000 && cancelAnswer.get() == null; k++) {
                        Thread.sleep(1);
                    }
                    assertNotNull(cancelAnswer.get(), where);
                    if (cancelAnswer.get()) {
                        assertTrue(cancelled, where + ": cancel() said true but the task returned " + value);
                    } else {
                        assertEquals(Integer.valueOf(7), value, where);
                    }
                    // the future ends done (result, or cancelled by the awaiter's cancellation)
                    for (int k = 0; k < 1000 && !f.isDone(); k++) {
                        Thread.sleep(1);
                    }
                    assertTrue(f.isDone(), where + ": " + f);
                }
            }
        }
    }

    /** Runs {@code r} on {@code loop} after {@code hops} further trips through its ready queue. */
    private static void later(EventLoop loop, int hops, Runnable r) {
        if (hops == 0) {
            r.run();
        } else {
            loop.callSoon(() -> later(loop, hops - 1, r));
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Submitting threads race close(): every submit either throws IllegalStateException or
     * returns a future that ends (value, cancellation or failure); none is left pending forever.
     */
    @Test
    void submitRacingClose_everyFutureEnds() throws Exception {
        final int MAX_SUBMITS = 5_000;
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            for (int round = 0; round < 8; round++) {
                LoopGroup g = LoopGroup.create(2);
                List<Future<Integer>> got = java.util.Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> submitters = new ArrayList<>();
                for (int s = 0; s < 3; s++) {
                    submitters.add(Thread.ofPlatform().start(() -> {
                        // Bounded: on a loaded machine close() can take long, and an unbounded
                        // flood of submissions meanwhile filled the heap (OutOfMemoryError).
                        for (int k = 0; k < MAX_SUBMITS && !stop.get(); k++) {
                            try {
                                got.add(g.submit(() -> {
                                    Asyncio.sleep(0);
                                    return 1;
                                }));
                            } catch (IllegalStateException closed) {
                                return;
                            }
                        }
                    }));
                }
                Thread.sleep(rnd.nextInt(20));
                g.close();
                stop.set(true);
                for (Thread t : submitters) {
                    t.join();
                }
                List<Future<Integer>> all;
                synchronized (got) {
                    all = new ArrayList<>(got);
                }
                int pending = 0;
                for (Future<Integer> f : all) {
                    try {
                        f.get(5, TimeUnit.SECONDS);
                    } catch (CancelledException | ExecutionException e) {
                        // ended
                    } catch (TimeoutException e) {
                        pending++;
                    }
                }
                assertEquals(0, pending, "seed " + seed + " round " + round + ": futures left pending of " + all.size());
            }
        }
    }

    /**
     * A one-acceptor group server (no SO_REUSEPORT) while the group closes and clients keep
     * connecting: the second loop may close first, and a connection the acceptor hands to it
     * then must be dropped, not make the accept task fail with "the LoopGroup is closed" (it
     * did: the hand-off's IllegalStateException left the accept loop, reported as a task
     * exception never retrieved, and the accepted socket was never closed).
     */
    @Test
    void oneAcceptorServer_groupClosedWhileConnectionsArrive_theAcceptorDoesNotFail() throws Exception {
        List<String> reports = java.util.Collections.synchronizedList(new ArrayList<>());
        closeWhileConnecting(true, false, reports);
        assertEquals(List.of(), reports);
    }

    /**
     * The same race, checking every connection a client got ends (EOF or reset) soon after
     * close(). Fails: about a quarter to all of 450 stay open, in both server modes and with one
     * loop, and a new connection to the port still succeeds after close(). (Python's asyncio.run
     * does not close a Server left open either, but its docs call that a resource leak; a group's
     * close() is documented to end everything.)
     */
    @Test
    void groupServer_closedWhileConnectionsArrive_noConnectionIsLeftOpen() throws Exception {
        closeWhileConnecting(true, true, null);
        closeWhileConnecting(false, true, null);
    }

    private static void closeWhileConnecting(boolean oneAcceptor, boolean checkOpen, List<String> reports) throws Exception {
        String old = System.getProperty(org.asyncio4j.internal.LoopGroupEngine.NO_REUSE_PORT_PROPERTY);
        System.setProperty(org.asyncio4j.internal.LoopGroupEngine.NO_REUSE_PORT_PROPERTY, String.valueOf(oneAcceptor));
        try {
            // Each round waits 1.5 s for leftovers: two seeds of two rounds in the default suite,
            // every seed and four rounds with -Dasyncio4j.stress.scale above 1.
            boolean full = Double.parseDouble(System.getProperty("asyncio4j.stress.scale", "1")) > 1;
            for (long seed : full ? SEEDS : java.util.Arrays.copyOf(SEEDS, 2)) {
                Random rnd = new Random(seed);
                for (int round = 0; round < (full ? 4 : 2); round++) {
                    LoopGroup g = LoopGroup.create(2);
                    if (reports != null) {
                        for (EventLoop l : g.loops()) {
                            CountDownLatch set = new CountDownLatch(1);
                            l.callSoonThreadsafe(() -> {
                                l.setExceptionHandler((lp, c) -> reports.add(c.message() + ": " + c.exception()));
                                set.countDown();
                            });
                            set.await();
                        }
                    }
                    java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
                    org.asyncio4j.streams.Server server = g.startServer((r, w) -> {
                        served.incrementAndGet();
                        r.readLine();
                    }, "127.0.0.1", 0);
                    int port = server.addresses().get(0).getPort();
                    List<java.net.Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
                    AtomicBoolean stop = new AtomicBoolean();
                    List<Thread> clients = new ArrayList<>();
                    for (int c = 0; c < 3; c++) {
                        clients.add(Thread.ofPlatform().start(() -> {
                            for (int k = 0; k < 150 && !stop.get(); k++) {
                                try {
                                    sockets.add(new java.net.Socket("127.0.0.1", port));
                                } catch (java.io.IOException refused) {
                                    return;
                                }
                            }
                        }));
                    }
                    Thread.sleep(5 + rnd.nextInt(40));
                    g.close();
                    stop.set(true);
                    for (Thread t : clients) {
                        t.join();
                    }
                    List<java.net.Socket> all;
                    synchronized (sockets) {
                        all = new ArrayList<>(sockets);
                    }
                    if (checkOpen) {
                        Thread.sleep(1500);
                    }
                    int open = 0;
                    for (java.net.Socket s : all) {
                        try (s) {
                            if (checkOpen) {
                                s.setSoTimeout(open < 3 ? 1000 : 1);
                                s.getInputStream().read();
                            }
                        } catch (java.net.SocketTimeoutException stillOpen) {
                            open++;
                        } catch (java.io.IOException reset) {
                            // ended
                        }
                    }
                    String listener;
                    try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                        listener = "the listening socket still accepts connections";
                    } catch (java.io.IOException refused) {
                        listener = "the listening socket is closed";
                    }
                    assertEquals(0, open, "seed " + seed + " round " + round + ": connections left open of "
                            + all.size() + " (handlers started " + served.get() + "; " + listener + ")");
                }
            }
        } finally {
            if (old == null) {
                System.clearProperty(org.asyncio4j.internal.LoopGroupEngine.NO_REUSE_PORT_PROPERTY);
            } else {
                System.setProperty(org.asyncio4j.internal.LoopGroupEngine.NO_REUSE_PORT_PROPERTY, old);
            }
        }
    }
}
