package io.sitepair.ops.site.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.sitepair.ops.metrics.SiteRecorder;
import java.util.concurrent.TimeUnit;

/**
 * The Output Rule's added latency (how long outputs were held for the backup's acknowledgement):
 * p50 and p99 of the {@value #TIMER} timer. From the percentiles it publishes if it does; else from
 * its histogram buckets, as the bucket bound that covers the percentile ({@code upperBound} true).
 */
record OutputHold(double p50Ms, double p99Ms, long count, boolean upperBound) {
    static final String TIMER = SiteRecorder.OUTPUT_HOLD;

    /** The figures, or null if the timer is not registered or has timed nothing yet. */
    static OutputHold of(MeterRegistry registry) {
        Timer timer = registry == null ? null : registry.find(TIMER).timer();
        if (timer == null) {
            return null;
        }
        HistogramSnapshot snapshot = timer.takeSnapshot();
        if (snapshot.count() == 0) {
            return null;
        }
        Double p50 = published(snapshot, 0.5);
        Double p99 = published(snapshot, 0.99);
        if (p50 != null && p99 != null) {
            return new OutputHold(p50, p99, snapshot.count(), false);
        }
        CountAtBucket[] buckets = snapshot.histogramCounts();
        if (buckets.length == 0) {
            return null;
        }
        return new OutputHold(bucketBound(buckets, snapshot.count(), 0.5), bucketBound(buckets, snapshot.count(), 0.99),
                snapshot.count(), true);
    }

    private static Double published(HistogramSnapshot snapshot, double percentile) {
        for (ValueAtPercentile value : snapshot.percentileValues()) {
            if (value.percentile() == percentile) {
                return value.value(TimeUnit.MILLISECONDS);
            }
        }
        return null;
    }

    /** The bound of the first bucket holding {@code percentile} of {@code count} (buckets counted cumulatively). */
    private static double bucketBound(CountAtBucket[] buckets, long count, double percentile) {
        for (CountAtBucket bucket : buckets) {
            if (bucket.count() >= percentile * count) {
                return bucket.bucket(TimeUnit.MILLISECONDS);
            }
        }
        return buckets[buckets.length - 1].bucket(TimeUnit.MILLISECONDS);
    }
}
