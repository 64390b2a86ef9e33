package io.sitepair.ops.metrics;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value asked of its source at most once per period, however many ask: the first caller after
 * the period asks, callers meanwhile wait for that one and share its answer. A scrape reads dozens
 * of gauges, and each would otherwise ask the site's event loop for its status, or probe the
 * quorum, on its own; the dashboard's viewers share one look at the pair. Time is injected
 * ({@code nanoClock}, as {@link System#nanoTime}).
 */
public final class Cached<T> implements Supplier<T> {
    private final Supplier<T> source;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private T value;
    private long askedNanos;

    public Cached(Supplier<T> source, Duration period, LongSupplier nanoClock) {
        this.source = source;
        this.periodNanos = period.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public synchronized T get() {
        long now = nanoClock.getAsLong();
        if (value == null || now - askedNanos >= periodNanos) {
            value = source.get();
            askedNanos = now; // when it was asked, not answered: a slow source does not delay the next
        }
        return value;
    }
}
