package org.asyncio4j.sync;

import org.asyncio4j.internal.LoopBinding;
import org.asyncio4j.internal.WaiterQueue;

/**
 * A meeting point for a fixed number of tasks: each {@link #await()} suspends until
 * {@link #parties()} tasks have arrived, then all go on together and the barrier is ready for
 * the next round.
 *
 * <pre>
 *   FILLING ──(last party arrives)──▶ DRAINING ──(all left)──▶ FILLING
 *      │  reset() with waiters ▶ RESETTING ──(all left)──▶ FILLING
 *      └─ abort() ▶ BROKEN (every await throws BrokenBarrierException until reset())
 * </pre>
 *
 * <p>Porting from Python: {@code await barrier.wait()} is {@code barrier.await()} (the arrival
 * index, as Python's); {@code n_waiting} and {@code broken} are {@link #waiting()} and
 * {@link #isBroken()}. {@code barrier.wait()} compiles, as {@code java.lang.Object}'s monitor
 * method, and fails with {@code IllegalMonitorStateException} ("current thread is not owner");
 * a task that ends with that exception carries a suppressed hint naming {@code await()}.
 *
 * <p>Python: {@code asyncio.Barrier}.
 */
public final class Barrier {
    private enum State { FILLING, DRAINING, RESETTING, BROKEN }

    private static final Object TOKEN = Boolean.TRUE;

    private final LoopBinding binding = new LoopBinding();
    private final WaiterQueue arrivals = new WaiterQueue();   // waiting for the barrier to fill
    private final WaiterQueue blocked = new WaiterQueue();    // waiting for a drain or reset to end
    private final int parties;
    private State state = State.FILLING;
    private int count;

    /**
     * A barrier for {@code parties} tasks.
     *
     * @param parties how many tasks must arrive
     * @throws IllegalArgumentException if {@code parties} is less than 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("Barrier parties must be > 0, not " + parties);
        }
        this.parties = parties;
    }

    /**
     * Waits until every party has arrived.
     *
     * @return this task's arrival index in the round: the first to arrive gets 0, the last
     *         {@code parties() - 1}
     * @throws BrokenBarrierException           if the barrier is broken, or is aborted or reset
     *                                          while this task waits
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     * @throws IllegalStateException            if the caller is not a task, or the barrier
     *                                          belongs to another loop
     */
    public int await() {
        binding.check(this, "await");
        while (state == State.DRAINING || state == State.RESETTING) {
            blocked.await(binding.bind(this, "await"), () -> { });
        }
        if (state == State.BROKEN) {
            throw new BrokenBarrierException("Barrier aborted");
        }
        int index = count++;
        try {
            if (index + 1 == parties) {
                state = State.DRAINING;
                arrivals.wakeAll(TOKEN);
            } else {
                while (state == State.FILLING) {
                    arrivals.await(binding.bind(this, "await"), () -> { });
                }
                if (state == State.BROKEN || state == State.RESETTING) {
                    throw new BrokenBarrierException("Abort or reset of barrier");
                }
            }
            return index;
        } finally {
            count--;
            if (count == 0 && (state == State.RESETTING || state == State.DRAINING)) {
                state = State.FILLING;
                blocked.wakeAll(TOKEN);
            }
        }
    }

    /**
     * Returns the barrier to its empty state; tasks waiting on it get
     * {@link BrokenBarrierException}.
     *
     * @throws IllegalStateException if the barrier belongs to another loop
     */
    public void reset() {
        binding.check(this, "reset");
        if (count > 0) {
            if (state != State.RESETTING) {
                state = State.RESETTING;
            }
        } else {
            state = State.FILLING;
        }
        arrivals.wakeAll(TOKEN);
        blocked.wakeAll(TOKEN);
    }

    /**
     * Breaks the barrier: waiting and future {@code await} calls throw
     * {@link BrokenBarrierException} until {@link #reset()}.
     *
     * @throws IllegalStateException if the barrier belongs to another loop
     */
    public void abort() {
        binding.check(this, "abort");
        state = State.BROKEN;
        arrivals.wakeAll(TOKEN);
        blocked.wakeAll(TOKEN);
    }

    /**
     * How many tasks must arrive.
     *
     * @return the parties
     */
    public int parties() {
        return parties;
    }

    /**
     * How many tasks wait for the barrier to fill.
     *
     * @return the waiting count (0 while it drains)
     */
    public int waiting() {
        return state == State.FILLING ? count : 0;
    }

    /**
     * Whether the barrier is broken.
     *
     * @return true after {@link #abort()}
     */
    public boolean isBroken() {
        return state == State.BROKEN;
    }

    /**
     * A snapshot of the barrier's state.
     *
     * @return parties, waiting tasks and state
     */
    public Statistics statistics() {
        return new Statistics(parties, waiting(), state.name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The state of a barrier.
     *
     * @param parties how many tasks must arrive
     * @param waiting how many wait now
     * @param state   filling, draining, resetting or broken
     */
    public record Statistics(int parties, int waiting, String state) {
    }

    @Override
    public String toString() {
        return "Barrier[" + state.name().toLowerCase(java.util.Locale.ROOT) + ", waiters=" + waiting() + "/" + parties + "]";
    }
}
