package org.asyncio4j.benchmarks;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * The echo workload of {@link EchoBench} on Netty, the Java networking anchor: the server and C
 * clients on one Netty event loop thread, each client sending a 64-byte message and waiting for
 * its 64-byte echo, in a loop, for a fixed time (one round trip in flight per client).
 *
 * <p>Arguments: {@code --transport nio|epoll|io_uring --clients C --seconds S --warmup W}. Prints
 * {@code netty-<transport> clients=C round_trips_per_s=N}, or {@code ... unavailable=<why>} when
 * the native transport cannot load here.
 */
public final class NettyEchoBench {
    private static final int SIZE = 64;

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        String transport = "nio";
        String[] rest = args;
        if (args.length >= 2 && args[0].equals("--transport")) {
            transport = args[1];
            rest = java.util.Arrays.copyOfRange(args, 2, args.length);
        }
        EchoBench.Options o = EchoBench.Options.parse(rest);
        IoHandlerFactory io;
        Class<? extends ServerChannel> serverType;
        Class<? extends Channel> clientType;
        switch (transport) {
            case "nio" -> {
                io = NioIoHandler.newFactory();
                serverType = NioServerSocketChannel.class;
                clientType = NioSocketChannel.class;
            }
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    System.out.println("netty-epoll clients=" + o.clients() + " unavailable=" + Epoll.unavailabilityCause());
                    return;
                }
                io = EpollIoHandler.newFactory();
                serverType = EpollServerSocketChannel.class;
                clientType = EpollSocketChannel.class;
            }
            case "io_uring" -> {
                if (!IoUring.isAvailable()) {
                    System.out.println("netty-io_uring clients=" + o.clients() + " unavailable="
                            + String.valueOf(IoUring.unavailabilityCause()).replace(' ', '_'));
                    return;
                }
                io = IoUringIoHandler.newFactory();
                serverType = IoUringServerSocketChannel.class;
                clientType = IoUringSocketChannel.class;
            }
            default -> throw new IllegalArgumentException("unknown transport " + transport + " (nio, epoll, io_uring)");
        }
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, io);   // one thread: server and clients
        try {
            Channel server = new ServerBootstrap().group(loop).channel(serverType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);          // echo what came, as it came
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
            round(loop, clientType, port, o.clients(), o.warmup());
            long t0 = System.nanoTime();
            long total = round(loop, clientType, port, o.clients(), o.seconds());
            double elapsed = (System.nanoTime() - t0) / 1e9;
            server.close().sync();
            System.out.printf("netty-%s clients=%d round_trips_per_s=%.0f%n", transport, o.clients(), total / elapsed);
        } finally {
            loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** C clients until the deadline; the total of their round trips. */
    private static long round(EventLoopGroup loop, Class<? extends Channel> type, int port, int clients, double seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong total = new AtomicLong();
        CountDownLatch done = new CountDownLatch(clients);
        byte[] msg = new byte[SIZE];
        java.util.Arrays.fill(msg, (byte) 'x');
        msg[SIZE - 1] = '\n';
        Bootstrap b = new Bootstrap().group(loop).channel(type).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            long n;
                            int got;

                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(msg));
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object m) {
                                ByteBuf buf = (ByteBuf) m;
                                got += buf.readableBytes();
                                buf.release();
                                while (got >= SIZE) {
                                    got -= SIZE;
                                    n++;
                                    if (System.nanoTime() >= deadline) {
                                        total.addAndGet(n);
                                        ctx.close();
                                        done.countDown();
                                        return;
                                    }
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(msg));
                                }
                            }
                        });
                    }
                });
        for (int i = 0; i < clients; i++) {
            b.connect("127.0.0.1", port).sync();
        }
        done.await();
        return total.get();
    }
}
