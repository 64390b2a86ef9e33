package io.sitepair.replicator.pair;

/** Bytes per second of a growing counter, over the last sampling period. */
final class ByteRate {
    private long lastTotal;
    private long lastNanos = System.nanoTime();
    private volatile double perSecond;

    void sample(long total) {
        long now = System.nanoTime();
        long elapsed = now - lastNanos;
        if (elapsed > 0) {
            perSecond = (total - lastTotal) * 1e9 / elapsed;
        }
        lastTotal = total;
        lastNanos = now;
    }

    double mbitPerSecond() {
        return perSecond * 8 / 1e6;
    }
}
