/**
 * Subprocesses with their pipes as streams: {@link org.asyncio4j.subprocess.Subprocess}, made
 * by {@code Asyncio.createSubprocess}, {@code createSubprocessExec} and
 * {@code createSubprocessShell}.
 *
 * <p>A {@code Process}'s pipe streams block the thread that uses them, so asyncio4j never uses
 * them on the loop: each pipe has a pump thread (a platform thread) that trades chunks with the
 * loop, with a bound on what is in flight. The pumps end at their pipes' end or at
 * {@code Subprocess.close()}; the loop's close closes every subprocess still open (killing a
 * process still running, as Python's transports do) and waits for their pumps, so
 * {@code Asyncio.run} leaves no pump thread and no child behind. On the virtual clock a running
 * subprocess is off-loop work in flight: time follows real time until it ends.
 *
 * <p>Python: {@code asyncio.subprocess}.
 */
package org.asyncio4j.subprocess;
