package io.sitepair.replicator.resync;

/**
 * How the live site resyncs a returning peer.
 *
 * @param rateBytesPerSecond the limit on the resync's bytes on the wire, per second; 0: none (TCP's pace)
 * @param manualStart true: a planned resync waits for an operator ({@code sitepair resync}); false: it starts at once
 */
public record ResyncPolicy(long rateBytesPerSecond, boolean manualStart) {
    public static final ResyncPolicy DEFAULTS = new ResyncPolicy(0, false);

    public ResyncPolicy {
        if (rateBytesPerSecond < 0) {
            throw new IllegalArgumentException("a resync rate cannot be negative: " + rateBytesPerSecond);
        }
    }
}
