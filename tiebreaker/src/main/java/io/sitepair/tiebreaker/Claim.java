package io.sitepair.tiebreaker;

/**
 * The outcome of a go-live claim: won (this site is live in {@code record}'s epoch) or lost (another
 * claim, or an epoch this site had not seen, came first; {@code record} is what holds now).
 */
public record Claim(boolean won, EpochRecord record) {}
