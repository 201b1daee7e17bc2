package org.asyncio4j.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A non-blocking socket channel (TCP or Unix domain) whose readiness comes from the loop's selector. */
public final class SocketTransport extends Transport {
    private final SocketChannel channel;
    private final SocketAddress local, remote;

    public SocketTransport(EventLoopImpl loop, SocketChannel channel) throws IOException {
        super(loop);
        this.channel = channel;
        channel.configureBlocking(false);
        this.local = channel.getLocalAddress();
        this.remote = channel.getRemoteAddress();
    }

    public SocketChannel channel() {
        return channel;
    }

    @Override
    public int readNow(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public void awaitReadable() throws IOException {
        loop.awaitReady(channel, SelectionKey.OP_READ);
    }

    @Override
    public int writeNow(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    @Override
    public void whenWritable(Runnable callback) throws IOException {
        loop.whenReady(channel, SelectionKey.OP_WRITE, callback);
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() {
        loop.forget(channel);
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing more to do
        }
    }

    @Override
    public void abort() {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);   // RST instead of FIN (TCP)
        } catch (IOException | UnsupportedOperationException e) {
            // Unix sockets have no linger: a plain close
        }
        close();
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }
}
