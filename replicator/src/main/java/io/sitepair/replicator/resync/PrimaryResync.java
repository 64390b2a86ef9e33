package io.sitepair.replicator.resync;

import io.netty.channel.Channel;
import io.sitepair.replicator.channel.ChannelMessage;
import io.sitepair.replicator.channel.OutgoingCopy;
import io.sitepair.replicator.channel.PairIdentity;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The primary's side of resyncs: a {@link ResyncSession} for each backup connection that needs a
 * copy, under the site's {@link ResyncPolicy} (whose rate an operator may change for the next one).
 */
public final class PrimaryResync implements OutgoingCopy {
    private final PairIdentity me;
    private final CopySource source;
    private final Consumer<CopySender.Outcome> reprotected;
    private ResyncPolicy policy; // on the loop

    /**
     * Copies from {@code source}; {@code reprotected} hears of each finished copy on the loop, in the
     * same task as the capture, before the guest runs again and before entries stream.
     */
    public PrimaryResync(PairIdentity me, CopySource source, ResyncPolicy policy,
                         Consumer<CopySender.Outcome> reprotected) {
        this.me = me;
        this.source = source;
        this.policy = policy;
        this.reprotected = reprotected;
    }

    @Override
    public Session begin(Channel connection, long epoch, ChannelMessage.Welcome welcome, LongConsumer copied)
            throws IOException {
        ResyncSession session = new ResyncSession(me, epoch, connection, source, policy, welcome, outcome -> {
            reprotected.accept(outcome);
            copied.accept(outcome.position());
        });
        try {
            session.begin();
        } catch (IOException | RuntimeException e) {
            session.abort(); // it may have begun tracking the guest's writes
            throw e;
        }
        return session;
    }

    @Override
    public String limitNext(long rate) {
        policy = new ResyncPolicy(rate, policy.manualStart());
        return "no resync under way; the next one is limited to " + rate + " bytes/s";
    }
}
