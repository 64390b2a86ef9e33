package io.sitepair.replicator.pair;

import io.sitepair.disk.ConsistencyMark;
import io.sitepair.disk.DiskHistory;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import io.sitepair.replicator.resync.CopyTarget;
import io.sitepair.replicator.resync.ResyncWriter;
import io.sitepair.tiebreaker.Tiebreaker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The returning site's side of re-protection, as the channel delivers it: blocks go straight to
 * the disks ({@link ResyncWriter}, which keeps the pending blocks durably so an interrupted copy
 * resumes), with the disks marked inconsistent, here and in the quorum, until the copy is
 * complete. Then the VM state it brought waits for the replay to restore it.
 */
final class ReplicaCopy implements CopyTarget {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaCopy.class);

    /** A completed copy: the primary's VM state at {@code position}, for the replay to restore. */
    record Completed(long position, long events, byte[] state, byte[] stateHash) {}

    /** What the copy tells, and asks of, the site it copies to. */
    interface Replica {
        /** Whether the site's replay has begun from something else, or the site is ending. */
        boolean replayingOrEnding();

        /** The copy is planned: the site resyncs now. */
        void resyncing(String why);

        /** The copy is complete and marked consistent everywhere: replay starts from it. */
        void copied(Completed copy);

        /** A write of the copy failed: the site has failed. */
        void diskFailed(String why);
    }

    private final SiteSettings settings;
    private final SiteRecords records;
    private final Tiebreaker tiebreaker;
    private final Replica replica;
    private final ResyncWriter writer;
    private volatile boolean planned;

    ReplicaCopy(SiteSettings settings, List<DiskImage> disks, SiteRecords records, Tiebreaker tiebreaker,
                Replica replica) {
        this.settings = settings;
        this.records = records;
        this.tiebreaker = tiebreaker;
        this.replica = replica;
        this.writer = new ResyncWriter(disks, settings.dataDir().resolve(SiteRecords.RESYNC_PROGRESS));
    }

    /** The copy under way, or the last one taken; null before any. */
    ResyncWriter writer() {
        return planned ? writer : null;
    }

    @Override
    public boolean wantsCopy() {
        return settings.disks().stream().anyMatch(ConsistencyMark::isInconsistent);
    }

    @Override
    public DiskHistory history() {
        return records;
    }

    @Override
    public Stamp resumable(String source) {
        return wantsCopy() ? writer.resumable(source) : null;
    }

    @Override
    public BitSet pending(int disk) throws IOException {
        return writer.pending(disk);
    }

    @Override
    public boolean acceptsCopy() {
        return !replica.replayingOrEnding();
    }

    @Override
    public CompletableFuture<Void> plan(String source, Stamp begun, List<BitSet> blocks) throws IOException {
        for (Path path : settings.disks()) {
            ConsistencyMark.markInconsistent(path, "receiving a copy from site '" + source + "' in epoch "
                    + settings.epoch());
        }
        writer.begin(source, begun, blocks);
        planned = true;
        replica.resyncing("resyncing from site '" + source + "': " + writer.plannedBlocks() + " blocks");
        return markInQuorum(true); // and the tiebreaker refuses this site's claims until it is done
    }

    @Override
    public void blocks(int disk, long first, int count, byte[] data, int offset) throws IOException {
        try {
            writer.blocks(disk, first, count, data, offset);
        } catch (UncheckedIOException e) {
            throw diskFailed(e);
        }
    }

    @Override
    public void zeros(int disk, long first, int count) throws IOException {
        try {
            writer.zeros(disk, first, count);
        } catch (UncheckedIOException e) {
            throw diskFailed(e);
        }
    }

    /** A disk write of the copy failed: this site has failed; it halts (its disks stay marked inconsistent). */
    private IOException diskFailed(UncheckedIOException e) {
        String why = "disk I/O error during the resync: " + e.getMessage() + ": " + e.getCause().getMessage();
        replica.diskFailed(why);
        return new IOException(why, e);
    }

    @Override
    public CompletableFuture<Void> done(long position, long events, byte[] state, byte[] stateHash,
                                        List<Lineage.Entry> lineage) throws IOException {
        if (lineage.isEmpty() || lineage.getLast().epoch() != settings.epoch()) {
            throw new IOException("the copy's history " + lineage + " does not end in this site's epoch "
                    + settings.epoch());
        }
        // Flushed, and the progress record gone before the mark: a crash in between resyncs again.
        writer.finish();
        // The disks hold the primary's history now, and none of this site's own (a split-brain's
        // discarded epochs included): they follow the primary's epoch from here.
        records.adopt(lineage);
        for (Path path : settings.disks()) {
            ConsistencyMark.markConsistent(path);
        }
        return markInQuorum(false).thenRun(() -> {
            settings.meters().resynced();
            replica.copied(new Completed(position, events, state, stateHash));
        });
    }

    /**
     * Records this site's disks as (in)consistent in the quorum too, off the network loop: a slow
     * ZooKeeper must not stall it, as it also carries this site's heartbeats. Without a quorum the
     * copy cannot proceed, so it waits for one (a ZooKeeper peer that just restarted with its site
     * is often still rejoining), until this run ends.
     */
    private CompletableFuture<Void> markInQuorum(boolean inconsistent) {
        if (tiebreaker == null) {
            return CompletableFuture.completedFuture(null);
        }
        String mark = inconsistent ? "inconsistent" : "consistent";
        String what = "mark this site's disks " + mark + " in ZooKeeper";
        boolean[] waited = {false};
        return QuorumRetry.SYSTEM.until(() -> {
            tiebreaker.markInconsistent(settings.site(), inconsistent);
            if (waited[0]) {
                LOG.info("site '{}': a ZooKeeper quorum answered; this site's disks are marked {}",
                        settings.site(), mark);
            }
            return Boolean.TRUE;
        }, replica::replayingOrEnding, e -> {
            if (!waited[0]) {
                LOG.info("site '{}': waiting for a ZooKeeper quorum to {} ({})", settings.site(), what,
                        e.getMessage());
                waited[0] = true;
            }
        }).thenAccept(marked -> {
            if (marked == null) {
                throw new CompletionException(new IOException("cannot " + what + ": this site is ending"));
            }
        });
    }
}
