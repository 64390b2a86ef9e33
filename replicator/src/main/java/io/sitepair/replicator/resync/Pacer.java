package io.sitepair.replicator.resync;

/**
 * A token bucket limiting a resync's bytes on the wire to a rate, with a burst of a tenth of a
 * second (at least 256 KiB; a message may overdraw it, and the next waits longer), so the link's
 * other users see a steady stream rather than bursts.
 * The rate can change while it runs. Not thread-safe: used on one event loop.
 */
final class Pacer {
    private static final long MIN_BURST = 256L << 10;

    private long rate; // bytes per second; 0: unlimited
    private double tokens;
    private long lastNanos = System.nanoTime();

    Pacer(long bytesPerSecond) {
        setRate(bytesPerSecond);
    }

    void setRate(long bytesPerSecond) {
        refill(System.nanoTime());
        rate = bytesPerSecond;
        tokens = Math.min(tokens, burst());
    }

    long rate() {
        return rate;
    }

    /** How long to wait before sending more (0: now). */
    long waitNanos() {
        if (rate == 0) {
            return 0;
        }
        refill(System.nanoTime());
        return tokens >= 0 ? 0 : (long) (-tokens * 1e9 / rate);
    }

    /** {@code bytes} went onto the wire. */
    void spent(long bytes) {
        if (rate != 0) {
            tokens -= bytes;
        }
    }

    private void refill(long now) {
        if (rate != 0) {
            tokens = Math.min(burst(), tokens + (now - lastNanos) * (double) rate / 1e9);
        }
        lastNanos = now;
    }

    private double burst() {
        return Math.max(MIN_BURST, rate / 10.0);
    }
}
