package io.sitepair.replicator.channel;

import io.netty.channel.ChannelHandlerContext;

/**
 * The primary's streaming phase: the backup's acknowledgements (checked against what was sent),
 * its verify reports, and its word that it stopped replaying.
 */
final class PrimaryStreaming extends Phase {
    private final LogShipper end;
    private long ackedReceived; // this connection's best acknowledgement so far
    private long ackedReplayed = -1;

    /** Streams to a backup that holds the log up to {@code received}. */
    PrimaryStreaming(LogShipper end, long received) {
        super(end, " while " + ChannelEnd.State.STREAMING);
        this.end = end;
        this.ackedReceived = received;
    }

    @Override
    boolean handle(ChannelHandlerContext ctx, ChannelMessage message) {
        switch (message) {
            case ChannelMessage.Ack ack -> acknowledged(ctx, ack);
            case ChannelMessage.VerifyReport report -> end.listener.verified(report);
            case ChannelMessage.Diverged diverged -> end.listener.backupStopped(diverged.position(), diverged.reason());
            default -> {
                return false;
            }
        }
        return true;
    }

    private void acknowledged(ChannelHandlerContext ctx, ChannelMessage.Ack ack) {
        if (ack.epoch() != end.epoch) {
            end.refuse(ctx, "acknowledgement carries epoch " + ack.epoch() + ", this primary is at " + end.epoch);
            return;
        }
        if (ack.received() > end.sentThrough()) {
            end.refuse(ctx, "acknowledgement of position " + ack.received() + ", beyond what was sent ("
                    + end.sentThrough() + ")");
            return;
        }
        boolean advanced = ack.received() > ackedReceived || ack.replayed() > ackedReplayed;
        ackedReceived = Math.max(ackedReceived, ack.received());
        ackedReplayed = Math.max(ackedReplayed, ack.replayed());
        end.acknowledged(ack, advanced);
    }
}
