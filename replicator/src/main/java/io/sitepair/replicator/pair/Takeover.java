package io.sitepair.replicator.pair;

import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.tiebreaker.Claim;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The backup's half of failover and switchover: deciding that its primary is gone, fencing it off
 * by no longer acknowledging, and, once everything received is replayed, claiming the next epoch.
 * Gone means silent (no heartbeats and no channel traffic for the failure timeout) after some of
 * its log arrived: a primary never heard has not started. Fencing comes first: once the backup
 * acknowledges nothing more, the old primary can release no output of an entry the backup does
 * not hold, so every output it ever released is in what the new primary goes live with.
 *
 * <p>The claim decides the outcome: won, the backup goes live from the last position it
 * replayed; lost, it halts, unless it had already heard the live site's later epoch (a paused
 * backup that resumed), in which case it rejoins the site it was told to. Time is passed in.
 */
final class Takeover {
    /** What the takeover needs of the backup, and asks of it. */
    interface Backup {
        /** Whether the site protects a primary (a resyncing or ending site has nothing to take over). */
        boolean protecting();

        /** The last log position received; 0 before any. */
        long received();

        /** Stops receiving and acknowledging, and ends the log to replay after what arrived. */
        void stopAcknowledging(String why);
    }

    /** What a claim decided. */
    sealed interface Outcome {
        /** Won {@code epoch}: go live. */
        record Live(long epoch) implements Outcome {}

        /** Lost to the live site this backup already knew of: rejoin it by re-protection. */
        record Rejoin() implements Outcome {}

        /** Lost, or refused: another site is live, or this one may not be. */
        record Halt(String why) implements Outcome {}

        /** The site stopped while the claim waited for a quorum: it decided nothing. */
        record Abandoned() implements Outcome {}
    }

    private final Arbitration arbitration;
    private final String peer;
    private final Duration failureTimeout;
    private final Backup backup;
    private volatile long detectedNanos; // 0: the primary has not failed
    private volatile String failover = "";
    private volatile SiteMeters.Failover took; // once a failover won its epoch

    Takeover(Arbitration arbitration, String peer, Duration failureTimeout, Backup backup) {
        this.arbitration = arbitration;
        this.peer = peer;
        this.failureTimeout = failureTimeout;
        this.backup = backup;
    }

    /** On every tick: fences the primary off if it is gone ({@code peerSilent}: the peer watch says so). */
    void check(boolean peerSilent, long nowNanos) {
        if (peerSilent && arbitration.enabled() && detectedNanos == 0 && backup.protecting()
                && backup.received() > 0) {
            detectedNanos = nowNanos;
            failover = "primary '" + peer + "' failed; replaying to position " + backup.received();
            backup.stopAcknowledging(failover);
        }
    }

    /** Whether the primary was found failed (otherwise a takeover is a planned switchover). */
    boolean primaryFailed() {
        return detectedNanos != 0;
    }

    /**
     * Claims the epoch after {@code epoch}, live from {@code position} (everything received is
     * replayed, at {@code replayedNanos}) with clients at {@code endpoint}. While there is no
     * quorum it asks again, until {@code abandon} says stop. {@code superseded} says whether this
     * site has heard the live site's later epoch meanwhile.
     */
    CompletableFuture<Outcome> claim(long epoch, long position, String endpoint, long replayedNanos,
                                     BooleanSupplier abandon, BooleanSupplier superseded) {
        failover = "replayed to position " + position + "; claiming epoch " + (epoch + 1);
        return arbitration.claim(epoch, position, endpoint, abandon)
                .thenApply(claim -> decide(claim, position, replayedNanos, superseded.getAsBoolean()));
    }

    private Outcome decide(Claim claim, long position, long replayedNanos, boolean superseded) {
        if (claim == null) {
            return new Outcome.Abandoned();
        }
        if (claim.won()) {
            long won = claim.record().epoch();
            if (detectedNanos == 0) {
                failover = String.format("live in epoch %d from position %d by a planned switchover: arbitration %d"
                        + " ms", won, position, arbitration.claimMillis());
            } else {
                took = new SiteMeters.Failover(failureTimeout.toMillis(), (replayedNanos - detectedNanos) / 1_000_000,
                        arbitration.claimMillis());
                failover = String.format("live in epoch %d from position %d: detection %d ms (failure timeout), replay"
                        + " %d ms, arbitration %d ms", won, position, took.detectionMs(), took.replayMs(),
                        took.arbitrationMs());
            }
            return new Outcome.Live(won);
        }
        if (superseded && claim.refusal() == null) {
            return new Outcome.Rejoin();
        }
        return new Outcome.Halt(claim.refusal() != null ? claim.refusal() : "site '" + claim.record().liveSite()
                + "' is live in epoch " + claim.record().epoch() + "; this site must not serve");
    }

    /** How long the failover that made this site live took; null if it went live by a switchover, or not yet. */
    SiteMeters.Failover took() {
        return took;
    }

    /** How this site went live, or why it is going live; empty before. */
    String failover() {
        return failover;
    }
}
