package org.asyncio4j.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
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

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} (0: to its end) and returns
     * how many were sent (fewer if the file is shorter). Leaves the file's position alone.
     */
    public static long send(ByteTransport t, FileChannel file, long offset, long count) throws IOException {
        check(file, offset, count);
        long size = file.size();
        long end = count == 0 ? size : Math.min(size, offset + count);
        if (offset >= end) {
            return 0;
        }
        if (t.isClosed()) {
            throw new ClosedChannelException();
        }
        while (!t.flushPending()) {
            t.awaitWritable();
        }
        long pos = offset;
        if (t instanceof SocketTransport s) {
            while (pos < end) {
                long n = file.transferTo(pos, end - pos, s.channel());
                if (n > 0) {
                    pos += n;
                } else if (pos >= file.size()) {
                    break;                              // the file shrank meanwhile
                } else {
                    s.awaitWritable();
                }
            }
            return pos - offset;
        }
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
