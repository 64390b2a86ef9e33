package io.sitepair.ops.lab;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The pauses a workload's clients saw: the longest time between two consecutive acknowledged
 * writes (of any client) within a window, which is what a client observes of a switchover or a
 * failover. A window opened at t and closed at u counts the pause that spans t too.
 */
public final class AcknowledgementPauses {
    private final AtomicLong lastNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong longestNanos = new AtomicLong();
    private volatile boolean open;

    /** A write was acknowledged at {@code nanos}. */
    void acknowledged(long nanos) {
        long previous = lastNanos.getAndAccumulate(nanos, Math::max);
        if (open && nanos > previous) {
            longestNanos.accumulateAndGet(nanos - previous, Math::max);
        }
    }

    /** Starts measuring the longest pause from now. */
    public void open() {
        longestNanos.set(0);
        open = true;
    }

    /**
     * Stops measuring; returns the longest pause in the window in milliseconds, counting the one
     * still running at {@code nowNanos} (no write acknowledged since).
     */
    public double close(long nowNanos) {
        open = false;
        long running = nowNanos - lastNanos.get();
        return Math.max(longestNanos.get(), running) / 1e6;
    }
}
