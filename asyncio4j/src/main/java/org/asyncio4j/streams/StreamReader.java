package org.asyncio4j.streams;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

import org.asyncio4j.Future;
import org.asyncio4j.internal.ByteTransport;
import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.Structured;

/**
 * The receiving end of a connection (or of a process pipe). Every read suspends the calling
 * task until its bytes are there; a read that is cancelled (or stopped by its TaskGroup's
 * interruption) consumes nothing, so the data stays for the next read and the connection stays
 * usable: bytes enter the buffer only where a read does not suspend, and leave it only when a
 * read returns or throws its own result.
 *
 * <p>One task reads at a time: a second task reading concurrently gets
 * {@link IllegalStateException}, as in Python.
 *
 * <p>A reader made with a public constructor is <em>fed</em> instead of reading a transport:
 * {@link #feedData(byte[])} appends bytes, {@link #feedEof()} ends the stream and
 * {@link #setException(IOException)} fails it, so a protocol, an adapter or a test can drive
 * every read method. Reads on a fed reader suspend until it is fed. Like the synchronisation
 * primitives, a fed reader binds to a loop the first time it is used inside one (fed or read);
 * from then on feeding it from another thread is an {@link IllegalStateException} (call
 * {@code feedData} on the loop, through {@code callSoonThreadsafe}).
 *
 * <p>Python: {@code asyncio.StreamReader}.
 */
public final class StreamReader {
    private static final byte[] NEWLINE = {'\n'};

    private ByteTransport transport;   // null for a fed reader; replaced by StreamWriter.startTls
    private final Feed feed;           // null for a transport-backed reader
    private final int limit;
    private byte[] buf = new byte[8192];
    private int start, end;            // buffered bytes: buf[start, end)
    private boolean eof;
    private boolean reading;
    private boolean upgrading;          // held by StreamWriter.startTls (reading is set too)

    StreamReader(ByteTransport transport, int limit) {
        this.transport = transport;
        this.feed = null;
        this.limit = limit;
    }

    /**
     * A fed reader with the default limit of 64 KiB ({@link StreamOptions#DEFAULT_LIMIT}): see
     * {@link #feedData(byte[])}.
     */
    public StreamReader() {
        this(StreamOptions.DEFAULT_LIMIT);
    }

    /**
     * A fed reader with the given limit for {@link #readLine()} and {@link #readUntil(byte[])}:
     * see {@link #feedData(byte[])}.
     *
     * @param limit bytes, at least 1
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public StreamReader(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, not " + limit);
        }
        this.transport = null;
        this.feed = new Feed();
        this.limit = limit;
    }

    /** The state of a fed reader: its loop, the waiting read's wake-up, a failure. */
    private static final class Feed {
        EventLoopImpl loop;           // bound on first use inside a loop; written and read only there
        Future<Void> waiter;          // the one suspended read's wake-up, a fresh one per wait
        IOException exception;

        void wake() {
            Future<Void> w = waiter;
            waiter = null;
            if (w != null && !w.isDone()) {
                w.setResult(null);
            }
        }
    }

    /**
     * Appends bytes for the reads (copied). An empty array does nothing.
     *
     * @param data the bytes
     * @throws NullPointerException  if {@code data} is null
     * @throws IllegalStateException if this reader reads a transport, after {@link #feedEof()},
     *                               or from a thread other than the loop the reader is bound to
     */
    public void feedData(byte[] data) {
        Objects.requireNonNull(data, "data");
        feedData(ByteBuffer.wrap(data));
    }

