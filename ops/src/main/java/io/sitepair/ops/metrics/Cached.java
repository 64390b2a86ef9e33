package io.sitepair.ops.metrics;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value asked of its source at most once per period: a scrape reads dozens of gauges, and each
 * would otherwise ask the site's event loop for its status, or probe the quorum, on its own.
 * Time is injected ({@code nanoClock}, as {@link System#nanoTime}).
 */
final class Cached<T> implements Supplier<T> {
    private final Supplier<T> source;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private T value;
    private long askedNanos;

    Cached(Supplier<T> source, Duration period, LongSupplier nanoClock) {
        this.source = source;
        this.periodNanos = period.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public synchronized T get() {
        long now = nanoClock.getAsLong();
        if (value == null || now - askedNanos >= periodNanos) {
            value = source.get();
            askedNanos = now;
        }
        return value;
    }
}
