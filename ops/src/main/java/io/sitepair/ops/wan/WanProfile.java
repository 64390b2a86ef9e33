package io.sitepair.ops.wan;

import io.sitepair.ops.config.Units;
import java.time.Duration;
import java.util.Objects;

/**
 * What the emulated link does to each direction: a one-way propagation delay and a bandwidth cap
 * in bits per second (0 = unlimited).
 */
public record WanProfile(Duration forwardDelay, Duration reverseDelay, long forwardBitsPerSecond,
        long reverseBitsPerSecond) {

    /** No delay, no cap: a plain TCP relay. */
    public static final WanProfile NONE = new WanProfile(Duration.ZERO, Duration.ZERO, 0, 0);

    public WanProfile {
        Objects.requireNonNull(forwardDelay, "forwardDelay");
        Objects.requireNonNull(reverseDelay, "reverseDelay");
        if (forwardDelay.isNegative() || reverseDelay.isNegative()) {
            throw new IllegalArgumentException("a delay cannot be negative");
        }
        if (forwardBitsPerSecond < 0 || reverseBitsPerSecond < 0) {
            throw new IllegalArgumentException("a rate cannot be negative (0 means unlimited)");
        }
    }

    /** The same delay and cap both ways. */
    public static WanProfile symmetric(Duration oneWayDelay, long bitsPerSecond) {
        return new WanProfile(oneWayDelay, oneWayDelay, bitsPerSecond, bitsPerSecond);
    }

    /** A round-trip time split evenly between the two directions, the same cap both ways. */
    public static WanProfile rtt(Duration rtt, long bitsPerSecond) {
        return symmetric(rtt.dividedBy(2), bitsPerSecond);
    }

    public Duration delay(Direction d) {
        return d == Direction.FORWARD ? forwardDelay : reverseDelay;
    }

    public long bitsPerSecond(Direction d) {
        return d == Direction.FORWARD ? forwardBitsPerSecond : reverseBitsPerSecond;
    }

    /** This profile with a new one-way delay for both directions. */
    public WanProfile withDelay(Duration oneWay) {
        return new WanProfile(oneWay, oneWay, forwardBitsPerSecond, reverseBitsPerSecond);
    }

    /** This profile with a new cap for both directions. */
    public WanProfile withRate(long bitsPerSecond) {
        return new WanProfile(forwardDelay, reverseDelay, bitsPerSecond, bitsPerSecond);
    }

    /** Bytes a direction holds "on the wire" when it runs at its cap; 0 when uncapped. */
    public long bandwidthDelayBytes(Direction d) {
        long rate = bitsPerSecond(d);
        if (rate == 0) {
            return 0;
        }
        // bits/s * ns / 8e9, in double: exactness does not matter for a buffer bound
        return (long) Math.min(Long.MAX_VALUE / 2.0, rate / 8.0 * delay(d).toNanos() / 1e9);
    }

    @Override
    public String toString() {
        return "delay " + Units.formatDuration(forwardDelay) + "/" + Units.formatDuration(reverseDelay)
                + ", rate " + Units.formatBitsPerSecond(forwardBitsPerSecond) + "/" + Units.formatBitsPerSecond(reverseBitsPerSecond)
                + " (forward/reverse)";
    }
}
