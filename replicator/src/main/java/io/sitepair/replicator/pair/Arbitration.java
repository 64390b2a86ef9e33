package io.sitepair.replicator.pair;

import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.NoQuorumException;
import io.sitepair.tiebreaker.Tiebreaker;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A site's go-live claim through the tiebreaker. Without a quorum the claim waits, saying so in
 * {@link #progress()}; it never decides on its own. A site without a tiebreaker never claims.
 */
final class Arbitration {
    private static final long RETRY_MS = 200;

    private final Tiebreaker tiebreaker;
    private final String site;
    private volatile String progress = "";
    private volatile long claimNanos;

    Arbitration(Tiebreaker tiebreaker, String site) {
        this.tiebreaker = tiebreaker;
        this.site = site;
    }

    boolean enabled() {
        return tiebreaker != null;
    }

    /**
     * Claims the epoch after {@code seenEpoch}, live from {@code position}, clients at
     * {@code endpoint}; retries while there is no quorum until {@code abandon} says stop (then null).
     */
    Claim claim(long seenEpoch, long position, String endpoint, BooleanSupplier abandon) throws InterruptedException {
        long start = System.nanoTime();
        progress = "claiming epoch " + (seenEpoch + 1);
        try {
            while (!abandon.getAsBoolean()) {
                try {
                    Claim claim = tiebreaker.claim(seenEpoch, site, position, endpoint);
                    progress = claim.won() ? "won epoch " + claim.record().epoch()
                            : claim.refusal() != null ? "refused: " + claim.refusal()
                            : "lost: " + claim.record().liveSite() + " is live in epoch " + claim.record().epoch();
                    return claim;
                } catch (NoQuorumException e) {
                    progress = "waiting for a ZooKeeper quorum to claim epoch " + (seenEpoch + 1) + " ("
                            + e.getMessage() + ")";
                    Thread.sleep(RETRY_MS);
                }
            }
            return null;
        } finally {
            claimNanos = System.nanoTime() - start;
        }
    }

    /**
     * Waits until the pair's epoch is past {@code epoch} and returns the record that passed it;
     * null if that did not happen within {@code timeoutMs} (or there was no quorum to ask).
     */
    io.sitepair.tiebreaker.EpochRecord awaitEpochAfter(long epoch, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            try {
                var record = tiebreaker.current();
                if (record.epoch() > epoch) {
                    return record;
                }
            } catch (NoQuorumException e) {
                progress = "waiting for a ZooKeeper quorum to see epoch " + (epoch + 1) + " (" + e.getMessage() + ")";
            }
            Thread.sleep(RETRY_MS / 4);
        }
        return null;
    }

    /** What the claim is doing or decided, for status; empty before any claim. */
    String progress() {
        return progress;
    }

    long claimMillis() {
        return claimNanos / 1_000_000;
    }

    /** A guard fencing this site's outputs on its ZooKeeper connection (it does nothing without a tiebreaker). */
    QuorumGuard guard(LongSupplier epoch, Consumer<Boolean> fenceOutputs, Consumer<String> halt) {
        QuorumGuard guard = new QuorumGuard(tiebreaker, site, epoch, fenceOutputs, halt);
        guard.start();
        return guard;
    }

    /** The quorum connection, for status. */
    String connection() {
        return tiebreaker == null ? "none (no coordination configured: this site never goes live by itself)"
                : tiebreaker.connection().name().toLowerCase(java.util.Locale.ROOT);
    }
}
