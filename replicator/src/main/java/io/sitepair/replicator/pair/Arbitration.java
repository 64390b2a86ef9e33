package io.sitepair.replicator.pair;

import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.Tiebreaker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A site's go-live claim through the tiebreaker. Without a quorum the claim waits, saying so in
 * {@link #progress()}; it never decides on its own. A site without a tiebreaker never claims.
 */
final class Arbitration {
    private final Tiebreaker tiebreaker;
    private final String site;
    private final QuorumRetry retry;
    private final LongSupplier nanoClock;
    private volatile String progress = "";
    private volatile long claimNanos;

    Arbitration(Tiebreaker tiebreaker, String site) {
        this(tiebreaker, site, QuorumRetry.SYSTEM, System::nanoTime);
    }

    /** For a simulation: its retries and its clock. */
    Arbitration(Tiebreaker tiebreaker, String site, QuorumRetry retry, LongSupplier nanoClock) {
        this.tiebreaker = tiebreaker;
        this.site = site;
        this.retry = retry;
        this.nanoClock = nanoClock;
    }

    boolean enabled() {
        return tiebreaker != null;
    }

    /**
     * Claims the epoch after {@code seenEpoch}, live from {@code position}, clients at
     * {@code endpoint}; asks again while there is no quorum until {@code abandon} says stop (then
     * completes with null).
     */
    CompletableFuture<Claim> claim(long seenEpoch, long position, String endpoint, BooleanSupplier abandon) {
        long start = nanoClock.getAsLong();
        progress = "claiming epoch " + (seenEpoch + 1);
        return retry.until(() -> tiebreaker.claim(seenEpoch, site, position, endpoint), abandon,
                e -> progress = "waiting for a ZooKeeper quorum to claim epoch " + (seenEpoch + 1) + " ("
                        + e.getMessage() + ")").whenComplete((claim, failure) -> {
            claimNanos = nanoClock.getAsLong() - start;
            if (claim != null) {
                progress = claim.won() ? "won epoch " + claim.record().epoch()
                        : claim.refusal() != null ? "refused: " + claim.refusal()
                        : "lost: " + claim.record().liveSite() + " is live in epoch " + claim.record().epoch();
            }
        });
    }

    /**
     * The record that passes the pair's epoch beyond {@code epoch}, once the quorum shows it; null
     * if that did not happen within {@code timeoutMs}.
     */
    CompletableFuture<EpochRecord> epochAfter(long epoch, long timeoutMs) {
        // The timeout completes the retry's own future, which stops it asking.
        return retry.until(() -> {
            EpochRecord record = tiebreaker.current();
            return record.epoch() > epoch ? record : null;
        }, () -> false, e -> progress = "waiting for a ZooKeeper quorum to see epoch " + (epoch + 1) + " ("
                + e.getMessage() + ")").completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** What the claim is doing or decided, for status; empty before any claim. */
    String progress() {
        return progress;
    }

    long claimMillis() {
        return claimNanos / 1_000_000;
    }

    /** A guard fencing this site's outputs on its ZooKeeper connection (it does nothing without a tiebreaker). */
    QuorumGuard guard(LongSupplier epoch, QuorumGuard.Fence fence, Consumer<String> halt) {
        QuorumGuard guard = new QuorumGuard(tiebreaker, site, epoch, fence, halt, retry);
        guard.start();
        return guard;
    }

    /** The quorum connection, for status. */
    String connection() {
        return tiebreaker == null ? "none (no coordination configured: this site never goes live by itself)"
                : tiebreaker.connection().name().toLowerCase(java.util.Locale.ROOT);
    }
}
