package io.sitepair.replicator.pair;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.ChannelMessage.VerifyReport;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.service.ServedRun;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    private final ShipLog log;
    private final Runnable ship;
    private final String site;
    private final String peer;
    private CompletableFuture<VerifyReport> pending; // loop thread only

    /** {@code ship} sends what was logged (the primary's after-event step). */
    OnlineVerify(ServedRun run, ShipLog log, Runnable ship, String site, String peer) {
        this.run = run;
        this.log = log;
        this.ship = ship;
        this.site = site;
        this.peer = peer;
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
            return new long[] {log.lastPosition(), blocks, System.nanoTime() - started};
        }).get();
        try {
            VerifyReport answer = report.get(WAIT_MS, TimeUnit.MILLISECONDS);
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
