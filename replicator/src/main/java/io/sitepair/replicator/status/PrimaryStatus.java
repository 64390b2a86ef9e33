package io.sitepair.replicator.status;

import com.fasterxml.jackson.annotation.JsonValue;
import io.sitepair.replicator.pair.Role;
import java.util.Map;

/**
 * A serving site's status (primary or live alone, or one that stopped serving). When the site
 * cannot answer from its event loop (it is stopping), only the first five fields are set.
 *
 * @param nic                   the virtual NIC in network mode nic; null in network mode socket
 * @param lastReprotection      the last re-protection in a line; null if none
 * @param lastResync            the last re-protection's figures; null if none
 * @param resync                the resync of the returning site under way; null if none
 * @param verify                the online verify under way; null if none
 * @param releasedOutputsByEpoch outputs this site released per epoch it served (keys in ascending order)
 * @param quorum                this site's connection to the ZooKeeper quorum
 * @param fenced                why outputs are held while the quorum is in doubt; null if they are not
 * @param arbitration           the epoch claim under way; null if none
 * @param failover              how this site went live after its primary failed; null if it did not
 */
public record PrimaryStatus(String site, Role role, String reason, Long epoch, String service, NicStatus nic,
                            Protection protection, String lastReprotection, ResyncSummary lastResync,
                            ResyncStatus resync, String verify, Positions positions, Long lagMs,
                            Long slowdownPercent, Logging logging, Integer heldOutputs,
                            Map<Long, Long> releasedOutputsByEpoch, String quorum, String fenced,
                            String arbitration, Delivery delivery, Peer peer, Long events, DiskStatus disks,
                            String failover) implements SiteStatus {

    /** What a site that cannot answer from its event loop says. */
    public static PrimaryStatus header(String site, Role role, String reason, long epoch, String service) {
        return new PrimaryStatus(site, role, reason, epoch, service, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** This status of a site that went live after its primary failed, saying how. */
    public PrimaryStatus withFailover(String how) {
        return new PrimaryStatus(site, role, reason, epoch, service, nic, protection, lastReprotection, lastResync,
                resync, verify, positions, lagMs, slowdownPercent, logging, heldOutputs, releasedOutputsByEpoch,
                quorum, fenced, arbitration, delivery, peer, events, disks, how);
    }

    @Override
    public boolean pairProtected() {
        return protection != null && protection.state() == Protection.State.PROTECTED;
    }

    /** Log positions: recorded, sent to the backup, acknowledged by it, replayed by it. */
    public record Positions(long logged, long sent, long acknowledged, long replayed) {}

    /**
     * The logging channel's figures: rates (Mbit/s), bytes raw and on the wire, the log held for the
     * backup; {@code batches}: sent since the channel's start, one frame each.
     */
    public record Logging(double rawMbitS, double wireMbitS, long rawBytes, long wireBytes, double compressionRatio,
                          long bufferedBytes, long bufferLimit, long flowControlPauses, long batches) {}

    /**
     * The backup as this site sees it.
     *
     * @param channel     the logging channel's state (connecting, handshaking, streaming, copying, ...)
     * @param heartbeatMs since its last heartbeat; -1: never heard
     */
    public record Peer(String site, String channel, String lastProblem, long heartbeatMs, boolean suspected) {}

    /** Whether client events are delivered to the guest. */
    public enum Delivery {
        RUNNING("running"),
        THROTTLED("throttled"),
        PAUSED("paused (log buffer full)");

        private final String label;

        Delivery(String label) {
            this.label = label;
        }

        @JsonValue
        public String label() {
            return label;
        }
    }
}
