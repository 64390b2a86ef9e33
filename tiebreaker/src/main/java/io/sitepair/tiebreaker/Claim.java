package io.sitepair.tiebreaker;

/**
 * The outcome of a go-live claim: won (this site is live in {@code record}'s epoch) or lost (another
 * claim, or an epoch this site had not seen, came first; {@code record} is what holds now).
 * {@code refusal} is set when the claim was refused for the claimant itself: its disks are marked
 * inconsistent (a resync was under way), so it must not go live whoever else does.
 */
public record Claim(boolean won, EpochRecord record, String refusal) {
    public Claim(boolean won, EpochRecord record) {
        this(won, record, null);
    }
}
