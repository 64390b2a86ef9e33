package io.sitepair.ops.site.http;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value made again at most once per {@code interval}, however many ask: the first caller after
 * the interval makes it, callers meanwhile wait for that one and share it. Time is {@code nanoTime}'s.
 */
final class Refreshed<T> {
    private final Duration interval;
    private final LongSupplier nanoTime;
    private final Supplier<T> source;
    private T value;
    private long madeAt;

    Refreshed(Duration interval, LongSupplier nanoTime, Supplier<T> source) {
        this.interval = interval;
        this.nanoTime = nanoTime;
        this.source = source;
    }

    synchronized T get() {
        long now = nanoTime.getAsLong();
        if (value == null || now - madeAt >= interval.toNanos()) {
            madeAt = now; // from when it was asked: a slow source does not make the next one earlier
            value = source.get();
        }
        return value;
    }
}
