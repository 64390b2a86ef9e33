package io.sitepair.replicator.status;

import io.sitepair.replicator.pair.Role;

/**
 * A backup's status (replaying, resyncing, or one that stopped).
 *
 * @param resync      the copy it is taking from the live site; null if none
 * @param failover    how far its going live after the primary failed is; null if it is not
 * @param lastVerify  the last online verify it checked; null if none
 * @param arbitration the epoch claim under way; null if none
 * @param channel     the logging channel from the primary, in words
 */
public record BackupStatus(String site, Role role, String reason, Long epoch, Resync resync, String failover,
                           String lastVerify, String arbitration, String quorum, String channel, Positions positions,
                           Logging logging, long events, DiskStatus disks, Peer peer) implements SiteStatus {

    /**
     * The copy under way, from {@code source}.
     *
     * @param durablyPendingBlocks what a resumed copy would still need
     */
    public record Resync(String source, long plannedBlocks, long copiedBlocks, long durablyPendingBlocks) {}

    /** Log positions: received from the primary, replayed. */
    public record Positions(long received, long replayed) {}

    /** The logging channel's rate on the wire (Mbit/s) and the log held for replay. */
    public record Logging(double wireMbitS, long bufferedBytes, long bufferLimit) {}

    /** The primary as this site sees it; {@code heartbeatMs} -1: never heard. */
    public record Peer(String site, long heartbeatMs, boolean suspected) {}
}
