package io.sitepair.ops.lab;

/**
 * The pauses a workload's clients saw: the longest time between two consecutive acknowledged
 * writes (of any client) within a window, which is what a client observes of a switchover or a
 * failover. A window opened at t and closed at u counts the pause that spans t too.
 */
public final class AcknowledgementPauses {
    private long lastNanos = System.nanoTime();
    private Pause longest;
    private boolean open;

    /** The time between two consecutive acknowledged writes, as System.nanoTime values. */
    public record Pause(long startedNanos, long endedNanos) {
        public double millis() {
            return (endedNanos - startedNanos) / 1e6;
        }
    }

    /** A write was acknowledged at {@code nanos}. */
    synchronized void acknowledged(long nanos) {
        long previous = lastNanos;
        if (nanos - previous <= 0) {
            return; // another client's acknowledgement, seen later, that came first
        }
        lastNanos = nanos;
        if (open && (longest == null || nanos - previous > longest.endedNanos() - longest.startedNanos())) {
            longest = new Pause(previous, nanos);
        }
    }

    /** Starts measuring the longest pause from now. */
    public synchronized void open() {
        longest = null;
        open = true;
    }

    /**
     * The longest pause of the window that has ended so far: the acknowledgement that ended it is
     * when the clients resumed. Null if no write was acknowledged since the window opened.
     */
    public synchronized Pause longest() {
        return longest;
    }

    /**
     * Stops measuring; returns the longest pause in the window in milliseconds, counting the one
     * still running at {@code nowNanos} (no write acknowledged since).
     */
    public synchronized double close(long nowNanos) {
        open = false;
        double running = (nowNanos - lastNanos) / 1e6;
        return Math.max(longest == null ? 0 : longest.millis(), running);
    }
}
