package io.sitepair.ops.site;

import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.WriteLoad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resync CLI against real processes: a pair whose resync waits for an operator, a backup
 * killed under load and returning, the plan shown, approved, followed, and resumed after the
 * returning site is killed again in the middle of it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ResyncProcessTest {
    private static final Pattern PLAN = Pattern.compile("(?m)^plan: (\\d+) blocks, (\\d+) bytes$");

    @TempDir
    Path dir;

    @Test
    void anOperatorSeesApprovesAndFollowsTheResyncWhichResumesAfterTheTargetIsKilled() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml + "resync:\n  start: manual\n  rate: 32K/s\n")) {
            Process b = lab.startProtected().get("b");
            InetSocketAddress service = lab.service("a");
            Map<String, String> ledger;
            try (WriteLoad writers = new WriteLoad(4, "w", Map.of("a", service), "a")) {
                writers.awaitAcknowledged(2000, 60);
                b.destroyForcibly(); // kill -9 of the backup under load
                b.waitFor(10, TimeUnit.SECONDS);
                lab.await("a", 20, s -> s.role() == Role.LIVE_ALONE);
                int before = writers.acknowledged().size();
                writers.awaitAcknowledged(before + 3000, 60); // a goes on alone, unprotected
                ledger = Map.copyOf(writers.acknowledged());
            }

            b = lab.start("b");
            SiteStatus waiting = lab.await("a", 60, s -> inPhase(s, ResyncStatus.Phase.AWAITING_APPROVAL));
            Thread.sleep(500);
            assertEquals(0L, copiedBlocks(lab.status("a")), "nothing is copied before an operator approves: " + waiting);

            LocalPair.Cli dry = lab.cli(Duration.ofSeconds(60), "resync", "--dry-run");
            assertEquals(0, dry.exit(), dry.text());
            assertTrue(dry.out().contains("resync a -> b: incremental from epoch 1"), dry.out());
            assertTrue(dry.out().contains("rate limit 32 KiB/s on the wire: at most "), dry.out());
            Matcher plan = PLAN.matcher(dry.out());
            assertTrue(plan.find(), dry.out());
            long blocks = Long.parseLong(plan.group(1));
            assertEquals(blocks * 4096, Long.parseLong(plan.group(2)));
            assertTrue(blocks >= 1024, "a resync long enough to interrupt at 32 KiB/s: " + dry.out());
            assertEquals(0L, copiedBlocks(lab.status("a")), "a dry run ships nothing");

            Process operator = lab.startCli("resync", "--wait", "90s");
            // Once the target has persisted some progress (it does at least once a second).
            lab.await("b", 60, s -> ((BackupStatus) s).resync().durablyPendingBlocks() < blocks);
            b.destroyForcibly(); // kill -9 of the resync's target in the middle of it
            b.waitFor(10, TimeUnit.SECONDS);
            lab.start("b");

            LocalPair.Cli followed = lab.finish(operator, "resync", Duration.ofSeconds(150));
            assertEquals(0, followed.exit(), followed.text());
            assertTrue(followed.out().contains("resync started: incremental from epoch 1"), followed.out());
            assertTrue(followed.out().matches("(?s).*\\[#*\\.*\\] +\\d+%  [0-9.]+/[0-9.]+ MiB  [0-9.]+ [KM]iB/s  ETA .*"),
                    "a progress bar: " + followed.out());
            assertTrue(followed.out().contains("resync complete: resumed (interrupted copy begun at epoch 2"),
                    followed.out());
            assertTrue(lab.log("a").contains("resuming the interrupted copy"), "the second copy resumed");
            PrimaryStatus last = (PrimaryStatus) lab.await("a", 30, SiteStatus::pairProtected);
            long resumed = last.lastResync().plannedBlocks();
            assertTrue(resumed < blocks, "the resumed copy ships less than the whole plan: " + resumed + " of " + blocks);

            LocalPair.Cli verify = lab.cli(Duration.ofSeconds(60), "verify");
            assertTrue(verify.out().trim().endsWith("differing blocks: 0"), verify.text());
            assertEquals(0, WriteLoad.missing(ledger, service), "acknowledged writes lost");
            System.out.printf("resync: planned %d blocks, the resumed copy %d; %d acknowledged writes present%n",
                    blocks, resumed, ledger.size());
        }
    }

    /**
     * The resync's source (the live site, alone) is killed in the middle of it: the half-copied
     * site cannot go live, so nobody serves until the source returns. Restarted cold, the source
     * serves a new epoch (its log begins again), the target rejoins it, and the copy resumes from
     * what the target holds, adding every block the source may have written since the copy began.
     */
    @Test
    void killingTheSourceMidResyncLeavesNobodyLiveAndTheCopyResumesWhenItReturns() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml + "resync:\n  rate: 32K/s\n")) {
            Map<String, Process> sites = lab.startProtected();
            Process b = sites.get("b");
            Process a = sites.get("a");
            InetSocketAddress service = lab.service("a");
            Map<String, String> ledger;
            try (WriteLoad writers = new WriteLoad(4, "w", Map.of("a", service), "a")) {
                writers.awaitAcknowledged(2000, 60);
                b.destroyForcibly();
                b.waitFor(10, TimeUnit.SECONDS);
                lab.await("a", 20, s -> s.role() == Role.LIVE_ALONE);
                writers.awaitAcknowledged(writers.acknowledged().size() + 2000, 60);
                ledger = Map.copyOf(writers.acknowledged());
            }
            lab.start("b"); // the resync starts by itself (start: auto)
            BackupStatus resyncing = (BackupStatus) lab.await("b", 60, s -> ((BackupStatus) s).resync()
                    .durablyPendingBlocks() < ((BackupStatus) s).resync().plannedBlocks());
            a.destroyForcibly(); // kill -9 of the source in the middle of the copy
            a.waitFor(10, TimeUnit.SECONDS);

            Thread.sleep(3000); // three failure timeouts
            SiteStatus stuck = lab.status("b");
            assertEquals(Role.RESYNCING, stuck.role(), "a half-copied site must not go live: " + stuck);
            assertTrue(lab.endpoint().endsWith(":" + service.getPort()), "the quorum still names a");

            lab.start("a");
            PrimaryStatus protectedAgain = (PrimaryStatus) lab.await("a", 120, SiteStatus::pairProtected);
            assertEquals(3L, protectedAgain.epoch(), "restarted cold, a serves a new epoch");
            assertTrue(lab.log("a").contains("resuming the interrupted copy begun at epoch 2"), "the copy resumed");
            assertTrue(protectedAgain.lastReprotection().contains("resumed"),
                    protectedAgain.toString());
            LocalPair.Cli verify = lab.cli(Duration.ofSeconds(60), "verify");
            assertTrue(verify.out().trim().endsWith("differing blocks: 0"), verify.text());
            assertEquals(0, WriteLoad.missing(ledger, service), "acknowledged writes lost");
            System.out.printf("source killed at %s; resumed: %s%n", resyncing.resync(),
                    protectedAgain.lastResync());
        }
    }

    /**
     * A split-brain: while b was down, a went on alone in epoch 2, and b's lineage says it served an
     * epoch 2 of its own (as an operator forcing it live would leave it; written into its lineage
     * here). Nothing is copied until an operator names the site whose writes are discarded; the
     * live site's cannot be; b's are, and b then holds a's history and disks.
     */
    @Test
    void aSplitBrainWaitsForAnOperatorToDiscardTheReturningSitesWrites() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Process b = lab.startProtected().get("b");
            long reached;
            try (WriteLoad writers = new WriteLoad(2, "w", Map.of("a", lab.service("a")), "a")) {
                writers.awaitAcknowledged(200, 30);
                // An epoch begins where its site got to: b's own one, where its replay had come.
                reached = ((BackupStatus) lab.status("b")).positions().replayed();
                b.destroyForcibly();
                b.waitFor(10, TimeUnit.SECONDS);
                lab.await("a", 20, s -> s.role() == Role.LIVE_ALONE);
                writers.awaitAcknowledged(writers.acknowledged().size() + 200, 30);
            }
            Path lineage = lab.pair().site("b").dataDir().resolve("lineage");
            java.nio.file.Files.writeString(lineage, "2 " + reached + " b\n", java.nio.file.StandardOpenOption.APPEND);
            lab.start("b");
            lab.await("a", 60, s -> inPhase(s, ResyncStatus.Phase.SPLIT_BRAIN));

            LocalPair.Cli dry = lab.cli(Duration.ofSeconds(60), "resync", "--dry-run");
            assertEquals(0, dry.exit(), dry.text());
            assertTrue(dry.out().matches("(?s).*SPLIT-BRAIN: a served epoch 2 from position \\d+; b served epoch 2 from"
                    + " position " + reached + "\n.*"), dry.out());
            assertTrue(dry.out().contains("refusing without an operator's decision: --discard b"), dry.out());
            assertTrue(PLAN.matcher(dry.out()).find(), dry.out());

            LocalPair.Cli undecided = lab.cli(Duration.ofSeconds(60), "resync");
            assertEquals(1, undecided.exit(), undecided.text());
            assertTrue(undecided.err().contains("split-brain") && undecided.err().contains("--discard b"),
                    undecided.err());
            LocalPair.Cli wrongSite = lab.cli(Duration.ofSeconds(60), "resync", "--discard", "a");
            assertEquals(1, wrongSite.exit(), wrongSite.text());
            assertTrue(wrongSite.err().contains("is the live site"), wrongSite.err());
            assertEquals(0L, copiedBlocks(lab.status("a")), "nothing copied yet");

            LocalPair.Cli discard = lab.cli(Duration.ofSeconds(120), "resync", "--discard", "b");
            assertEquals(0, discard.exit(), discard.text());
            assertTrue(discard.out().contains("resync complete"), discard.out());
            assertTrue(lab.log("a").contains("an operator discards site 'b''s writes"), lab.log("a"));
            LocalPair.Cli verify = lab.cli(Duration.ofSeconds(60), "verify");
            assertTrue(verify.out().trim().endsWith("differing blocks: 0"), verify.text());
            assertTrue(!java.nio.file.Files.readString(lineage).contains(" b\n"), "b's own epoch is gone from its lineage");
        }
    }
    /**
     * An operator replaces the backup's failed disk (its image is gone when the site returns): the
     * lineage and block map described the old disk, so the site clears them and receives a full
     * copy; an incremental resync from them would leave the new disk's blocks unwritten. The live
     * site, had its own image gone, refuses to serve an empty disk.
     */
    @Test
    void aBackupWhoseDiskWasReplacedReceivesAFullCopyAndALiveSiteWithoutItsDiskRefusesToServe() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Map<String, Process> sites = lab.startProtected();
            InetSocketAddress service = lab.service("a");
            Map<String, String> ledger;
            try (WriteLoad writers = new WriteLoad(2, "r", Map.of("a", service), "a")) {
                writers.awaitAcknowledged(1000, 60);
                ledger = Map.copyOf(writers.acknowledged());
            }
            Process b = sites.get("b");
            b.destroyForcibly();
            b.waitFor(10, TimeUnit.SECONDS);
            lab.await("a", 20, s -> s.role() == Role.LIVE_ALONE);
            Path disk = lab.pair().site("b").dataDir().resolve("disk0.img");
            java.nio.file.Files.delete(disk); // the failed disk, replaced by a blank one

            Process replaced = lab.start("b");
            PrimaryStatus reprotected = (PrimaryStatus) lab.await("a", 90, SiteStatus::pairProtected);
            assertTrue(reprotected.lastReprotection().contains("full (no shared history)"),
                    reprotected.toString());
            assertTrue(lab.log("b").contains("disk image [" + disk + "] is new"), lab.log("b"));
            LocalPair.Cli verify = lab.cli(Duration.ofSeconds(60), "verify");
            assertTrue(verify.out().trim().endsWith("differing blocks: 0"), verify.text());
            assertEquals(0, WriteLoad.missing(ledger, service), "acknowledged writes lost");

            // The quorum names a live (b died again, a went on alone); then a dies and loses its disk.
            replaced.destroyForcibly();
            replaced.waitFor(10, TimeUnit.SECONDS);
            lab.await("a", 20, s -> s.role() == Role.LIVE_ALONE);
            Process a = sites.get("a");
            a.destroyForcibly();
            a.waitFor(10, TimeUnit.SECONDS);
            java.nio.file.Files.delete(lab.pair().site("a").dataDir().resolve("disk0.img"));
            Process restarted = lab.start("a");
            assertTrue(restarted.waitFor(60, TimeUnit.SECONDS), "a live site without its disk must not serve\n"
                    + lab.log("a"));
            assertTrue(restarted.exitValue() != 0, lab.log("a"));
            assertTrue(lab.log("a").contains("it will not serve an empty disk"), lab.log("a"));
        }
    }

    private static boolean inPhase(SiteStatus live, ResyncStatus.Phase phase) {
        return ((PrimaryStatus) live).resync() != null && ((PrimaryStatus) live).resync().phase() == phase;
    }

    /** What the live site's resync has copied so far. */
    private static long copiedBlocks(SiteStatus live) {
        return ((PrimaryStatus) live).resync().copiedBlocks();
    }
}
