package io.sitepair.replicator.channel;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

/**
 * One phase of a connection (handshake, streaming, copy) at one end: it handles the messages due
 * in it; the peer's refusal ends the connection in any phase, and any other message is refused as
 * unexpected.
 */
abstract class Phase extends SimpleChannelInboundHandler<ChannelMessage> {
    static final String HANDSHAKE = "handshake";
    static final String STREAMING = "streaming";
    static final String COPY = "copy";

    private final ChannelEnd end;
    private final String when;

    /** {@code when} ends the refusal of an unexpected message: " while STREAMING". */
    Phase(ChannelEnd end, String when) {
        super(ChannelMessage.class);
        this.end = end;
        this.when = when;
    }

    @Override
    protected final void channelRead0(ChannelHandlerContext ctx, ChannelMessage message) {
        if (message instanceof ChannelMessage.Refused refused) {
            end.refusedBy(ctx, refused);
        } else if (!handle(ctx, message)) {
            end.refuse(ctx, "unexpected " + message.getClass().getSimpleName() + when);
        }
    }

    /** Handles {@code message} if it is due in this phase; false if not. */
    abstract boolean handle(ChannelHandlerContext ctx, ChannelMessage message);
}
