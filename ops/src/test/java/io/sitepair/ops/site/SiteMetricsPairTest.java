package io.sitepair.ops.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sitepair.ops.config.Guests;
import io.sitepair.ops.config.LabConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.ops.metrics.Exposition;
import io.sitepair.ops.metrics.SiteMetrics;
import io.sitepair.ops.metrics.SiteRecorder;
import io.sitepair.replicator.pair.PairSite;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TlsIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A real pair in this JVM (the lab's configuration with TLS, without coordination), each site's
 * metrics bound to a Prometheus registry: after client traffic, a scrape shows the figures of the
 * status it read, and what the recorder counted on the site's paths.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SiteMetricsPairTest {
    @TempDir
    Path dir;

    @Test
    void aScrapeShowsTheStatusItReadAndWhatTheSitesRecorded() throws Exception {
        Path file = LabConfig.write(dir, true);
        String yaml = Files.readString(file);
        Files.writeString(file, yaml.substring(0, yaml.indexOf("\ncoordination:") + 1)
                .replace("state-check-interval: 5s", "state-check-interval: 200ms"));
        PairConfig pair = PairConfigParser.load(file);
        Sited b = new Sited(pair, "b");
        Sited a = new Sited(pair, "a");
        try {
            await(a.site::status, SiteStatus::pairProtected);
            try (Jedis client = new Jedis(pair.site("a").service().getHostString(), pair.site("a").service().getPort())) {
                for (int i = 0; i < 300; i++) {
                    assertEquals("OK", client.set("key" + i, "value" + i));
                }
            }
            // Quiet and caught up: the figures hold still between the status and the scrape's other meters.
            await(a.site::status, s -> {
                PrimaryStatus.Positions p = ((PrimaryStatus) s).positions();
                return p.replayed() == p.logged() && ((PrimaryStatus) s).heldOutputs() == 0;
            });
            await(() -> b.recorderSays("sitepair_state_checks_passed_total"), passed -> passed > 0);

            Exposition scraped = a.scrape();
            PrimaryStatus primary = assertInstanceOf(PrimaryStatus.class, a.lastStatus.get());
            String[] at = {"pair", "lab", "site", "a"};
            assertEquals(1, scraped.value("sitepair_role", "role", "primary", "site", "a"));
            assertEquals(0, scraped.value("sitepair_role", "role", "backup", "site", "a"));
            assertEquals(primary.epoch().doubleValue(), scraped.value("sitepair_epoch", at));
            assertEquals(1, scraped.value("sitepair_protected", at));
            assertEquals(0, scraped.value("sitepair_fenced", at));
            assertEquals(primary.positions().logged(), scraped.value("sitepair_log_logged_position", at));
            assertEquals(primary.positions().sent(), scraped.value("sitepair_log_sent_position", at));
            assertEquals(primary.positions().acknowledged(), scraped.value("sitepair_log_acknowledged_position", at));
            assertEquals(primary.positions().replayed(), scraped.value("sitepair_log_replayed_position", at));
            assertEquals(primary.logging().rawBytes(), scraped.value("sitepair_log_raw_bytes_total", at));
            assertEquals(primary.logging().wireBytes(), scraped.value("sitepair_log_wire_bytes_total", at));
            assertEquals(primary.logging().batches(), scraped.value("sitepair_log_batches_total", at));
            assertTrue(primary.logging().batches() > 0, "the log went in batches");
            assertEquals(primary.logging().compressionRatio(), scraped.value("sitepair_log_compression_ratio", at));
            assertEquals(primary.events().doubleValue(), scraped.value("sitepair_events_delivered_total", at));
            assertEquals(primary.lagMs() / 1000.0, scraped.value("sitepair_replay_lag_seconds", at));
            assertEquals(1.0, scraped.value("sitepair_replay_lag_target_seconds", at));
            long released = primary.releasedOutputsByEpoch().values().stream().mapToLong(Long::longValue).sum();
            assertTrue(released >= 300, "every reply left: " + released);
            assertEquals(released, scraped.value("sitepair_outputs_released_total", at));
            assertEquals(released, scraped.value("sitepair_output_hold_seconds_count", at),
                    "every released output is in the Output Rule's histogram");
            assertTrue(scraped.value("sitepair_output_hold_seconds_bucket", "site", "a", "le", "+Inf") >= 300);
            assertTrue(scraped.value("sitepair_disk_writes_total", at) > 0, "the KV guest wrote its disk");
            assertTrue(scraped.value("sitepair_disk_fsync_seconds_count", at) > 0, "and flushed it");
            assertEquals(scraped.value("sitepair_disk_flushes_total", at),
                    scraped.value("sitepair_disk_fsync_seconds_count", at));
            assertEquals(primary.disks().activityLogWrites(), scraped.value("sitepair_block_map_writes_total", at));
            assertEquals(PemFiles.readCertificates(pair.tls().files("a").certificate()).getFirst().getNotAfter()
                    .toInstant().getEpochSecond(), scraped.value("sitepair_certificate_expiry_timestamp_seconds",
                    "site", "a", "certificate", "site"));
            assertTrue(Double.isNaN(scraped.value("sitepair_quorum_reachable", at)), "no coordination configured");

            Exposition backupScraped = b.scrape();
            BackupStatus backup = assertInstanceOf(BackupStatus.class, b.lastStatus.get());
            String[] atB = {"pair", "lab", "site", "b"};
            assertEquals(1, backupScraped.value("sitepair_role", "role", "backup", "site", "b"));
            assertEquals(backup.epoch().doubleValue(), backupScraped.value("sitepair_epoch", atB));
            assertTrue(Double.isNaN(backupScraped.value("sitepair_protected", atB)), "a backup serves nothing");
            assertEquals(backup.positions().received(), backupScraped.value("sitepair_log_received_position", atB));
            assertEquals(backup.positions().replayed(), backupScraped.value("sitepair_log_replayed_position", atB));
            assertEquals(backup.events(), backupScraped.value("sitepair_events_delivered_total", atB));
            assertTrue(backupScraped.value("sitepair_state_checks_passed_total", atB) > 0);
            assertTrue(backupScraped.value("sitepair_disk_writes_total", atB) > 0, "replay wrote the backup's disk");
            assertEquals(0, backupScraped.value("sitepair_divergences_total", atB));

            int asked = a.statusCalls.get();
            a.scrape();
            assertEquals(asked + 1, a.statusCalls.get(), "one status per scrape, however many gauges read it");
        } finally {
            a.site.stop();
            a.site.await();
            b.site.await();
        }
    }

    /** A site of the pair, started in this JVM, with its metrics in a registry of its own. */
    private static final class Sited {
        final Site site;
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final AtomicReference<SiteStatus> lastStatus = new AtomicReference<>();
        final AtomicInteger statusCalls = new AtomicInteger();
        private final SiteMetrics metrics; // held: the registry holds its counters' source weakly

        /** Bound before the site starts, as the daemon binds them: the recorder times every output. */
        Sited(PairConfig pair, String name) throws Exception {
            SiteRecorder recorder = new SiteRecorder();
            AtomicReference<Site> started = new AtomicReference<>();
            metrics = SiteMetrics.of(pair, name, () -> {
                statusCalls.incrementAndGet();
                SiteStatus status = started.get().status();
                lastStatus.set(status);
                return status;
            }, recorder);
            metrics.bindTo(registry);
            TlsIdentity identity = TlsIdentity.load(pair.pair(), pair.tls().files(name));
            var settings = SiteLauncher.settings(pair, name, identity, Guests.load(pair.guest()),
                    SiteLauncher.epoch(pair.site(name).dataDir()), 0, pair.initialPrimary(), recorder);
            site = name.equals(pair.initialPrimary()) ? PairSite.startPrimary(settings, null)
                    : PairSite.startBackup(settings, null);
            started.set(site);
        }

        Exposition scrape() throws InterruptedException {
            Thread.sleep(600); // past the status snapshot's life: the scrape reads a fresh one
            return new Exposition(registry.scrape());
        }

        /** A counter the recorder keeps (no status involved). */
        double recorderSays(String name) {
            return new Exposition(registry.scrape()).value(name);
        }
    }

    private static <T> void await(Supplier<T> value, Predicate<T> until) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        T last = value.get();
        while (!until.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached in 60 s; last: " + last);
            }
            Thread.sleep(50);
            last = value.get();
        }
    }
}
