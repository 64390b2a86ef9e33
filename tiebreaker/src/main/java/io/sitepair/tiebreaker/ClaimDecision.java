package io.sitepair.tiebreaker;

import java.util.Set;

/**
 * How a go-live claim is decided on the record and the marks as read (steps 1 to 3 of
 * {@link Tiebreaker#claim}), so that every tiebreaker decides alike and differs only in how it
 * makes the conditional write of step 4.
 */
sealed interface ClaimDecision {
    /** Decided without a write: won (this very claim was applied already) or lost. */
    record Settled(Claim claim) implements ClaimDecision {}

    /** Won if {@code next} is written while the record and the marks are still as read. */
    record Write(EpochRecord next) implements ClaimDecision {}

    /** Reads the marks; called only when they matter, since reading them is a round trip. */
    @FunctionalInterface
    interface Marks {
        Set<String> read() throws NoQuorumException;
    }

    static ClaimDecision decide(EpochRecord now, Marks marks, long seenEpoch, String site, long position,
                                String endpoint) throws NoQuorumException {
        if (now.equals(new EpochRecord(seenEpoch + 1, site, position, endpoint))) {
            // This claim, asked again: ZooKeeper's connection loss does not say whether a write
            // was applied, and the claimant retries. The same site, from the same position, for
            // the same epoch is the same decision: it won.
            return new Settled(new Claim(true, now));
        }
        if (now.epoch() != seenEpoch) {
            return new Settled(new Claim(false, now));
        }
        if (marks.read().contains(site)) {
            return new Settled(new Claim(false, now, "site '" + site + "' has its disks marked inconsistent (a"
                    + " resync to it was under way): it cannot go live until a resync completes"));
        }
        return new Write(now.next(site, position, endpoint));
    }
}
