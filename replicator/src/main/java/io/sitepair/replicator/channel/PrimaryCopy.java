package io.sitepair.replicator.channel;

import io.netty.channel.ChannelHandlerContext;

/**
 * The primary's copy phase: the connection carries a re-protection ({@link OutgoingCopy.Session}),
 * which sends while the connection is writable and hears the backup's side of the plan. When the
 * copy completes, {@link LogShipper} puts streaming in its place.
 */
final class PrimaryCopy extends Phase {
    private final LogShipper end;
    private final OutgoingCopy.Session copy;

    PrimaryCopy(LogShipper end, OutgoingCopy.Session copy) {
        super(end, " while " + ChannelEnd.State.COPYING);
        this.end = end;
        this.copy = copy;
    }

    @Override
    boolean handle(ChannelHandlerContext ctx, ChannelMessage message) {
        switch (message) {
            case ChannelMessage.WrittenBlocks written -> {
                String refusal = copy.backupBlocks(written);
                if (refusal != null) {
                    end.refuse(ctx, refusal);
                }
            }
            case ChannelMessage.Ack ignored -> { } // the backup holds nothing yet
            default -> {
                return false;
            }
        }
        return true;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            copy.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }
}
