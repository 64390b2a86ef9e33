package io.sitepair.replicator.channel;

/**
 * Whether a connected logging channel still works, judged from what it carries rather than from
 * TCP: a flow that a firewall drops, a path MTU black hole or a middlebox that lost its state
 * never closes, and TCP's retransmission back-off can keep it open for many minutes. The channel
 * counts as down when, for the failure timeout,
 * <ul>
 *   <li>nothing at all arrived from the peer (the backup acknowledges at least every heartbeat
 *       interval, so an idle channel is never silent), or</li>
 *   <li>entries were pending and no acknowledgement advanced (a one-way stall: the backup's
 *       keepalives still arrive, but it receives nothing).</li>
 * </ul>
 * Pure and single-threaded (the primary's event loop); time is passed in.
 */
final class ChannelLiveness {
    private static final long NONE = Long.MIN_VALUE;

    private final long timeoutNanos;
    private long heardAt;
    private long progressAt;
    private long pendingSince = NONE;

    ChannelLiveness(long timeoutNanos, long nowNanos) {
        this.timeoutNanos = timeoutNanos;
        this.heardAt = nowNanos;
        this.progressAt = nowNanos;
    }

    /** Any message arrived from the peer. */
    void heard(long nowNanos) {
        heardAt = nowNanos;
    }

    /** Entries were sent; if none were pending, the wait for their acknowledgement starts now. */
    void sent(long nowNanos) {
        if (pendingSince == NONE) {
            pendingSince = nowNanos;
        }
    }

    /**
     * An acknowledgement arrived: {@code advanced} if it moved the received or replayed position,
     * {@code allAcknowledged} if nothing sent is pending any more.
     */
    void acknowledged(boolean advanced, boolean allAcknowledged, long nowNanos) {
        heardAt = nowNanos;
        if (advanced) {
            progressAt = nowNanos;
        }
        if (allAcknowledged) {
            pendingSince = NONE;
        }
    }

    /**
     * How long the channel has carried nothing useful: the longer of its silence and, with entries
     * pending, the time since an acknowledgement last advanced.
     */
    long quietNanos(long nowNanos) {
        long silent = nowNanos - heardAt;
        return pendingSince == NONE ? silent : Math.max(silent, nowNanos - Math.max(pendingSince, progressAt));
    }

    /** Null while the channel works; else why it counts as down. */
    String verdict(long nowNanos) {
        long silent = nowNanos - heardAt;
        if (silent > timeoutNanos) {
            return "nothing heard on the logging channel for " + silent / 1_000_000 + " ms";
        }
        if (pendingSince != NONE) {
            long stalled = nowNanos - Math.max(pendingSince, progressAt);
            if (stalled > timeoutNanos) {
                return "no acknowledgement for " + stalled / 1_000_000 + " ms with entries pending";
            }
        }
        return null;
    }
}
