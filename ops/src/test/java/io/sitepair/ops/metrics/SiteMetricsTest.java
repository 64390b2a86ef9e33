package io.sitepair.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StartingStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SiteMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SiteRecorder recorder = new SiteRecorder();
    private final AtomicReference<SiteStatus> status = new AtomicReference<>(StartingStatus.waiting("a", "starting"));
    private final AtomicInteger asked = new AtomicInteger();
    private final long[] now = {0};

    SiteMetricsTest() {
        new SiteMetrics("lab", "a", () -> {
            asked.incrementAndGet();
            return status.get();
        }, recorder, Duration.ofSeconds(1), null, Map.of(), () -> now[0]).bindTo(registry);
    }

    @Test
    void scrapesWithinTheSnapshotsLifeReadOneStatusAndALaterOneReadsTheNewRole() {
        Exposition first = scrape();
        assertEquals(1, first.value("sitepair_role", "role", "starting"));
        assertTrue(Double.isNaN(first.value("sitepair_epoch")), "a starting site has no epoch yet");
        status.set(PrimaryStatus.header("a", Role.PRIMARY, "serving", 4, "127.0.0.1:6379"));
        now[0] += SiteMetrics.SNAPSHOT.toNanos() - 1;
        assertEquals(1, scrape().value("sitepair_role", "role", "starting"), "the snapshot still serves");
        assertEquals(1, asked.get(), "two scrapes within the snapshot's life ask once");
        now[0] += 1;
        Exposition later = scrape();
        assertEquals(2, asked.get());
        assertEquals(1, later.value("sitepair_role", "role", "primary"));
        assertEquals(0, later.value("sitepair_role", "role", "starting"));
        assertEquals(4, later.value("sitepair_epoch"));
    }

    @Test
    void theRecordersCountsAndTheLastFailoverAreExported() {
        assertTrue(Double.isNaN(scrape().value("sitepair_last_failover_replay_seconds")), "before any failover");
        recorder.failedOver(new SiteMeters.Failover(1000, 250, 40));
        recorder.verified(0);
        recorder.verified(3);
        recorder.verified(0);
        recorder.outputReleased(Duration.ofMillis(2).toNanos());
        Exposition scraped = scrape();
        assertEquals(1, scraped.value("sitepair_failovers_total"));
        assertEquals(1.0, scraped.value("sitepair_last_failover_detection_seconds"));
        assertEquals(0.25, scraped.value("sitepair_last_failover_replay_seconds"));
        assertEquals(0.04, scraped.value("sitepair_last_failover_arbitration_seconds"));
        assertEquals(2, scraped.value("sitepair_verifies_total", "result", "clean"));
        assertEquals(1, scraped.value("sitepair_verifies_total", "result", "differing"));
        assertEquals(0, scraped.value("sitepair_last_verify_differing_blocks"));
        assertEquals(1, scraped.value("sitepair_output_hold_seconds_count"));
        assertEquals(0.002, scraped.value("sitepair_output_hold_seconds_sum"), 1e-9);
    }

    private Exposition scrape() {
        return new Exposition(registry.scrape());
    }
}
