package io.sitepair.ops.site;

import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.WriteLoad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.SiteStatus;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fails under a protected pair, injected with {@code sitepair inject} while clients
 * write: the backup's failure leaves the primary alone at once, the primary's is a primary
 * failure; no acknowledged write is lost either way.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DiskFaultProcessTest {
    @TempDir
    Path dir;

    @Test
    void aBackupWhoseDiskFailsHaltsAndThePrimaryGoesOnAloneAtOnce() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml.replace("suspect-after: 1s", "suspect-after: 10s"))) {
            Process b = lab.startProtected().get("b");
            InetSocketAddress service = lab.service("a");
            Map<String, String> ledger;
            double seconds;
            try (WriteLoad writers = new WriteLoad(4, "w", Map.of("a", service), "a")) {
                writers.awaitAcknowledged(500, 30);
                LocalPair.Cli inject = lab.cli(Duration.ofSeconds(30), "inject", "--site", "b", "--fault", "disk-io-error");
                assertEquals(0, inject.exit(), inject.text());
                long injected = System.nanoTime();
                // Well before the (10 s) failure timeout: the backup said it failed.
                SiteStatus alone = lab.await("a", 8, s -> s.role() == Role.LIVE_ALONE);
                seconds = (System.nanoTime() - injected) / 1e9;
                assertTrue(alone.protection().toString().contains("Input/output error (injected)"),
                        alone.toString());
                assertTrue(b.waitFor(10, TimeUnit.SECONDS), "the failed backup halts");
                assertNotEquals(0, b.exitValue());
                int before = writers.acknowledged().size();
                writers.awaitAcknowledged(before + 500, 30); // a serves on
                ledger = Map.copyOf(writers.acknowledged());
            }
            assertEquals(0, WriteLoad.missing(ledger, service), "acknowledged writes lost");
            System.out.printf("backup disk failure: a alone %.2f s after the injection; %d writes present%n",
                    seconds, ledger.size());
        }
    }

    @Test
    void aPrimaryWhoseDiskFillsUpFailsAndTheBackupTakesOver() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Process a = lab.startProtected().get("a");
            Map<String, String> ledger;
            try (WriteLoad writers = new WriteLoad(4, "w", Map.of("a", lab.service("a")), "a")) {
                writers.awaitAcknowledged(500, 30);
                LocalPair.Cli inject = lab.cli(Duration.ofSeconds(30), "inject", "--site", "a", "--fault", "disk-full");
                assertEquals(0, inject.exit(), inject.text());
                assertTrue(a.waitFor(20, TimeUnit.SECONDS), "the primary halts at its next disk write");
                ledger = Map.copyOf(writers.acknowledged());
            }
            assertNotEquals(0, a.exitValue());
            assertTrue(lab.log("a").contains("No space left on device (injected)"), lab.log("a"));
            SiteStatus live = lab.await("b", 20, s -> s.role() == Role.LIVE_ALONE);
            assertEquals(2L, live.epoch());
            assertEquals(0, WriteLoad.missing(ledger, lab.service("b")), "acknowledged writes lost");
            System.out.printf("primary disk full: b live in epoch 2; %d acknowledged writes present%n", ledger.size());
        }
    }
}
