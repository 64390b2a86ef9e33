package io.sitepair.replicator.drill;

import io.sitepair.disk.DiskImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A disk's sparse copy made in the background while the disk goes on being written, as a
 * copy-on-write snapshot does: the copy ends holding the disk exactly as it was when it began.
 *
 * <p>What needs copying is the disk's data runs when the copy began (the rest reads as zeros, and
 * the copy's file starts as one hole). A thread copies those blocks chunk by chunk; before a write
 * changes a block not copied yet, the copy, as the disk's {@link DiskImage.WriteWatcher}, saves
 * its old content first, on the writer's thread. Both copy under one lock, so a writer waits for
 * one chunk at most. All-zero blocks are never written: the copy stays as sparse as the disk.
 *
 * <p>A failure (the copy's file system full) fails the copy, never the disk's writes: the copy
 * stops watching and {@link #await} says why.
 */
final class BlockCopy implements DiskCopy, DiskImage.WriteWatcher {
    private static final int BLOCK = DiskImage.BLOCK_SIZE;

    private final DiskImage disk;
    private final Path target;
    private final FileChannel source;
    private final FileChannel out;
    private final int chunkBlocks;
    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] buffer; // guarded by lock
    private final BitSet pending; // guarded by lock: blocks whose content at the start is not in the copy yet
    private final CompletableFuture<DiskCopier.Copied> done = new CompletableFuture<>();
    private final Thread thread = Thread.ofPlatform().daemon().name("sitepair-test-clone-copy")
            .unstarted(this::copyAll);
    private boolean stopped; // guarded by lock: nothing more is copied
    private volatile long bytes; // written under lock

    private BlockCopy(DiskImage disk, Path target, FileChannel source, FileChannel out, int chunkBlocks,
                      BitSet pending) {
        this.disk = disk;
        this.target = target;
        this.source = source;
        this.out = out;
        this.chunkBlocks = chunkBlocks;
        this.buffer = new byte[chunkBlocks * BLOCK];
        this.pending = pending;
    }

    /**
     * Begins copying {@code disk} into {@code target} (a hole of the disk's size), {@code
     * chunkBlocks} at a time; returns at once, watching the disk's writes. The caller keeps the
     * disk from being written until this returns.
     */
    static BlockCopy start(DiskImage disk, Path target, int chunkBlocks) throws IOException {
        BitSet pending = new BitSet();
        for (LinuxFiles.DataRun run : LinuxFiles.dataRuns(disk.path(), disk.blockCount() * BLOCK)) {
            pending.set(Math.toIntExact(run.start() / BLOCK), Math.toIntExact(Math.ceilDiv(run.end(), BLOCK)));
        }
        FileChannel source = FileChannel.open(disk.path(), StandardOpenOption.READ);
        FileChannel out = null;
        try {
            out = FileChannel.open(target, StandardOpenOption.WRITE);
            BlockCopy copy = new BlockCopy(disk, target, source, out, chunkBlocks, pending);
            disk.watchWrites(copy);
            copy.thread.start();
            return copy;
        } catch (IOException | RuntimeException e) {
            closeQuietly(source);
            if (out != null) {
                closeQuietly(out);
            }
            throw e;
        }
    }

    @Override
    public Path target() {
        return target;
    }

    @Override
    public DiskCopier.Method method() {
        return DiskCopier.Method.SPARSE_COPY;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public DiskCopier.Copied await() throws IOException, InterruptedException {
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException cause ? cause : new IOException(e.getCause());
        }
    }

    /** Before {@code [block, block+count)} change: copies what of them the copy still needs. */
    @Override
    public void beforeWrite(long block, int count) {
        lock.lock();
        try {
            for (long at = block; at < block + count && !stopped; at += chunkBlocks) {
                copyPending(at, (int) Math.min(chunkBlocks, block + count - at));
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void stop() {
        lock.lock();
        try {
            finish(() -> done.completeExceptionally(new IOException("the copy of " + disk.path() + " was stopped")));
        } finally {
            lock.unlock();
        }
        // The thread ends after its current chunk; only then may the copy be deleted.
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void copyAll() {
        try {
            long next = 0;
            while (true) {
                lock.lock();
                try {
                    int first = stopped ? -1 : pending.nextSetBit(Math.toIntExact(next));
                    if (first < 0) {
                        finish(() -> done.complete(new DiskCopier.Copied(target, method(), bytes)));
                        return;
                    }
                    copyPending(first, (int) Math.min(chunkBlocks, disk.blockCount() - first));
                    next = first + chunkBlocks;
                } catch (IOException | RuntimeException e) {
                    fail(e);
                    return;
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            closeQuietly(source);
            closeQuietly(out);
        }
    }

    /**
     * Copies the pending blocks of {@code [first, first+count)} ({@code count <= chunkBlocks}) as
     * the source holds them now, which is as they were at the start: a block written since is no
     * longer pending. Holds the lock.
     */
    private void copyPending(long first, int count) throws IOException {
        int from = pending.nextSetBit(Math.toIntExact(first));
        if (from < 0 || from >= first + count) {
            return;
        }
        int to = pending.previousSetBit(Math.toIntExact(first + count - 1)) + 1;
        int length = (to - from) * BLOCK;
        DiskCopier.readFully(source, ByteBuffer.wrap(buffer, 0, length), (long) from * BLOCK);
        // A block copied already (and written since) reads as zeros here, so it is left as the copy holds it.
        for (int block = pending.nextClearBit(from); block < to; block = pending.nextClearBit(block + 1)) {
            Arrays.fill(buffer, (block - from) * BLOCK, (block - from + 1) * BLOCK, (byte) 0);
        }
        bytes += DiskCopier.writeNonZeroBlocks(out, buffer, length, (long) from * BLOCK);
        pending.clear(from, to);
    }

    /** The copy failed: it stops watching, and the disk's writes go on. Holds the lock. */
    private void fail(Exception e) {
        finish(() -> done.completeExceptionally(new IOException("copying " + disk.path() + " to " + target
                + " failed: " + e.getMessage(), e)));
    }

    /** Stops watching and copying, once, and settles {@link #done} by {@code outcome}. Holds the lock. */
    private void finish(Runnable outcome) {
        if (!stopped) {
            stopped = true;
            disk.watchWrites(null);
            outcome.run();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was left to write through it
        }
    }
}
