package io.sitepair.ops.site.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutputHoldTest {
    @Test
    void notMeasuredWithoutTheTimerOrBeforeItsFirstOutput() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertNull(OutputHold.of(registry));
        assertNull(OutputHold.of(null));
        Timer.builder(OutputHold.TIMER).publishPercentiles(0.5, 0.99).register(registry);
        assertNull(OutputHold.of(registry));
    }

    @Test
    void fromPublishedPercentiles() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Timer timer = Timer.builder(OutputHold.TIMER).publishPercentiles(0.5, 0.99).register(registry);
        for (int i = 1; i <= 100; i++) {
            timer.record(Duration.ofMillis(i));
        }
        OutputHold hold = OutputHold.of(registry);
        assertEquals(100, hold.count());
        assertTrue(hold.p50Ms() > 45 && hold.p50Ms() < 55, hold.toString());
        assertTrue(hold.p99Ms() > 95 && hold.p99Ms() < 105, hold.toString());
        assertEquals(false, hold.upperBound());
    }

    @Test
    void fromHistogramBucketsAsTheBoundThatCoversThePercentile() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Timer timer = Timer.builder(OutputHold.TIMER)
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100))
                .register(registry);
        for (int i = 0; i < 98; i++) {
            timer.record(Duration.ofNanos(500_000));
        }
        timer.record(Duration.ofMillis(50));
        timer.record(Duration.ofMillis(60));
        OutputHold hold = OutputHold.of(registry);
        assertEquals(1.0, hold.p50Ms());
        assertEquals(100.0, hold.p99Ms());
        assertTrue(hold.upperBound());
    }
}
