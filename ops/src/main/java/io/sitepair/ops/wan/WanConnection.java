package io.sitepair.ops.wan;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;

/**
 * A client connection and the connection the proxy opened to the target for it, joined by a pipe
 * each way. Both channels live on one event loop.
 */
final class WanConnection {
    private final WanProxy proxy;
    private final Channel client;
    private final Channel target;
    private final WanPipe forward;
    private final WanPipe reverse;

    WanConnection(WanProxy proxy, Channel client, Channel target) {
        this.proxy = proxy;
        this.client = client;
        this.target = target;
        this.forward = new WanPipe(proxy, this, Direction.FORWARD, client, target);
        this.reverse = new WanPipe(proxy, this, Direction.REVERSE, target, client);
    }

    /** Called on the event loop once the target is connected; both channels start reading. */
    void start() {
        client.pipeline().addLast(new Side(forward, reverse));
        target.pipeline().addLast(new Side(reverse, forward));
        client.config().setAutoRead(true);
        target.config().setAutoRead(true);
    }

    boolean isOpen() {
        return client.isOpen() || target.isOpen();
    }

    /** After a blackhole: ends that were held back may now be passed on. */
    void restored() {
        client.eventLoop().execute(() -> {
            forward.maybeFinish();
            reverse.maybeFinish();
        });
    }

    /** Closes (or resets) {@code sink} once everything written to it before has reached its kernel. */
    void closeAfterFlush(Channel sink, boolean reset) {
        if (sink.isActive()) {
            sink.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(reset
                    ? (ChannelFutureListener) f -> WanProxy.reset(sink)
                    : ChannelFutureListener.CLOSE);
        }
    }

    /** Half-close: FIN to {@code sink} after its pending data; once both ways are shut, close both. */
    void shutdownAfterFlush(Channel sink) {
        if (!sink.isActive()) {
            return;
        }
        sink.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed ->
                ((DuplexChannel) sink).shutdownOutput().addListener(shut -> {
                    if (((DuplexChannel) client).isOutputShutdown() && ((DuplexChannel) target).isOutputShutdown()) {
                        client.close();
                        target.close();
                    }
                }));
    }

    /** One channel's events: it is the source of one pipe and the sink of the other. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final WanPipe from;
        private final WanPipe to;

        Side(WanPipe from, WanPipe to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            from.read((ByteBuf) msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                from.sourceEnded(WanPipe.End.INPUT_SHUTDOWN);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            to.sinkClosed();
            from.sourceEnded(WanPipe.End.CLOSED);
            if (!client.isActive() && !target.isActive()) {
                proxy.removed(WanConnection.this);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset is part of the job; anything else is a bug, reported before the hang-up. Either
            // way the other side gets a reset too, as it would from a failed endpoint.
            if (!(cause instanceof IOException)) {
                WanProxy.LOG.error("wan-proxy: closing {} after an unexpected exception", ctx.channel(), cause);
            }
            from.sourceEnded(WanPipe.End.RESET);
            ctx.close();
        }
    }
}
