package io.sitepair.replicator.resync;

import io.netty.channel.Channel;
import io.sitepair.compression.BlockCodec;
import io.sitepair.disk.ChangedBlocks;
import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.BlockRuns;
import io.sitepair.replicator.channel.ChannelMessage;
import io.sitepair.replicator.status.ResyncPlanStatus;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.ResyncSummary;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;

/**
 * Re-protection on the primary: copies the planned blocks of its disks to the backup (all of them,
 * or those either site wrote since their histories parted) while the guest keeps running,
 * tracking the blocks the guest writes meanwhile; then, in one task between two events, sends
 * those blocks again and the VM state, so the backup ends up with exactly the primary's disks and
 * memory at one log position. Only that last step pauses the guest.
 *
 * <p>Runs on the primary's event loop; it yields to the guest between chunks, waits while the
 * connection is not writable, and keeps to the resync rate ({@link Pacer}). Runs of blocks that
 * are all zeros travel as {@link ChannelMessage.ZeroBlocks}: an initial sync ships only what the
 * source holds.
 */
public final class CopySender {
    /** VM state per message: 1 MiB raw. */
    static final int RUN = 256;
    /** Chunks sent per loop task before the guest gets the loop again. */
    private static final int CHUNKS_PER_TASK = 4;

    /** What a finished copy did, for status. */
    public record Outcome(String kind, long position, long plannedBlocks, long bytes, long wireBytes,
                          long changedBlocks, long zeroBlocks, long stateBytes, long pauseNanos, long tookNanos) {
        /** In a line: "incremental from ...: took 0.40 s from the backup's connection; 48.1 MiB copied ...". */
        public String summary() {
            return String.format("%s: took %.2f s from the backup's connection; %.1f MiB copied (%.1f MiB on the wire),"
                    + " %d blocks written during the copy sent again, %.1f MiB of VM state; the guest paused %.1f ms",
                    kind, tookNanos / 1e9, bytes / 1048576.0, wireBytes / 1048576.0, changedBlocks,
                    stateBytes / 1048576.0, pauseNanos / 1e6);
        }

        /** Its figures, for status and the resync CLI's summary. */
        public ResyncSummary figures() {
            return new ResyncSummary(kind, position, plannedBlocks, changedBlocks, zeroBlocks, bytes, wireBytes,
                    stateBytes, tookNanos / 1_000_000, Math.round(pauseNanos / 1e4) / 100.0);
        }
    }

    private final Channel channel;
    private final CopySource source;
    private final BlockCodec codec = new BlockCodec();
    private final java.util.function.Consumer<Outcome> done;
    private final long startNanos = System.nanoTime();
    private final String kind;
    private final List<BitSet> plan;
    private final long plannedBlocks;
    private final Pacer pacer;
    private final ChangedBlocks changed;
    private int disk;
    private long next;
    private long copiedBlocks;
    private long zeroBlocks;
    private boolean pumpQueued;
    private boolean finished;
    private boolean aborted;

    /**
     * Copies the blocks set in {@code plan} (one set per disk), described as {@code kind} ("full",
     * "incremental from ..."), then the blocks in {@code changed} (the source tracks the guest's
     * writes into it since the plan was made) and the VM state, at most at {@code pacer}'s rate.
     */
    CopySender(Channel channel, CopySource source, String kind, List<BitSet> plan, ChangedBlocks changed, Pacer pacer,
               java.util.function.Consumer<Outcome> done) {
        this.channel = channel;
        this.source = source;
        this.kind = kind;
        this.plan = plan;
        this.changed = changed;
        this.pacer = pacer;
        this.done = done;
        this.plannedBlocks = plan.stream().mapToLong(BitSet::cardinality).sum();
    }

    void start() {
        pump();
    }

