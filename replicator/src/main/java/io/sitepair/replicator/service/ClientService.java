package io.sitepair.replicator.service;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.AttributeKey;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The VM's client-facing TCP service. Connections, bytes and hang-ups become {@link ClientInput}s
 * for the VM thread, in order; nothing here touches the guest. Native epoll when available.
 *
 * <p>Flow control: a connection whose bytes the VM has not consumed yet beyond
 * {@link #PAUSE_READING_AT} stops being read until the VM catches up, so a fast client cannot fill
 * the heap.
 */
public final class ClientService implements Closeable {
    static final long PAUSE_READING_AT = 1 << 20;
    static final long RESUME_READING_AT = 256 << 10;

    /** Bytes read from a connection and not yet delivered to the guest. */
    static final AttributeKey<AtomicLong> UNDELIVERED = AttributeKey.valueOf("sitepair.undelivered");

    private final EventLoopGroup group;
    private final Channel server;
    private final boolean epoll;

    private ClientService(EventLoopGroup group, Channel server, boolean epoll) {
        this.group = group;
        this.server = server;
        this.epoll = epoll;
    }

    /** Binds {@code address} and starts accepting; inputs go to {@code inbox}. */
    static ClientService start(InetSocketAddress address, BlockingQueue<ClientInput> inbox) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io);
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.attr(UNDELIVERED).set(new AtomicLong());
                            ch.pipeline().addLast(new InputHandler(inbox));
                        }
                    })
                    .bind(address).sync().channel();
            return new ClientService(group, server, epoll);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public boolean usesEpoll() {
        return epoll;
    }

    /** Called by the VM thread once it has delivered {@code bytes} of a connection's input. */
    static void delivered(Channel channel, int bytes) {
        long left = channel.attr(UNDELIVERED).get().addAndGet(-bytes);
        if (left <= RESUME_READING_AT && !channel.config().isAutoRead()) {
            channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
        }
    }

    /** Stops accepting and closes every connection. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class InputHandler extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<ClientInput> inbox;

        InputHandler(BlockingQueue<ClientInput> inbox) {
            this.inbox = inbox;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            inbox.add(new ClientInput.Accepted(ctx.channel()));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                byte[] bytes = ByteBufUtil.getBytes(buf);
                if (ctx.channel().attr(UNDELIVERED).get().addAndGet(bytes.length) > PAUSE_READING_AT) {
                    ctx.channel().config().setAutoRead(false);
                }
                inbox.add(new ClientInput.Received(ctx.channel(), bytes));
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inbox.add(new ClientInput.HungUp(ctx.channel()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset connection is an ordinary hang-up; anything else is a host problem worth a line.
            if (!(cause instanceof java.io.IOException)) {
                System.err.println("sitepair: closing client " + ctx.channel().remoteAddress() + " after an unexpected "
                        + cause);
            }
            ctx.close(); // the guest hears of it through channelInactive
        }
    }
}
