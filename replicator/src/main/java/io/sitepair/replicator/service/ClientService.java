package io.sitepair.replicator.service;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.sitepair.replicator.channel.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM's client-facing TCP service: connections, bytes and hang-ups go straight to the
 * {@link GuestDriver} on the event loop that runs the guest. Native epoll when available.
 */
final class ClientService {
    private static final Logger LOG = LoggerFactory.getLogger(ClientService.class);

    private ClientService() {}

    /**
     * Binds {@code address} on {@code loop}; the returned channel is the listening socket. Every
     * accepted connection joins {@code clients}, so shutting down can close them all for certain.
     */
    static Channel bind(InetSocketAddress address, EventLoopGroup loop, GuestDriver driver, ChannelGroup clients)
            throws IOException {
        Class<? extends ServerChannel> type = Transport.serverChannel();
        io.netty.channel.ChannelFuture bound = new ServerBootstrap()
                .group(loop)
                .channel(type)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clients.add(ch);
                        ch.pipeline().addLast(new ToGuest(driver));
                    }
                })
                .bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IOException("cannot listen on " + address.getHostString() + ":" + address.getPort() + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    private static final class ToGuest extends ChannelInboundHandlerAdapter {
        private final GuestDriver driver;

        ToGuest(GuestDriver driver) {
            this.driver = driver;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            driver.accepted(ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = (ByteBuf) msg;
            try {
                driver.received(ctx.channel(), data);
            } finally {
                data.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            driver.hungUp(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset connection is an ordinary hang-up; anything else is a bug or a host problem.
            if (!(cause instanceof IOException)) {
                LOG.error("closing client {} after an unexpected exception", ctx.channel().remoteAddress(), cause);
            }
            ctx.close(); // the guest hears of it through channelInactive
        }
    }
}
