package org.asyncio4j.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The resolver {@link CooperativeResolverProvider} installs: a lookup made on a thread an event
 * loop carries (a task's, or a virtual thread started inside one) runs on a platform thread
 * while the caller parks; any other lookup calls the wrapped resolver directly.
 *
 * <h2>Implementation overview</h2>
 * The JDK's built-in resolver calls {@code getaddrinfo} in native code, which holds the carrier
 * thread, i.e. the whole loop. So a loop-carried lookup becomes a {@code FutureTask} on a pool of
 * at most {@value #THREADS} daemon platform threads (idle ones end after 30 s; more lookups at once
 * wait in its queue), and the caller waits in {@code FutureTask.get()}, a JDK park that parks the
 * task, not the loop. The pool is the resolver's own, not the loop's default executor: a lookup
 * must not queue behind long {@code toThread} calls, must work after {@code
 * shutdownDefaultExecutor()} or with an application's executor, must end with the resolver's own
 * exception ({@code UnknownHostException}) rather than a loop future's {@code CancelledException},
 * and the resolver serves every loop of the process. While the lookup is in flight the loop
 * counts it as off-loop work ({@link EventLoopImpl#offLoopStarted}; the caller ends the count when
 * it resumes), so a virtual clock follows real time instead of jumping to the next timer.
 *
 * <p>An interrupt (a task's cancellation) ends the wait at once with an {@code
 * UnknownHostException} whose cause is the {@code InterruptedException}, and leaves the thread's
 * interrupt status set, as an interrupted NIO channel call does; the native lookup cannot be
 * stopped, so it finishes in the background and its result is dropped. A caller already
 * interrupted fails the same way without starting a lookup.
 */
final class CooperativeResolver implements InetAddressResolver {
    /** At most this many lookups run at once per resolver (the process has one). */
    static final int THREADS = 16;

    private static final AtomicLong OFF_LOOP_LOOKUPS = new AtomicLong();

    private final InetAddressResolver delegate;
    private final ExecutorService pool;

    /** @param delegate the resolver that does the lookups (the JDK's built-in one, or a test's) */
    CooperativeResolver(InetAddressResolver delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon().inheritInheritableThreadLocals(false)
                        .name("asyncio4j-resolver-" + ids.incrementAndGet()).unstarted(r));
        tpe.allowCoreThreadTimeOut(true);
        this.pool = tpe;
    }

    /** How many lookups any instance has sent off the loop so far (a test hook). */
    static long offLoopLookups() {
        return OFF_LOOP_LOOKUPS.get();
    }

    /**
     * {@inheritDoc} Loop-carried callers wait for it cooperatively.
     *
     * @throws UnknownHostException as the wrapped resolver throws it, or, if the calling thread is
     *                              interrupted before or during a loop-carried lookup, with the
     *                              {@code InterruptedException} as its cause (the interrupt
     *                              status stays set)
     * @throws NullPointerException if {@code host} or {@code lookupPolicy} is null
     */
    @Override
    public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) throws UnknownHostException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(lookupPolicy, "lookupPolicy");
        EventLoopImpl loop = loopOfCaller();
        if (loop == null) {
            return delegate.lookupByName(host, lookupPolicy);
        }
        // The stream is drained on the pool thread: a lazy one must not do its work here.
        List<InetAddress> found = offLoop(loop, () -> host, () -> delegate.lookupByName(host, lookupPolicy).toList());
        return found.stream();
    }

    /**
     * {@inheritDoc} Loop-carried callers wait for it cooperatively.
     *
     * @throws UnknownHostException     as the wrapped resolver throws it, or, if the calling thread
     *                                  is interrupted before or during a loop-carried lookup, with
     *                                  the {@code InterruptedException} as its cause (the
     *                                  interrupt status stays set)
     * @throws IllegalArgumentException if {@code addr} is neither 4 nor 16 bytes long (from the
     *                                  wrapped resolver)
     * @throws NullPointerException     if {@code addr} is null
     */
    @Override
    public String lookupByAddress(byte[] addr) throws UnknownHostException {
        byte[] a = addr.clone();
        EventLoopImpl loop = loopOfCaller();
        if (loop == null) {
            return delegate.lookupByAddress(a);
        }
        return offLoop(loop, () -> describe(a), () -> delegate.lookupByAddress(a));
    }

    /** The loop carrying the calling virtual thread, or null (a platform thread, a plain virtual one). */
    private static EventLoopImpl loopOfCaller() {
        return Thread.currentThread().isVirtual() ? EventLoopImpl.running() : null;
    }

    private <T> T offLoop(EventLoopImpl loop, Supplier<String> what, Callable<T> lookup) throws UnknownHostException {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(what, new InterruptedException());
        }
        FutureTask<T> job = new FutureTask<>(lookup);
        loop.offLoopStarted();
        try {
            pool.execute(job);
            OFF_LOOP_LOOKUPS.incrementAndGet();
            return job.get();
        } catch (InterruptedException e) {
            job.cancel(false);                  // dropped if still queued; a running one ends on its own
            Thread.currentThread().interrupt();
            throw interrupted(what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownHostException u) {
                throw u;
            } else if (cause instanceof RuntimeException r) {
                throw r;
            } else if (cause instanceof Error err) {
                throw err;
            }
            throw (UnknownHostException) new UnknownHostException("lookup of " + what.get() + " failed: " + cause).initCause(cause);
        } finally {
            loop.offLoopEnded();                // on the loop thread again: the caller resumed
        }
    }

    private static UnknownHostException interrupted(Supplier<String> what, InterruptedException cause) {
        return (UnknownHostException) new UnknownHostException("lookup of " + what.get() + " interrupted").initCause(cause);
    }

    private static String describe(byte[] addr) {
        try {
            return InetAddress.getByAddress(addr).getHostAddress();     // no lookup: formats it
        } catch (UnknownHostException badLength) {
            return addr.length + "-byte address";
        }
    }

    @Override
    public String toString() {
        return "CooperativeResolver[" + delegate + "]";
    }
}