    /** Sends more while the connection takes it; called again when it becomes writable. */
    void pump() {
        pumpQueued = false;
        if (finished || aborted) {
            return;
        }
        for (int chunk = 0; chunk < CHUNKS_PER_TASK && channel.isWritable(); chunk++) {
            long wait = pacer.waitNanos();
            if (wait > 0) {
                if (!pumpQueued) {
                    pumpQueued = true;
                    channel.eventLoop().schedule(this::pump, wait, java.util.concurrent.TimeUnit.NANOSECONDS);
                }
                channel.flush();
                return;
            }
            while (disk < plan.size() && plan.get(disk).nextSetBit((int) next) < 0) {
                disk++;
                next = 0;
            }
            if (disk == plan.size()) {
                finish();
                return;
            }
            // Up to a message's worth of the plan's next blocks, however scattered.
            BitSet bits = plan.get(disk);
            BlockRuns.Builder runs = new BlockRuns.Builder();
            for (int first = bits.nextSetBit((int) next); first >= 0 && runs.total() < BlockRuns.MAX_BLOCKS;
                 first = bits.nextSetBit((int) next)) {
                int count = Math.min(BlockRuns.MAX_BLOCKS - runs.total(), bits.nextClearBit(first) - first);
                runs.add(first, count);
                next = first + count;
            }
            send(disk, runs.build());
            copiedBlocks += runs.total();
        }
        if (channel.isWritable() && !pumpQueued) {
            pumpQueued = true;
            // Scheduled, not executed: Netty runs up to 64 queued tasks between two I/O passes, and
            // a task that re-queued itself would copy the whole disk before the guest ran again.
            channel.eventLoop().schedule(this::pump, 50, java.util.concurrent.TimeUnit.MICROSECONDS);
        }
        channel.flush();
    }
    /** The blocks of {@code runs}: those holding data in one frame, the all-zero ones as ranges. */
    private void send(int diskIndex, BlockRuns runs) {
        DiskImage image = source.disks().get(diskIndex);
        byte[] data = new byte[runs.total() * DiskImage.BLOCK_SIZE];
        BlockRuns.Builder dataRuns = new BlockRuns.Builder();
        BlockRuns.Builder zeroRuns = new BlockRuns.Builder();
        int j = 0; // the block's index in data
        for (int r = 0; r < runs.size(); r++) {
            image.read(runs.firsts()[r], runs.counts()[r], data, j * DiskImage.BLOCK_SIZE);
            for (int i = 0; i < runs.counts()[r]; i++, j++) {
                long block = runs.firsts()[r] + i;
                if (DiskImage.isZeroBlock(data, j * DiskImage.BLOCK_SIZE)) {
                    zeroRuns.add(block, 1);
                    continue;
                }
                int to = dataRuns.total(); // data blocks close up over the zero blocks left out
                if (to != j) {
                    System.arraycopy(data, j * DiskImage.BLOCK_SIZE, data, to * DiskImage.BLOCK_SIZE, DiskImage.BLOCK_SIZE);
                }
                dataRuns.add(block, 1);
            }
        }
        if (!zeroRuns.isEmpty()) {
            BlockRuns zeros = zeroRuns.build();
            channel.write(new ChannelMessage.ZeroBlocks(diskIndex, zeros), channel.voidPromise());
            zeroBlocks += zeros.total();
            pacer.spent(2 + 12L * zeros.size());
        }
        if (!dataRuns.isEmpty()) {
            byte[] frame = codec.encode(data, 0, dataRuns.total() * DiskImage.BLOCK_SIZE);
            channel.write(new ChannelMessage.CopyBlocks(diskIndex, dataRuns.build(), frame), channel.voidPromise());
            pacer.spent(frame.length);
        }
    }

    /**
     * Between two events: the blocks written during the copy again, then the VM state. Nothing
     * runs on the guest meanwhile, so disks and state are of one log position.
     */
    private void finish() {
        finished = true;
        long pauseStart = System.nanoTime();
        source.trackWrites(io.sitepair.disk.WriteTracker.NONE);
        List<DiskImage> disks = source.disks();
        for (int d = 0; d < disks.size(); d++) {
            long[] blocks = changed.blocks(d);
            BlockRuns.Builder runs = new BlockRuns.Builder();
            for (long block : blocks) {
                runs.add(block, 1);
                if (runs.total() == BlockRuns.MAX_BLOCKS) {
                    send(d, runs.build());
                    runs = new BlockRuns.Builder();
                }
            }
            if (!runs.isEmpty()) {
                send(d, runs.build());
            }
        }
        CopySource.Capture capture;
        try {
            capture = source.capture();
        } catch (IOException e) {
            channel.close();
            throw new java.io.UncheckedIOException("capturing the VM state for re-protection", e);
        }
        byte[] state = capture.state();
        for (int offset = 0; offset < state.length; offset += RUN * DiskImage.BLOCK_SIZE) {
            int length = Math.min(RUN * DiskImage.BLOCK_SIZE, state.length - offset);
            channel.write(new ChannelMessage.CopyState(codec.encode(state, offset, length)), channel.voidPromise());
        }
        channel.writeAndFlush(new ChannelMessage.CopyDone(capture.position(), capture.events(), state.length,
                capture.stateHash(), source.history().lineage().entries()), channel.voidPromise());
        long now = System.nanoTime();
        done.accept(new Outcome(kind, capture.position(), plannedBlocks,
                (copiedBlocks + changed.count() - zeroBlocks) * DiskImage.BLOCK_SIZE, codec.stats().wireBytes(),
                changed.count(), zeroBlocks, state.length, now - pauseStart, now - startNanos));
    }

    /** The connection broke: send no more (its {@link ResyncSession} stops the tracking it started). */
    void abort() {
        aborted = true;
    }

    /** How far the first pass is, for status: "full copy: 12.0 of 64.0 MiB (18%)". */
    String progress() {
        if (finished) {
            return kind + ": sending the VM state";
        }
        double mib = DiskImage.BLOCK_SIZE / (1024.0 * 1024.0);
        return String.format("%s: %.1f of %.1f MiB (%d%%)", kind, copiedBlocks * mib, plannedBlocks * mib,
                plannedBlocks == 0 ? 100 : copiedBlocks * 100 / plannedBlocks);
    }

    /** The resync's status once copying: its figures for the resync CLI's progress bar (blocks, bytes, rate, ETA). */
    ResyncStatus status(ResyncStatus.Phase phase, ResyncPlanStatus plan) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long copiedBytes = copiedBlocks * DiskImage.BLOCK_SIZE;
        long rate = seconds > 0 ? (long) (copiedBytes / seconds) : 0;
        return new ResyncStatus(phase, plan, copiedBlocks, copiedBytes, zeroBlocks, codec.stats().wireBytes(), rate,
                pacer.rate(), changed.count(),
                rate == 0 ? -1 : (plannedBlocks - copiedBlocks) * DiskImage.BLOCK_SIZE / rate,
                Math.round(seconds * 10) / 10.0);
    }
}
