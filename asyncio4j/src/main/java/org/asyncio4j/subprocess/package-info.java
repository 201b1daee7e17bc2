/**
 * Subprocesses with their pipes as streams: {@link org.asyncio4j.subprocess.Subprocess}, made
 * by {@code Asyncio.createSubprocess}, {@code createSubprocessExec} and
 * {@code createSubprocessShell}.
 *
 * <p>A {@code Process}'s pipe streams block the thread that uses them, so asyncio4j never uses
 * them on the loop: each pipe has a pump thread (a platform thread) that trades chunks with the
 * loop, with a bound on what is in flight.
 *
 * <p>Python: {@code asyncio.subprocess}.
 */
package org.asyncio4j.subprocess;
