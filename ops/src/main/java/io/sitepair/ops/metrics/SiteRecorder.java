package io.sitepair.ops.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.sitepair.replicator.metrics.SiteMeters;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * What the site records as things happen ({@link SiteMeters}), kept for the life of the process:
 * lifetime counts in {@link LongAdder}s, the last failover's and verify's figures, and the two
 * latency histograms (an output's hold under the Output Rule, an fsync round). The histograms are
 * Micrometer timers of every registry {@link SiteMetrics} binds; before the first bind, timings
 * are dropped.
 */
public final class SiteRecorder implements SiteMeters {
    /** The Output Rule's hold-time timer (Prometheus: {@code sitepair_output_hold_seconds}), which the dashboard reads too. */
    public static final String OUTPUT_HOLD = "sitepair.output.hold";
    private static final Duration FASTEST = Duration.ofNanos(10_000);
    private static final Duration SLOWEST = Duration.ofSeconds(30);

    private final LongAdder diskWrites = new LongAdder();
    private final LongAdder diskFlushes = new LongAdder();
    private final LongAdder guestFaults = new LongAdder();
    private final LongAdder divergences = new LongAdder();
    private final LongAdder stateChecksPassed = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder switchovers = new LongAdder();
    private final LongAdder reprotections = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder cleanVerifies = new LongAdder();
    private final LongAdder differingVerifies = new LongAdder();
    private volatile Failover lastFailover;
    private volatile long lastVerifyDiffering = -1;
    // Arrays, not lists: a release iterates without allocating. Written only by bind.
    private volatile Timer[] outputHolds = new Timer[0];
    private volatile Timer[] fsyncs = new Timer[0];

    @Override
    public void outputReleased(long heldNanos) {
        for (Timer timer : outputHolds) {
            timer.record(heldNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void disksFlushed(long nanos) {
        diskFlushes.increment();
        for (Timer timer : fsyncs) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void diskWritten() {
        diskWrites.increment();
    }

    @Override
    public void guestFaulted() {
        guestFaults.increment();
    }

    @Override
    public void diverged() {
        divergences.increment();
    }

    @Override
    public void stateCheckPassed() {
        stateChecksPassed.increment();
    }

    @Override
    public void failedOver(Failover took) {
        lastFailover = took;
        failovers.increment();
    }

    @Override
    public void switchedOver() {
        switchovers.increment();
    }

    @Override
    public void reprotected() {
        reprotections.increment();
    }

    @Override
    public void resynced() {
        resyncs.increment();
    }

    @Override
    public void verified(long differingBlocks) {
        lastVerifyDiffering = differingBlocks;
        (differingBlocks == 0 ? cleanVerifies : differingVerifies).increment();
    }

    /** Registers this recorder's meters in {@code registry} with {@code tags}. */
    synchronized void bindTo(MeterRegistry registry, Tags tags) {
        outputHolds = with(outputHolds, histogram(OUTPUT_HOLD, "how long an output was held before it"
                + " left: for the backup's acknowledgement (the Output Rule), its disk flush, the quorum", tags,
                registry));
        fsyncs = with(fsyncs, histogram("sitepair.disk.fsync", "one fsync round of the site's disks", tags, registry));
        counter(registry, tags, "sitepair.disk.writes", "guest writes to the site's disks", diskWrites);
        counter(registry, tags, "sitepair.disk.flushes", "fsync rounds of the site's disks", diskFlushes);
        counter(registry, tags, "sitepair.guest.faults", "guest traps (the site halts)", guestFaults);
        counter(registry, tags, "sitepair.divergences", "replay divergences this site detected as the backup",
                divergences);
        counter(registry, tags, "sitepair.state.checks.passed", "primary state checks this backup's replay matched",
                stateChecksPassed);
        counter(registry, tags, "sitepair.failovers", "times this site went live after its primary failed", failovers);
        counter(registry, tags, "sitepair.switchovers", "times this site went live by a planned switchover",
                switchovers);
        counter(registry, tags, "sitepair.reprotections", "returning sites this live site protected again",
                reprotections);
        counter(registry, tags, "sitepair.resyncs", "copies this site received in full as the returning site",
                resyncs);
        counter(registry, tags.and("result", "clean"), "sitepair.verifies", "online verifies, by result",
                cleanVerifies);
        counter(registry, tags.and("result", "differing"), "sitepair.verifies", "online verifies, by result",
                differingVerifies);
        gauge(registry, tags, "sitepair.last.verify.differing.blocks", "blocks the last online verify found"
                + " differing", r -> r.lastVerifyDiffering < 0 ? Double.NaN : r.lastVerifyDiffering);
        gauge(registry, tags, "sitepair.last.failover.detection.seconds", "the last failover's detection (the"
                + " failure timeout)", r -> failoverSeconds(Failover::detectionMs));
        gauge(registry, tags, "sitepair.last.failover.replay.seconds", "the last failover's replay of what was"
                + " received", r -> failoverSeconds(Failover::replayMs));
        gauge(registry, tags, "sitepair.last.failover.arbitration.seconds", "the last failover's epoch claim in the"
                + " quorum", r -> failoverSeconds(Failover::arbitrationMs));
    }

    private double failoverSeconds(ToDoubleFunction<Failover> part) {
        Failover last = lastFailover;
        return last == null ? Double.NaN : part.applyAsDouble(last) / 1000;
    }

    private static Timer histogram(String name, String description, Tags tags, MeterRegistry registry) {
        return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram()
                .minimumExpectedValue(FASTEST).maximumExpectedValue(SLOWEST).register(registry);
    }

    /** {@code timers} and {@code added}, once: a registry bound again returns the timer it holds. */
    private static Timer[] with(Timer[] timers, Timer added) {
        if (Arrays.asList(timers).contains(added)) {
            return timers;
        }
        Timer[] more = Arrays.copyOf(timers, timers.length + 1);
        more[timers.length] = added;
        return more;
    }

    private static void counter(MeterRegistry registry, Tags tags, String name, String description, LongAdder count) {
        FunctionCounter.builder(name, count, LongAdder::sum).description(description).tags(tags)
                .register(registry);
    }

    private void gauge(MeterRegistry registry, Tags tags, String name, String description,
                       ToDoubleFunction<SiteRecorder> value) {
        Gauge.builder(name, this, value).description(description).tags(tags).strongReference(true)
                .register(registry);
    }
}
