package io.sitepair.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.NicStatus;
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

    @Test
    void aServingSiteInNetworkModeNicExportsItsNicsFiguresAndOneInSocketModeNone() {
        status.set(PrimaryStatus.header("a", Role.PRIMARY, "serving", 4, "127.0.0.1:6379"));
        Exposition socket = scrape();
        assertTrue(Double.isNaN(socket.value("sitepair_nic_link_up")));
        assertTrue(Double.isNaN(socket.value("sitepair_nic_connections")));
        assertEquals(0, socket.value("sitepair_nic_frames_total", "direction", "in"));
        assertEquals(0, socket.value("sitepair_nic_dropped_frames_total", "where", "guest", "reason", "checksum"));

        NicStatus nic = new NicStatus("splab-a-tap", "splab-a", "10.77.0.10/24", 6379, "02:00:5e:10:00:0a", true,
                new NicStatus.TapCounters(120, 9000, 110, 8000, 1, 2), new NicStatus.HostDropped(3, 4),
                new NicStatus.Guest(119, 110, 5, 7, 8, 2, 1, 6, 12, 9, 4096,
                        Map.of("malformed", 10L, "checksum", 13L, "not_for_us", 11L, "fragment", 14L,
                                "unsupported", 15L)));
        status.set(new PrimaryStatus("a", Role.PRIMARY, "serving", 4L, "10.77.0.10:6379", nic, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null));
        now[0] += SiteMetrics.SNAPSHOT.toNanos();
        Exposition scraped = scrape();
        assertEquals(1, scraped.value("sitepair_nic_link_up"));
        assertEquals(120, scraped.value("sitepair_nic_frames_total", "direction", "in"));
        assertEquals(110, scraped.value("sitepair_nic_frames_total", "direction", "out"));
        assertEquals(9000, scraped.value("sitepair_nic_bytes_total", "direction", "in"));
        assertEquals(8000, scraped.value("sitepair_nic_bytes_total", "direction", "out"));
        assertEquals(1, scraped.value("sitepair_nic_dropped_frames_total", "where", "tap", "reason", "in"));
        assertEquals(2, scraped.value("sitepair_nic_dropped_frames_total", "where", "tap", "reason", "out"));
        assertEquals(3, scraped.value("sitepair_nic_dropped_frames_total", "where", "host", "reason", "oversized"));
        assertEquals(4, scraped.value("sitepair_nic_dropped_frames_total", "where", "host", "reason", "unsent"));
        assertEquals(10, scraped.value("sitepair_nic_dropped_frames_total", "where", "guest", "reason", "malformed"));
        assertEquals(13, scraped.value("sitepair_nic_dropped_frames_total", "where", "guest", "reason", "checksum"));
        assertEquals(11, scraped.value("sitepair_nic_dropped_frames_total", "where", "guest", "reason", "not_for_us"));
        assertEquals(14, scraped.value("sitepair_nic_dropped_frames_total", "where", "guest", "reason", "fragment"));
        assertEquals(15, scraped.value("sitepair_nic_dropped_frames_total", "where", "guest", "reason",
                "unsupported"));
        assertEquals(5, scraped.value("sitepair_nic_connections"));
        assertEquals(4096, scraped.value("sitepair_nic_buffer_bytes"));
        assertEquals(7, scraped.value("sitepair_nic_connections_accepted_total"));
        assertEquals(9, scraped.value("sitepair_nic_refused_connections_total"));
        assertEquals(8, scraped.value("sitepair_nic_retransmits_total"));
        assertEquals(2, scraped.value("sitepair_nic_fast_retransmits_total"));
        assertEquals(1, scraped.value("sitepair_nic_connection_timeouts_total"));
        assertEquals(6, scraped.value("sitepair_nic_resets_sent_total"));
        assertEquals(12, scraped.value("sitepair_nic_resets_received_total"));
    }

    private Exposition scrape() {
        return new Exposition(registry.scrape());
    }
}
