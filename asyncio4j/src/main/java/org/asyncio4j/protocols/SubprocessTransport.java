package org.asyncio4j.protocols;

/**
 * A child process under a {@link SubprocessProtocol}. Loop-confined.
 *
 * <p>Python: {@code asyncio.SubprocessTransport}.
 */
public interface SubprocessTransport extends BaseTransport {
    /**
     * The process id.
     *
     * @return the pid
     */
    long getPid();

    /**
     * The exit code as the JDK reports it, or null while the process runs.
     *
     * @return the code, or null
     */
    Integer getReturncode();

    /**
     * The transport of one of the child's standard streams: 0 (stdin, write-only), 1 (stdout)
     * and 2 (stderr), both read-only.
     *
     * @param fd 0, 1 or 2
     * @return the pipe's transport, or null if that stream is not a pipe
     * @throws IllegalArgumentException if {@code fd} is not 0, 1 or 2
     */
    Transport getPipeTransport(int fd);

    /** Asks the process to end (SIGTERM on Unix). Does nothing once it has exited. */
    void terminate();

    /** Kills the process (SIGKILL on Unix). Does nothing once it has exited. */
    void kill();

    /**
     * Closes the pipes and kills the process if it still runs.
     */
    @Override
    void close();
}
