package io.sitepair.replicator.pair;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.ChannelMessage.VerifyReport;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.service.ServedRun;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Online verify on the primary, through the log: between two events it logs the CRC32C of every
 * block of every disk ({@link LogRecord.DiskCheck}); the backup, replaying to exactly that point,
 * compares its own blocks and reports the ones that differ. A repair logs the primary's contents
 * of those blocks ({@link LogRecord.BlockRepair}), which the backup writes when it replays them,
 * and verifies again. The guest pauses only while the primary reads its disks.
 */
final class OnlineVerify {
    private static final long WAIT_MS = 120_000;
    /** Blocks per disk-check entry: 64 Ki CRC32Cs, 256 KiB of log. */
    private static final int CHECK_BLOCKS = 65_536;
    /** Blocks per repair entry: 1 MiB of log. */
    private static final int REPAIR_BLOCKS = 256;

    private record Verified(VerifyReport report, String text) {}

    private final ServedRun run;
    private final SiteMeters meters;
    private final ShipLog log;
    private final Runnable ship;
    private final String site;
    private final String peer;
    private final LongSupplier backupReplayed;
    private CompletableFuture<VerifyReport> pending; // loop thread only
    private long pendingPosition; // the position of the checks in flight; loop thread only

    /**
     * {@code ship} sends what was logged (the primary's after-event step); {@code backupReplayed},
     * asked on the loop, is the position the backup last reported replayed.
     */
    OnlineVerify(ServedRun run, ShipLog log, Runnable ship, String site, String peer, LongSupplier backupReplayed,
                 SiteMeters meters) {
        this.run = run;
        this.meters = meters;
        this.log = log;
        this.ship = ship;
        this.site = site;
        this.peer = peer;
        this.backupReplayed = backupReplayed;
    }

    /**
     * Verifies (and with {@code repair} repairs what differs, then verifies again); returns the
     * report, ending with {@code differing blocks: N}. {@code refusal}, asked on the loop, says why
     * not now (null: go).
     */
    String verify(boolean repair, Supplier<String> refusal) throws Exception {
        Verified first = once(refusal);
        if (!repair || first.report().total() == 0) {
            return first.text();
        }
        if (first.report().total() > first.report().differing().length) {
            return first.text() + "\nnot repaired: more blocks differ than one verify lists; re-protect the backup"
                    + " instead (restart it with its disks marked inconsistent)";
        }
        long[] repaired = run.loop().submit(() -> logRepairs(first.report().differing())).get();
        Verified second = once(refusal);
        return first.text() + "\nrepaired " + repaired[0] + " blocks of site '" + peer + "' with site '" + site
                + "''s at log position " + repaired[1] + "\n" + second.text();
    }

    /** The backup's report of the checks in flight; on the loop. */
    void reported(VerifyReport report) {
        if (pending != null) {
            pending.complete(report);
        }
    }

    /** What a verify under way waits for, for the site's status; null when none is. On the loop. */
    String progress() {
        return pending == null ? null : "waiting for site '" + peer + "' to replay the disk checks at log position "
                + pendingPosition + " (it has replayed through " + backupReplayed.getAsLong() + ")";
    }

    /**
     * The logging channel went down: a report sent on it is lost, and one sent on the next
     * connection would be of checks replayed before it, so the verify in flight ends now. On the loop.
     */
    void linkLost(String why) {
        if (pending != null) {
            pending.completeExceptionally(new IllegalStateException("the logging channel to site '" + peer
                    + "' went down during the verify (" + why + "); nothing was compared: run it again"));
        }
    }

    private Verified once(Supplier<String> refusal) throws Exception {
        var report = new CompletableFuture<VerifyReport>();
        long[] logged = run.loop().submit(() -> {
            String why = pending != null ? "a verify is already under way" : refusal.get();
            if (why != null) {
                throw new IllegalStateException(why);
            }
            pending = report;
            long started = System.nanoTime();
            long blocks = logChecks();
            ship.run();
            pendingPosition = log.lastPosition();
            return new long[] {pendingPosition, blocks, System.nanoTime() - started};
        }).get();
        try {
            VerifyReport answer = awaitReport(report, logged[0]);
            meters.verified(answer.total());
            StringBuilder text = new StringBuilder(String.format(
                    "verified %d blocks of site '%s' against site '%s' at log position %d (the guest paused %.1f ms"
                            + " for the checksums)%n", logged[1], site, peer, logged[0], logged[2] / 1e6));
            for (long block : answer.differing()) {
                text.append("differs: disk ").append(VerifyReport.diskOf(block)).append(" block ")
                        .append(VerifyReport.blockOf(block)).append('\n');
            }
            if (answer.total() > answer.differing().length) {
                text.append("(").append(answer.total() - answer.differing().length).append(" more not listed)\n");
            }
            return new Verified(answer, text.append("differing blocks: ").append(answer.total()).toString());
        } finally {
            run.loop().execute(() -> pending = null);
        }
    }

    /** The backup's report of the checks logged through {@code position}, or why there is none. */
    private VerifyReport awaitReport(CompletableFuture<VerifyReport> report, long position) throws Exception {
        try {
            return report.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            long replayed = run.loop().submit(backupReplayed::getAsLong).get();
            throw new IllegalStateException("site '" + peer + "' did not report on the disk checks at log position "
                    + position + " within " + WAIT_MS / 1000 + " s; it has replayed through position " + replayed
                    + (replayed >= position ? " (so it replayed them, and its report was lost)" : ""));
        }
    }

    /** Appends the disk checks of every disk; returns the blocks covered. On the loop, between events. */
    private long logChecks() {
        List<DiskImage> disks = run.vm().disks();
        long covered = 0;
        for (int d = 0; d < disks.size(); d++) {
            DiskImage disk = disks.get(d);
            for (long first = 0; first < disk.blockCount(); first += CHECK_BLOCKS) {
                int count = (int) Math.min(CHECK_BLOCKS, disk.blockCount() - first);
                java.nio.ByteBuffer crcs = java.nio.ByteBuffer.allocate(4 * count);
                for (int crc : disk.blockChecksums(first, count)) {
                    crcs.putInt(crc);
                }
                boolean last = d == disks.size() - 1 && first + count >= disk.blockCount();
                log.append(new LogRecord.DiskCheck(d, first, crcs.array(), last));
                covered += count;
            }
        }
        return covered;
    }

    /**
     * Logs this site's contents of {@code blocks} (disk and block in one number, as reported) for
     * the backup to write; returns how many and the position. On the loop, between events.
     */
    private long[] logRepairs(long[] blocks) {
        long[] sorted = blocks.clone();
        Arrays.sort(sorted);
        // Disk and block in one number: a run of consecutive numbers stays on one disk.
        DiskImage.forEachRun(sorted, REPAIR_BLOCKS, (encoded, count) -> {
            int disk = VerifyReport.diskOf(encoded);
            long first = VerifyReport.blockOf(encoded);
            log.append(new LogRecord.BlockRepair(disk, first, run.vm().disks().get(disk).read(first, count)));
        });
        ship.run();
        return new long[] {sorted.length, log.lastPosition()};
    }
}
