package io.sitepair.replicator.pair;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Execution-lag control (paper section 3.2). The primary knows when it logged each batch and
 * which position the backup has replayed, so it knows how far behind, in time, the backup is.
 * Above the target it slows its own event delivery a few percent per step, and speeds up again
 * a few percent per step once the lag is below half the target: a slow loop, so a brief hiccup
 * on the backup does not make the primary oscillate.
 *
 * <p>A slowdown {@code s} makes delivery pause for {@code busy * s / (1 - s)} after each burst of
 * {@code busy} handler time, i.e. the guest gets {@code 1 - s} of the time it would have had.
 * Confined to the primary's loop thread.
 */
final class LagControl {
    static final double STEP = 0.05;
    static final double MAX_SLOWDOWN = 0.95;

    private record Logged(long last, long firstTimestamp) {}

    private final long targetNanos;
    private final ArrayDeque<Logged> unreplayed = new ArrayDeque<>();
    private double slowdown;
    private long lagNanos;

    LagControl(Duration target) {
        this.targetNanos = target.toNanos();
    }

    /** Entries up to {@code last} were shipped; the first of them was logged at {@code firstTimestamp}. */
    void shipped(long last, long firstTimestamp) {
        unreplayed.add(new Logged(last, firstTimestamp));
    }

    /** The backup has replayed up to {@code position}. */
    void replayed(long position) {
        while (!unreplayed.isEmpty() && unreplayed.peek().last() <= position) {
            unreplayed.poll();
        }
    }

    /** One step of the feedback loop; call at a fixed period. */
    void adjust(long nowNanos) {
        lagNanos = unreplayed.isEmpty() ? 0 : Math.max(0, nowNanos - unreplayed.peek().firstTimestamp());
        if (lagNanos > targetNanos) {
            slowdown = Math.min(MAX_SLOWDOWN, slowdown + STEP);
        } else if (lagNanos < targetNanos / 2) {
            slowdown = Math.max(0, slowdown - STEP);
        }
    }

    /** The backup is disconnected: no slowdown until it is back and measured again. */
    void reset() {
        slowdown = 0;
        lagNanos = 0;
    }

    /** How long to pause delivery after {@code busyNanos} of handler time. */
    long pauseAfter(long busyNanos) {
        return slowdown <= 0 ? 0 : (long) (busyNanos * slowdown / (1 - slowdown));
    }

    double slowdown() {
        return slowdown;
    }

    long lagMillis() {
        return lagNanos / 1_000_000;
    }
}
