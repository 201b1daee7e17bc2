package org.asyncio4j.protocols;

import java.nio.ByteBuffer;

/**
 * The callbacks of a child process started with {@code EventLoop.subprocessExec} or {@code
 * subprocessShell}. {@code connectionLost} comes last, once the process has exited and its
 * pipes are closed.
 *
 * <p>Python: {@code asyncio.SubprocessProtocol}.
 */
public interface SubprocessProtocol extends BaseProtocol<SubprocessTransport> {
    /**
     * The child wrote to its stdout (1) or stderr (2). The buffer is valid only during the call.
     *
     * @param fd   1 or 2
     * @param data the bytes, from position to limit
     */
    default void pipeDataReceived(int fd, ByteBuffer data) {
    }

    /**
     * One of the child's pipes closed.
     *
     * @param fd      0, 1 or 2
     * @param failure the failure, or null
     */
    default void pipeConnectionLost(int fd, Exception failure) {
    }

    /** The child exited. */
    default void processExited() {
    }
}
