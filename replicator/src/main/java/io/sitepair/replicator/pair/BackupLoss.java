package io.sitepair.replicator.pair;

import io.sitepair.tiebreaker.Claim;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's half of failover: deciding that its backup is gone, and claiming the next epoch
 * so that the backup can never go live later, before going on alone. Gone means silent (no
 * heartbeats and no channel traffic for the failure timeout), or a logging channel down for as
 * long while heartbeats still arrive (nothing can be acknowledged: as good as failed). Outputs
 * stay held while the claim is out (nothing acknowledges them). Loop thread only; time is passed
 * in.
 */
final class BackupLoss {
    private static final Logger LOG = LoggerFactory.getLogger(BackupLoss.class);

    /** What the claim needs of the primary, and what it tells it; called on the loop. */
    interface Primary {
        /** Whether the site is a protected primary (only it has a backup to lose). */
        boolean protectedPrimary();

        boolean switchingOver();

        long epoch();

        long position();

        /** The claim won {@code epoch} from {@code position}: go on alone. */
        void wonEpoch(long epoch, long position, String why);

        /** Another site is live: stop serving. */
        void halt(String why);

        /** Whether the site has ended (a claim still waiting for a quorum then gives up). */
        boolean ended();

        /** Runs {@code task} on the loop, unless the site has ended. */
        void onLoop(Runnable task);
    }

    private final Arbitration arbitration;
    private final String site;
    private final String peer;
    private final String endpoint;
    private final long failureTimeoutNanos;
    private final Primary primary;
    private boolean everStreamed; // from then on, losing the backup is a failure, not a late start
    private long linkDownSinceNanos; // 0: streaming, or never streamed
    private boolean claiming;
    private boolean switchoverTaken; // the backup holds the next epoch: nothing to claim

    /** For {@code site}, serving clients at {@code endpoint}, protected by {@code peer}. */
    BackupLoss(Arbitration arbitration, String site, String peer, String endpoint, Duration failureTimeout,
               Primary primary) {
        this.arbitration = arbitration;
        this.site = site;
        this.peer = peer;
        this.endpoint = endpoint;
        this.failureTimeoutNanos = failureTimeout.toNanos();
        this.primary = primary;
    }

    /** The logging channel came up or went down at {@code nowNanos}. */
    void linkChanged(boolean streaming, long nowNanos) {
        if (streaming) {
            everStreamed = true;
            linkDownSinceNanos = 0;
        } else if (linkDownSinceNanos == 0) {
            linkDownSinceNanos = nowNanos;
        }
    }

    /** On every tick: claims the next epoch if the backup is gone ({@code peerSilent}: the peer watch says so). */
    void check(boolean peerSilent, long nowNanos) {
        if (!primary.protectedPrimary() || !everStreamed || !arbitration.enabled() || claiming || switchoverTaken) {
            return;
        }
        long downNanos = linkDownSinceNanos == 0 ? 0 : nowNanos - linkDownSinceNanos;
        if (peerSilent) {
            claim("backup '" + peer + "' failed");
        } else if (downNanos > failureTimeoutNanos && !primary.switchingOver()) {
            claim("the logging channel to backup '" + peer + "' has been down for " + downNanos / 1_000_000 + " ms");
        }
    }

    private void claim(String why) {
        claiming = true;
        long seen = primary.epoch();
        long position = primary.position();
        LOG.info("site '{}': {}; claiming epoch {} to continue alone", site, why, seen + 1);
        arbitration.claim(seen, position, endpoint, primary::ended).whenComplete((claim, failure) -> {
            if (failure != null) {
                LOG.error("site '{}': claiming epoch {} failed", site, seen + 1, failure);
                primary.onLoop(() -> primary.halt("claiming epoch " + (seen + 1) + " failed: " + failure));
            } else if (claim != null) {
                primary.onLoop(() -> claimed(claim, seen, position, why));
            }
        });
    }

    private void claimed(Claim claim, long seen, long position, String why) {
        claiming = false;
        if (claim.won()) {
            primary.wonEpoch(claim.record().epoch(), position, why);
        } else if (primary.switchingOver() && claim.record().epoch() == seen + 1
                && claim.record().liveSite().equals(peer)) {
            // The backup went quiet while taking over (a busy machine), and took the epoch: that
            // is the switchover succeeding, which the switchover itself completes.
            switchoverTaken = true;
            LOG.info("site '{}': site '{}' took epoch {} as the switchover asked", site,
                    claim.record().liveSite(), claim.record().epoch());
        } else {
            primary.halt(claim.refusal() != null ? claim.refusal() : "site '" + claim.record().liveSite()
                    + "' went live in epoch " + claim.record().epoch() + "; this site must not serve");
        }
    }
}
