package io.sitepair.replicator.resync;

import io.sitepair.disk.DiskImage;
import io.sitepair.disk.ResyncProgress;
import io.sitepair.disk.Stamp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of a resync on a site's disk images: writes copied blocks and zero runs, and
 * keeps the blocks still pending durably in a {@link ResyncProgress} file, flushing the disks before
 * each persist (at least every 64 MiB or every second), so an interrupted copy resumes where its
 * durable progress says. Used on one thread (the backup's network loop); the figures may be read
 * from any.
 */
public final class ResyncWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ResyncWriter.class);
    /** Progress is persisted after this many blocks (64 MiB) or this long, whichever comes first. */
    private static final long PERSIST_BLOCKS = 16_384;
    private static final long PERSIST_NANOS = 1_000_000_000L;

    private final List<DiskImage> disks;
    private final Path progressFile;
    private ResyncProgress progress;
    private long sincePersist;
    private long lastPersistNanos;
    private volatile long planned;
    private volatile long copied;
    private volatile long durablyPending;

    /** Writes onto {@code disks}, the site's images: read at each call, so a list opened later works too. */
    public ResyncWriter(List<DiskImage> disks, Path progressFile) {
        this.disks = disks;
        this.progressFile = progressFile;
    }

    /**
     * The start stamp of the interrupted copy from {@code source} recorded here, or null if there is
     * none for these disks; a damaged record is reported and ignored (the copy then starts over).
     */
    public Stamp resumable(String source) {
        try {
            ResyncProgress recorded = ResyncProgress.open(progressFile);
            if (recorded == null || !recorded.source().equals(source) || !recorded.diskBlocks().equals(blockCounts())) {
                return null;
            }
            progress = recorded;
            return recorded.start();
        } catch (IOException e) {
            LOG.warn("ignoring the resync progress, the copy starts over: {}", e.getMessage());
            return null;
        }
    }

    /** The blocks of {@code disk} the interrupted copy still lacks. */
    public BitSet pending(int disk) throws IOException {
        if (progress == null) {
            throw new IOException("no interrupted copy to resume");
        }
        return progress.pending(disk);
    }

    /** A copy from {@code source}, begun at its stamp {@code begun}, will send {@code blocks}: recorded durably. */
    public void begin(String source, Stamp begun, List<BitSet> blocks) throws IOException {
        progress = ResyncProgress.begin(progressFile, source, begun, blockCounts(), blocks);
        lastPersistNanos = System.nanoTime();
        sincePersist = 0;
        copied = 0;
        planned = progress.pendingBlocks();
        durablyPending = planned;
    }

    public void blocks(int disk, long first, int count, byte[] data, int offset) throws IOException {
        disk(disk).write(first, count, data, offset);
        landed(disk, first, count);
    }

    public void zeros(int disk, long first, int count) throws IOException {
        disk(disk).zero(first, count);
        landed(disk, first, count);
    }

    /** The copy is complete: the disks are flushed and the progress record is gone. */
    public void finish() throws IOException {
        for (DiskImage disk : disks) {
            disk.flush();
        }
        ResyncProgress.clear(progressFile);
        progress = null;
    }

    private DiskImage disk(int disk) throws IOException {
        if (disk < 0 || disk >= disks.size()) {
            throw new IOException("copied blocks for disk " + disk + "; this site has " + disks.size());
        }
        return disks.get(disk);
    }

    /** Blocks reached the disk; every so often they are flushed and leave the durable pending set. */
    private void landed(int disk, long first, int count) throws IOException {
        if (progress == null) {
            throw new IOException("copied blocks before the copy's plan");
        }
        progress.copied(disk, first, count);
        copied += count;
        sincePersist += count;
        if (sincePersist >= PERSIST_BLOCKS || System.nanoTime() - lastPersistNanos >= PERSIST_NANOS) {
            for (DiskImage image : disks) {
                image.flush();
            }
            progress.persist();
            durablyPending = progress.pendingBlocks();
            sincePersist = 0;
            lastPersistNanos = System.nanoTime();
        }
    }

    private List<Long> blockCounts() {
        return disks.stream().map(DiskImage::blockCount).toList();
    }

    public long plannedBlocks() {
        return planned;
    }

    public long copiedBlocks() {
        return copied;
    }

    /** What a resume would still need, as last persisted. */
    public long durablyPendingBlocks() {
        return durablyPending;
    }
}
