package io.sitepair.replicator.channel;

import io.netty.channel.Channel;
import io.sitepair.compression.BlockCodec;
import io.sitepair.disk.ChangedBlocks;
import io.sitepair.disk.DiskImage;
import java.io.IOException;
import java.util.List;

/**
 * Re-protection on the primary: copies every block of its disks to the backup while the guest
 * keeps running, tracking the blocks the guest writes meanwhile; then, in one task between two
 * events, sends those blocks again and the VM state, so the backup ends up with exactly the
 * primary's disks and memory at one log position. Only that last step pauses the guest.
 *
 * <p>A full copy: the incremental resync of the disk-sync work replaces the first pass with the
 * blocks its block maps name. Runs on the primary's event loop; it yields to the guest between
 * chunks and waits while the connection is not writable.
 */
public final class CopySender {
    /** Blocks per message: 1 MiB raw. */
    static final int RUN = 256;
    /** Chunks sent per loop task before the guest gets the loop again. */
    private static final int CHUNKS_PER_TASK = 4;

    /** What a finished copy did, for status. */
    public record Outcome(long position, long bytes, long wireBytes, long changedBlocks, long stateBytes, long pauseNanos,
                   long tookNanos) {}

    private final Channel channel;
    private final CopySource source;
    private final BlockCodec codec = new BlockCodec();
    private final java.util.function.Consumer<Outcome> done;
    private final long startNanos = System.nanoTime();
    private final long totalBlocks;
    private ChangedBlocks changed;
    private int disk;
    private long next;
    private long copiedBlocks;
    private boolean pumpQueued;
    private boolean finished;
    private boolean aborted;

    CopySender(Channel channel, CopySource source, java.util.function.Consumer<Outcome> done) {
        this.channel = channel;
        this.source = source;
        this.done = done;
        this.totalBlocks = source.disks().stream().mapToLong(DiskImage::blockCount).sum();
    }

    void start() {
        changed = new ChangedBlocks(source.disks().stream().map(DiskImage::blockCount).toList());
        source.trackWrites(changed);
        pump();
    }

    /** Sends more while the connection takes it; called again when it becomes writable. */
    void pump() {
        pumpQueued = false;
        if (finished || aborted) {
            return;
        }
        List<DiskImage> disks = source.disks();
        for (int chunk = 0; chunk < CHUNKS_PER_TASK && channel.isWritable(); chunk++) {
            if (disk == disks.size()) {
                finish();
                return;
            }
            DiskImage image = disks.get(disk);
            int count = (int) Math.min(RUN, image.blockCount() - next);
            send(disk, next, count);
            next += count;
            copiedBlocks += count;
            if (next == image.blockCount()) {
                disk++;
                next = 0;
            }
        }
        if (channel.isWritable() && !pumpQueued) {
            pumpQueued = true;
            // Scheduled, not executed: Netty runs up to 64 queued tasks between two I/O passes, and
            // a task that re-queued itself would copy the whole disk before the guest ran again.
            channel.eventLoop().schedule(this::pump, 50, java.util.concurrent.TimeUnit.MICROSECONDS);
        }
        channel.flush();
    }

    private void send(int diskIndex, long first, int count) {
        byte[] data = source.disks().get(diskIndex).read(first, count);
        channel.write(new ChannelMessage.CopyBlocks(diskIndex, first, count, codec.encode(data, 0, data.length)),
                channel.voidPromise());
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
            for (int i = 0; i < blocks.length; ) {
                int run = 1;
                while (i + run < blocks.length && run < RUN && blocks[i + run] == blocks[i] + run) {
                    run++;
                }
                send(d, blocks[i], run);
                i += run;
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
                capture.stateHash()), channel.voidPromise());
        long now = System.nanoTime();
        done.accept(new Outcome(capture.position(), (copiedBlocks + changed.count()) * DiskImage.BLOCK_SIZE,
                codec.stats().wireBytes(), changed.count(), state.length, now - pauseStart, now - startNanos));
    }

    /** The connection broke: stop tracking; the next connection starts a new copy. */
    void abort() {
        if (!finished) {
            aborted = true;
            source.trackWrites(io.sitepair.disk.WriteTracker.NONE);
        }
    }

    /** How far the first pass is, for status: "copied 12.0 of 64.0 MiB (18%)". */
    String progress() {
        if (finished) {
            return "sending the VM state";
        }
        double mib = DiskImage.BLOCK_SIZE / (1024.0 * 1024.0);
        return String.format("copied %.1f of %.1f MiB (%d%%)", copiedBlocks * mib, totalBlocks * mib,
                totalBlocks == 0 ? 100 : copiedBlocks * 100 / totalBlocks);
    }
}
