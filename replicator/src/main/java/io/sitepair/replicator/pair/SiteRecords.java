package io.sitepair.replicator.pair;

import io.sitepair.disk.BlockMap;
import io.sitepair.disk.DiskHistory;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import io.sitepair.disk.WriteTracker;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.status.DiskStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * What a site keeps about its disks' history in its data directory: the {@link Lineage} of
 * epochs it has lived through and the {@link BlockMap} stamping every write. Opened once per run
 * of a site; a backup that goes live hands it to the live site it becomes.
 */
public final class SiteRecords implements DiskHistory, AutoCloseable {
    private static final String LINEAGE = "lineage";
    private static final String BLOCK_MAP = "blockmap";
    /** Where the returning site keeps an interrupted copy's progress, in its data directory. */
    static final String RESYNC_PROGRESS = "resync-progress";

    private final Lineage lineage;
    private final BlockMap blockMap;
    private volatile long epoch; // what writes are stamped with
    private boolean closed;

    private SiteRecords(Lineage lineage, BlockMap blockMap) {
        this.lineage = lineage;
        this.blockMap = blockMap;
        this.epoch = lineage.lastEpoch();
    }

    /** Whether the site keeping {@code dataDir} was primary in {@code epoch} (it is restarting in it). */
    static boolean served(Path dataDir, long epoch, String site) throws IOException {
        return Lineage.open(dataDir.resolve(LINEAGE)).served(epoch, site);
    }

    /**
     * The disk images among {@code disks} that do not exist although this site's records (kept in
     * {@code dataDir}) describe disks that did: an operator replaced a failed disk, or lost one.
     * Empty for a site that never ran.
     */
    public static java.util.List<Path> replacedDisks(Path dataDir, java.util.List<Path> disks) throws IOException {
        if (Lineage.open(dataDir.resolve(LINEAGE)).entries().isEmpty()) {
            return java.util.List.of();
        }
        return disks.stream().filter(disk -> !java.nio.file.Files.exists(disk)).toList();
    }

    /**
     * Clears the lineage, the block map and any interrupted copy's progress: they describe disks
     * that are gone, and a site without history receives a full copy. The lineage goes first, so
     * a crash part-way still leaves a site without history.
     */
    public static void forget(Path dataDir) throws IOException {
        java.nio.file.Files.deleteIfExists(dataDir.resolve(LINEAGE));
        java.nio.file.Files.deleteIfExists(dataDir.resolve(RESYNC_PROGRESS));
        BlockMap.destroy(dataDir.resolve(BLOCK_MAP));
    }

    public static SiteRecords open(Path dataDir) throws IOException {
        Lineage lineage = Lineage.open(dataDir.resolve(LINEAGE));
        return new SiteRecords(lineage, BlockMap.open(dataDir.resolve(BLOCK_MAP), lineage.lastEpoch()));
    }

    /** Records every write the VM makes, stamped with the current epoch and the VM's position. */
    public WriteTracker stamps() {
        return blockMap.tracker(() -> epoch);
    }

    /** As {@link #stamps()}, counting each write in {@code meters}. */
    WriteTracker stamps(SiteMeters meters) {
        WriteTracker stamps = stamps();
        return (disk, block, count, position) -> {
            meters.diskWritten();
            stamps.written(disk, block, count, position);
        };
    }

    /**
     * This site's disks now follow epoch {@code next}, begun at {@code start} with {@code primary}
     * live: durable in the lineage before any write is stamped with it.
     */
    public void enter(long next, long start, String primary) throws IOException {
        lineage.enter(next, start, primary);
        epoch = next;
    }

    /**
     * After a resync: this site's disks hold the source's history, whose lineage is
     * {@code history}; durable before replay writes anything stamped with its last epoch.
     */
    public void adopt(java.util.List<Lineage.Entry> history) throws IOException {
        lineage.replaceWith(history);
        epoch = lineage.lastEpoch();
    }

    @Override
    public Lineage lineage() {
        return lineage;
    }

    /** How far this site's disks surely got in its last epoch: its latest exactly stamped write there. */
    @Override
    public long lastPosition() {
        return blockMap.lastPositionIn(lineage.lastEpoch());
    }

    @Override
    public BitSet writtenAfter(int disk, long blocks, Stamp point) throws IOException {
        return blockMap.writtenAfter(disk, blocks, point);
    }

    DiskStatus status() {
        var last = lineage.entries().isEmpty() ? null : lineage.entries().getLast();
        BlockMap.Stats map = blockMap.stats();
        return new DiskStatus(last == null ? "empty" : lineage.entries().size() + " epochs; in epoch " + last.epoch()
                + " since position " + last.start() + " (primary " + last.primary() + ")", map.records(),
                map.activityLogWrites(), map.hotExtents(),
                map.recoveredUnknown() == null ? null : "unclean stop: hot extents stamped " + map.recoveredUnknown());
    }

    /** A clean stop of the block map; once (a second call does nothing). */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            blockMap.close();
        }
    }
}
