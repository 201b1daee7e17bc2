package org.asyncio4j.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * The core of {@code sendfile} for streams and protocols: zero-copy ({@link
 * FileChannel#transferTo}) straight into a plain socket, else (TLS, pipes) a read-and-write
 * loop through the transport. Suspends the calling task while the socket is full. The caller
 * makes sure nothing of its own is buffered before the file's bytes (they must not overtake it).
 */
public final class Sendfile {
    private static final int CHUNK = 64 * 1024;

    private Sendfile() {
    }

    /**
     * Checks the arguments of a sendfile call.
     *
     * @throws IllegalArgumentException if {@code offset} or {@code count} is negative
     */
    public static void check(FileChannel file, long offset, long count) {
        Objects.requireNonNull(file, "file");
        if (offset < 0) {
            throw new IllegalArgumentException("sendfile: offset must be >= 0, not " + offset);
        }
        if (count < 0) {
            throw new IllegalArgumentException("sendfile: count must be >= 0 (0: to the end of the file), not " + count);
        }
    }

    /** Suspends the calling task until a full socket can take more. */
    interface WhenFull {
        void await() throws IOException;
    }

    /**
     * The end of the range {@code count} bytes from {@code offset} names (0: to the end of the
     * file), cut at the file's size.
     */
    static long end(FileChannel file, long offset, long count) throws IOException {
        long size = file.size();
        return count == 0 ? size : Math.min(size, offset + count);
    }

    /**
     * The zero-copy loop: {@code file}'s bytes from {@code offset} up to {@code end} into a
     * non-blocking socket, {@code whenFull} suspending while it is full; returns the bytes sent
     * (fewer if the file shrank meanwhile).
     */
    static long transferTo(FileChannel file, long offset, long end, SocketChannel ch, WhenFull whenFull) throws IOException {
        long pos = offset;
        while (pos < end) {
            long n = file.transferTo(pos, end - pos, ch);
            if (n > 0) {
                pos += n;
            } else if (pos >= file.size()) {
                break;                              // the file shrank meanwhile
            } else {
                whenFull.await();
            }
        }
        return pos - offset;
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} (0: to its end) and returns
     * how many were sent (fewer if the file is shorter). Leaves the file's position alone.
     */
    public static long send(ByteTransport t, FileChannel file, long offset, long count) throws IOException {
        check(file, offset, count);
        long end = end(file, offset, count);
        if (offset >= end) {
            return 0;
        }
        if (t.isClosed()) {
            throw new ClosedChannelException();
        }
        while (!t.flushPending()) {
            t.awaitWritable();
        }
        if (t instanceof SocketTransport s) {
            return transferTo(file, offset, end, s.channel(), s::awaitWritable);
        }
        long pos = offset;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, end - offset));
        while (pos < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
            int r = file.read(buf, pos);
            if (r < 0) {
                break;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                if (t.writeNow(buf) == 0 || t.hasPendingOutput()) {
                    t.awaitWritable();
                    t.flushPending();
                }
            }
            pos += r;
        }
        while (!t.flushPending()) {
            t.awaitWritable();
        }
        return pos - offset;
    }
}
