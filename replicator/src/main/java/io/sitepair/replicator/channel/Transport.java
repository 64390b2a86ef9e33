package io.sitepair.replicator.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Native epoll where the platform has it, NIO elsewhere; one place decides for every channel. */
public final class Transport {
    private Transport() {}

    public static boolean epoll() {
        return Epoll.isAvailable();
    }

    public static IoHandlerFactory ioHandlers() {
        return epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> socketChannel() {
        return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Makes the kernel give up on a connection about as soon as the pair does: data unacknowledged
     * for {@code timeout} fails the connection (TCP_USER_TIMEOUT), and an idle one is probed
     * (keepalive every second, three probes). Without these, a black-holed connection stays open
     * for TCP's full retransmission back-off, many minutes. Only epoll offers them; NIO keeps the
     * plain keepalive.
     */
    public static void failFast(Channel channel, java.time.Duration timeout) {
        ChannelConfig config = channel.config();
        config.setOption(ChannelOption.SO_KEEPALIVE, true);
        if (epoll() && channel instanceof EpollSocketChannel) {
            config.setOption(EpollChannelOption.TCP_USER_TIMEOUT, (int) Math.max(1, timeout.toMillis()));
            config.setOption(EpollChannelOption.TCP_KEEPIDLE, 1);
            config.setOption(EpollChannelOption.TCP_KEEPINTVL, 1);
            config.setOption(EpollChannelOption.TCP_KEEPCNT, 3);
        }
    }

    public static Class<? extends DatagramChannel> datagramChannel() {
        return epoll() ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