    /**
     * Appends the buffer's remaining bytes for the reads (copied; the buffer's position moves to
     * its limit). An empty buffer does nothing.
     *
     * @param data the bytes
     * @throws NullPointerException  if {@code data} is null
     * @throws IllegalStateException if this reader reads a transport, after {@link #feedEof()},
     *                               or from a thread other than the loop the reader is bound to
     */
    public void feedData(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        Feed f = fed("feedData");
        if (eof) {
            throw new IllegalStateException("feedData after feedEof");
        }
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        if (start == end) {
            start = end = 0;
        }
        if (buf.length - end < n) {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (buf.length - end < n) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + n));
            }
        }
        data.get(buf, end, n);
        end += n;
        f.wake();
    }

    /**
     * Ends the stream after the bytes fed so far: reads then return what is left, then the end
     * (an empty array, or {@link IncompleteReadException}). A second call does nothing.
     *
     * @throws IllegalStateException if this reader reads a transport, or from a thread other than
     *                               the loop the reader is bound to
     */
    public void feedEof() {
        Feed f = fed("feedEof");
        eof = true;
        f.wake();
    }

    /**
     * Fails the stream (Python's {@code set_exception}): every read from now on throws
     * {@code exception}, the one waiting now included, even while bytes are buffered, as in
     * Python. Feeding afterwards is still allowed but nothing can be read.
     *
     * @param exception the failure
     * @throws NullPointerException  if {@code exception} is null
     * @throws IllegalStateException if this reader reads a transport, or from a thread other than
     *                               the loop the reader is bound to
     */
    public void setException(IOException exception) {
        Objects.requireNonNull(exception, "exception");
        Feed f = fed("setException");
        f.exception = exception;
        f.wake();
    }

    /**
     * The exception given to {@link #setException(IOException)}.
     *
     * @return it, or null (always null for a reader of a transport)
     */
    public IOException exception() {
        return feed == null ? null : feed.exception;
    }

    private Feed fed(String op) {
        Feed f = feed;
        if (f == null) {
            throw new IllegalStateException(op + ": this StreamReader reads its transport; only a reader made with "
                    + "new StreamReader() can be fed");
        }
        EventLoopImpl cur = EventLoopImpl.running();
        if (f.loop == null) {
            f.loop = cur;                 // bound on first use inside a loop (null: not yet)
        } else if (cur != f.loop) {
            throw new IllegalStateException("StreamReader." + op + "(): this reader belongs to " + f.loop
                    + (cur == null ? ", but the caller is thread '" + Thread.currentThread().getName()
                            + "' outside it (use the loop's callSoonThreadsafe)" : ", but the caller runs on " + cur));
        }
        return f;
    }

    /**
     * Reads up to {@code n} bytes: whatever is buffered, or, if nothing is, whatever the next
     * arrival brings. {@code n == -1} reads until the end of the stream.
     *
     * @param n the most bytes to return, or -1 for all until EOF
     * @return the bytes; an empty array at the end of the stream (or for {@code n == 0})
     * @throws IllegalArgumentException if {@code n} is less than -1
     * @throws IOException              if the connection fails
     * @throws IllegalStateException    if another task is reading, or the caller is not a task
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     */
    public byte[] read(int n) throws IOException {
        if (n < -1) {
            throw new IllegalArgumentException("read: n must be >= -1, not " + n);
        }
        if (n == 0) {
            return new byte[0];
        }
        enter();
        try {
            if (n == -1) {
                while (fill()) {
                    // until EOF
                }
                return take(end - start);
            }
            if (start == end) {
                fill();
            }
            return take(Math.min(n, end - start));
        } finally {
            reading = false;
        }
    }

    /**
     * Reads one line, up to and including {@code '\n'}. At the end of the stream, returns the
     * partial last line, then empty arrays.
     *
     * @return the line with its newline, a partial line, or an empty array at EOF
     * @throws LimitOverrunException if the newline is found more than {@code limit()} bytes in,
     *                               or none has come within the limit (the line is dropped up
     *                               to its newline if that has arrived, else what is buffered)
     * @throws IOException           if the connection fails
     * @throws IllegalStateException if another task is reading, or the caller is not a task
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     */
    public byte[] readLine() throws IOException {
        enter();
        try {
            int at;
            try {
                at = find(NEWLINE, "readLine");
            } catch (LimitOverrunException e) {
                dropLineOrBuffer();
                throw e;
            }
            return take(at < 0 ? end - start : at + 1 - start);   // at EOF: the partial line (maybe empty)
        } finally {
            reading = false;
        }
    }

    /** After an over-long line: drop it up to its newline if buffered, else the whole buffer. */
    private void dropLineOrBuffer() {
        for (int i = start; i < end; i++) {
            if (buf[i] == '\n') {
                start = i + 1;
                return;
            }
        }
        start = end = 0;
    }

    /**
     * Reads up to and including a separator. The limit bounds the chunk before the separator:
     * the read fails once the separator is found more than {@code limit()} bytes in, or once
     * none can begin within the limit any more, whatever way the bytes arrived (as CPython's
     * {@code readuntil}).
     *
     * @param separator the separator, not empty
     * @return the bytes up to and including the separator
     * @throws IncompleteReadException if the stream ends first (with what was read), while a
     *                                 separator could still have begun within the limit
     * @throws LimitOverrunException   if the separator is found past the limit, or none can
     *                                 begin within it (the data stays buffered); {@code
     *                                 consumed()} is the separator's offset, or the earliest
     *                                 offset where one could still begin
     * @throws NullPointerException    if {@code separator} is null
     * @throws IllegalArgumentException if {@code separator} is empty
     * @throws IOException             if the connection fails
     * @throws IllegalStateException   if another task is reading, or the caller is not a task
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (nothing
     *                                 is consumed)
     */
    public byte[] readUntil(byte[] separator) throws IOException {
        Objects.requireNonNull(separator, "separator");
        if (separator.length == 0) {
            throw new IllegalArgumentException("readUntil: the separator is empty");
        }
        enter();
        try {
            int at = find(separator, "readUntil");
            if (at < 0) {
                throw new IncompleteReadException(take(end - start), -1);
            }
            return take(at + separator.length - start);
        } finally {
            reading = false;
        }
    }

    /**
     * Reads exactly {@code n} bytes.
     *
     * @param n how many
     * @return the bytes
     * @throws IncompleteReadException  if the stream ends first (with what was read)
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IOException              if the connection fails
     * @throws IllegalStateException    if another task is reading, or the caller is not a task
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (nothing
     *                                  is consumed)
     */
    public byte[] readExactly(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("readExactly: n must be >= 0, not " + n);
        }
        enter();
        try {
            while (end - start < n) {
                if (!fill()) {
                    throw new IncompleteReadException(take(end - start), n);
                }
            }
            return take(n);
        } finally {
            reading = false;
        }
    }

    /**
     * Whether the stream has ended and every byte was read.
     *
     * @return true at EOF with an empty buffer
     */
    public boolean atEof() {
        return eof && start == end;
    }

    /**
     * The read limit of {@link #readLine()} and {@link #readUntil(byte[])}.
     *
     * @return bytes
     */
    public int limit() {
        return limit;
    }

    private void enter() throws IOException {
        if (reading) {
            throw new IllegalStateException(upgrading ? "the connection is being upgraded to TLS (StreamWriter.startTls):"
                    + " read once it returns" : "another task is already reading from this StreamReader");
        }
        if (feed != null) {
            fed("read");
            if (feed.exception != null) {
                throw feed.exception;
            }
        }
        reading = true;
    }

    /** fill() for a fed reader: suspends until fed, at the end, or failed. */
    private boolean fillFed() throws IOException {
        Feed f = feed;
        int before = end - start;
        while (f.exception == null && !eof && end - start == before) {
            Future<Void> w = Structured.task("StreamReader.read").getLoop().createFuture();
            f.waiter = w;
            try {
                w.await();
            } finally {
                if (f.waiter == w) {
                    f.waiter = null;
                }
            }
        }
        if (f.exception != null) {
            throw f.exception;
        }
        return end - start > before;
    }

    /**
     * Finds the first separator in the buffer, filling it as needed, as CPython's readuntil does:
     * the limit is checked against the offset where a separator could still begin (so the
     * outcome depends only on the bytes, never on how the transport split them), and the end of
     * the stream before a separator is not an overrun unless that offset is already past the
     * limit. Consumes nothing.
     *
     * @return the separator's index in {@code buf}, or -1 at EOF without one
     * @throws LimitOverrunException when the separator is found past the limit, or when none can
     *                               begin within it any more (the data stays buffered)
     */
    private int find(byte[] sep, String op) throws IOException {
        int offset = 0;               // relative to start (fill() may move the bytes): no separator begins before it
        while (true) {
            if (end - start - offset >= sep.length) {
                int at = indexOf(sep, start + offset);
                if (at >= 0) {
                    if (at - start > limit) {
                        throw new LimitOverrunException(op + ": separator found, but the chunk is longer than the limit of "
                                + limit + " bytes", at - start);
                    }
                    return at;
                }
                offset = end - start + 1 - sep.length;
                if (offset > limit) {
                    throw new LimitOverrunException(op + ": separator not found within the limit of " + limit + " bytes", offset);
                }
            }
            if (!fill()) {
                return -1;
            }
        }
    }

    private int indexOf(byte[] sep, int from) {
        outer:
        for (int i = from; i <= end - sep.length; i++) {
            for (int j = 0; j < sep.length; j++) {
                if (buf[i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Reads more bytes into the buffer, suspending until some arrive.
     *
     * @return false at the end of the stream
     */
    private boolean fill() throws IOException {
        if (transport == null) {
            return fillFed();
        }
        if (eof) {
            return false;
        }
        if (transport.isClosed()) {
            eof = true;
            return false;
        }
        if (start == end) {
            start = end = 0;
        } else if (end == buf.length) {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            } else {
                grow();
            }
        }
        while (true) {
            ByteBuffer w = window();
            w.limit(buf.length).position(end);
            int n = transport.readNow(w);
            if (n > 0) {
                end += n;
                return true;
            }
            if (n < 0) {
                eof = true;
                return false;
            }
            try {
                transport.awaitReadable();
            } catch (java.nio.channels.ClosedChannelException closedHere) {
                eof = true;            // our own side closed the connection: an end, as in Python
                return false;
            }
        }
    }

    private ByteBuffer window;

    private ByteBuffer window() {
        if (window == null || window.array() != buf) {
            window = ByteBuffer.wrap(buf);
        }
        return window;
    }

    private void grow() {
        buf = Arrays.copyOf(buf, buf.length * 2);
    }

    private byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        start += n;
        if (start == end) {
            start = end = 0;
        }
        return out;
    }

    /** Whether a read is under way (startTls refuses to swap the transport under it). */
    boolean isReading() {
        return reading;
    }

    /**
     * StreamWriter.startTls holds the reader while the handshake runs on the plain socket: a
     * read meanwhile would take the peer's handshake records as data.
     */
    void holdForUpgrade(boolean hold) {
        reading = hold;
        upgrading = hold;
    }

    /** StreamWriter.startTls: reads go through {@code t} from now on, after what is buffered. */
    void switchTransport(ByteTransport t) {
        transport = t;
    }

    @Override
    public String toString() {
        return "StreamReader[buffered=" + (end - start) + (eof ? ", eof" : "") + ", limit=" + limit + "]";
    }
}
