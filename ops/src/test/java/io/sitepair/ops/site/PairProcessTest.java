package io.sitepair.ops.site;

import io.sitepair.ops.lab.LocalPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.wan.WanProfile;
import io.sitepair.ops.wan.WanProxy;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Two {@code sitepair up} processes, real sockets and a real Redis client; the logging channel
 * runs through the WAN-emulating proxy where a test needs to delay, limit or cut it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PairProcessTest {
    @TempDir
    Path dir;

    @Test
    void theBackupReplaysToTheSameStateAndACutLinkResumesWithoutLossWhileOutputsWait() throws Exception {
        // A cut shorter than the failure timeout: the primary waits for the link instead of going on alone.
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml.replace("suspect-after: 1s", "suspect-after: 20s"));
             WanProxy proxy = lab.routeThrough(WanProfile.rtt(Duration.ofMillis(4), 0))) {
            {
                Process b = lab.start("b");
                Process a = lab.start("a");
                lab.await("a", 30, SiteStatus::pairProtected);
                List<String> acknowledged = new ArrayList<>();
                try (Jedis client = new Jedis(lab.service("a").getHostString(), lab.service("a").getPort(), 20_000)) {
                    for (int i = 0; i < 500; i++) {
                        assertEquals("OK", client.set("key" + i, "value" + i));
                        acknowledged.add("key" + i);
                    }
                    proxy.cut();
                    CompletableFuture<String> duringCut = CompletableFuture.supplyAsync(() -> client.set("cut", "held"));
                    try {
                        duringCut.get(700, TimeUnit.MILLISECONDS);
                        throw new AssertionError("a reply left the primary while its backup could not acknowledge it");
                    } catch (TimeoutException expected) {
                        // the Output Rule holds it
                    }
                    lab.await("a", 5, st -> ((PrimaryStatus) st).heldOutputs() >= 1);
                    proxy.restore();
                    assertEquals("OK", duringCut.get(20, TimeUnit.SECONDS));
                    acknowledged.add("cut");
                    for (int i = 500; i < 1000; i++) {
                        assertEquals("OK", client.set("key" + i, "value" + i));
                        acknowledged.add("key" + i);
                    }
                    for (String key : acknowledged) {
                        assertFalse(client.get(key) == null, key + " was acknowledged but is missing");
                    }
                }
                lab.await("a", 10, s -> caughtUp(((PrimaryStatus) s).positions()));
                a.destroy(); // SIGTERM: a clean power-off, which the backup follows
                assertEquals(LocalPair.EXIT_ON_SIGTERM, a.waitFor(), lab.log("a"));
                assertEquals(0, b.waitFor(), lab.log("b"));
                assertEquals(lab.finalState("a"), lab.finalState("b"), "both sites end in the same VM and disk state");
                assertTrue(lab.log("b").contains("will not go live"), lab.log("b"));
            }
        }
    }

    @Test
    void aDiskDifferenceOnTheBackupStopsItAndThePrimaryGoesOnUnprotected() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Path bDisk = lab.pair().site("b").dataDir().resolve("disk0.img");
            Files.createDirectories(bDisk.getParent());
            try (RandomAccessFile disk = new RandomAccessFile(bDisk.toFile(), "rw")) {
                disk.setLength(lab.pair().diskSizes().getFirst());
                byte[] junk = new byte[8 * 4096];
                new Random(1).nextBytes(junk);
                disk.write(junk); // the KV guest reads these blocks at boot; the primary's are zero
            }
            lab.startWitness(); // the quorum must outlive b, or a (rightly) holds its outputs without one
            Process b = lab.start("b");
            lab.start("a");
            SiteStatus a = lab.await("a", 30, s -> s.role() == Role.LIVE_ALONE);
            assertTrue(a.protection().toString().matches(".*stopped at log position \\d+: replay diverged.*"),
                    a.toString());
            assertEquals(3, b.waitFor(), lab.log("b")); // halted
            assertTrue(lab.log("b").contains("differ from the primary's"), lab.log("b"));
            assertTrue(lab.log("a").contains("ALARM"), lab.log("a"));
            try (Jedis client = new Jedis(lab.service("a").getHostString(), lab.service("a").getPort(), 10_000)) {
                assertEquals("OK", client.set("still", "serving"));
                assertEquals("serving", client.get("still"));
            }
        }
    }

    @Test
    void aFullLogBufferPausesThePrimaryAndALaggingBackupSlowsIt() throws Exception {
        // A long, narrow link (100 ms each way, 4 Mbit/s) and incompressible writes: the 256 KiB
        // log buffer fills, and the lag soon exceeds its 50 ms target.
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml.replace("buffer: 64M", "buffer: 256K")
                .replace("lag-target: 1s", "lag-target: 50ms"));
             WanProxy proxy = lab.routeThrough(WanProfile.symmetric(Duration.ofMillis(100), 4_000_000))) {
            Process b = lab.start("b");
            Process a = lab.start("a");
            lab.await("a", 30, SiteStatus::pairProtected);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                Random random = new Random(7);
                try (Jedis client = new Jedis(lab.service("a").getHostString(), lab.service("a").getPort(), 60_000)) {
                    for (int round = 0; round < 8; round++) {
                        Pipeline pipeline = client.pipelined(); // 400 KiB in flight: more than the buffer
                        for (int i = 0; i < 200; i++) {
                            byte[] value = new byte[2048];
                            random.nextBytes(value);
                            pipeline.set(("k" + i).getBytes(), value);
                        }
                        pipeline.sync();
                    }
                }
            });
            PrimaryStatus paused = (PrimaryStatus) lab.await("a", 30,
                    s -> ((PrimaryStatus) s).logging().flowControlPauses() > 0);
            lab.await("a", 30, s -> ((PrimaryStatus) s).slowdownPercent() >= 10);
            proxy.setProfile(WanProfile.NONE); // the link recovers: the backup catches up
            writer.get(60, TimeUnit.SECONDS);
            // ... and the primary speeds up again, a step at a time.
            lab.await("a", 30, s -> ((PrimaryStatus) s).slowdownPercent() == 0
                    && caughtUp(((PrimaryStatus) s).positions()));
            assertTrue(paused.logging().bufferLimit() == 256 << 10, paused.toString());
            a.destroy();
            assertEquals(LocalPair.EXIT_ON_SIGTERM, a.waitFor(), lab.log("a"));
            assertEquals(0, b.waitFor(), lab.log("b"));
            assertEquals(lab.finalState("a"), lab.finalState("b"));
        }
    }

    /**
     * Online verify while the pair serves: clean, then with one block of the backup's image
     * changed behind its back (a block the guest has not read since, so replay has not noticed).
     */
    @Test
    void onlineVerifyComparesBothSitesWhileThePairRunsAndFindsACorruptedBackupBlock() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            lab.startProtected();
            try (Jedis client = new Jedis(lab.service("a").getHostString(), lab.service("a").getPort(), 10_000)) {
                for (int i = 0; i < 200; i++) {
                    assertEquals("OK", client.set("key" + i, "value" + i));
                }
            }
            String clean = verify(lab, 0);
            assertTrue(clean.contains("differing blocks: 0"), clean);

            long blocks = lab.pair().diskSizes().getFirst() / 4096;
            try (RandomAccessFile disk = new RandomAccessFile(lab.pair().site("b").dataDir().resolve("disk0.img").toFile(),
                    "rw")) {
                byte[] junk = new byte[4096];
                new Random(2).nextBytes(junk);
                disk.seek((blocks - 1) * 4096);
                disk.write(junk);
            }
            String found = verify(lab, 1);
            assertTrue(found.contains("differs: disk 0 block " + (blocks - 1)) && found.contains("differing blocks: 1"),
                    found);
            assertTrue(lab.status("a").pairProtected(), "verify reports; it does not break the pair");
            assertTrue(((BackupStatus) lab.status("b")).lastVerify().contains("1 differ"), lab.status("b").toString());

            String repaired = verify(lab, 0, "--repair");
            assertTrue(repaired.contains("repaired 1 blocks") && repaired.strip().endsWith("differing blocks: 0"), repaired);
            assertTrue(verify(lab, 0).contains("differing blocks: 0"));
        }
    }

    /**
     * A verify whose report cannot come back (the link is cut after the checks were logged) ends
     * at once with an error saying so, instead of waiting for a report that is lost; once the link
     * is back, a verify compares again.
     */
    @Test
    void aVerifyInFlightWhenTheLinkBreaksEndsAtOnceSayingSo() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml.replace("suspect-after: 1s", "suspect-after: 30s"));
             WanProxy proxy = lab.routeThrough(WanProfile.rtt(Duration.ofSeconds(3), 0))) {
            lab.startProtected();
            Process verify = lab.startCli("verify");
            PrimaryStatus waiting = (PrimaryStatus) lab.await("a", 30, s -> ((PrimaryStatus) s).verify() != null);
            assertTrue(waiting.verify().startsWith("waiting for site 'b' to replay the disk checks"),
                    waiting.toString());
            long cut = System.nanoTime();
            proxy.cut();
            LocalPair.Cli failed = lab.finish(verify, "verify", Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - cut) / 1e9;
            assertEquals(1, failed.exit(), failed.text());
            assertTrue(failed.text().contains("went down during the verify") && failed.text().contains("run it again"),
                    failed.text());
            assertTrue(seconds < 10, "the verify ended " + seconds + " s after the cut, not at once");
            assertEquals(null, ((PrimaryStatus) lab.status("a")).verify(), "no verify is under way any more");

            proxy.setProfile(WanProfile.NONE);
            proxy.restore();
            lab.await("a", 60, SiteStatus::pairProtected);
            assertTrue(verify(lab, 0).contains("differing blocks: 0"));
        }
    }

    /** Whether the backup has replayed everything the primary logged. */
    private static boolean caughtUp(PrimaryStatus.Positions positions) {
        return positions.replayed() == positions.logged();
    }

    private static String verify(LocalPair lab, int expectedExit, String... options) throws Exception {
        LocalPair.Cli verify = lab.cli(Duration.ofSeconds(120), "verify", options);
        assertEquals(expectedExit, verify.exit(), verify.text());
        return verify.text();
    }
}
