package io.sitepair.disk;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A virtual disk backed by a local image file: an array of {@link #BLOCK_SIZE}-byte blocks.
 *
 * <p>Each site owns its images (non-shared disks). Reads and writes are synchronous and
 * positional; {@link #flush()} makes completed writes durable. I/O failures of the local image
 * are not guest-visible errors: they surface as {@link UncheckedIOException}s, because a site
 * whose disk fails cannot continue executing in lockstep.
 */
public final class DiskImage implements Closeable {
    public static final int BLOCK_SIZE = 4096;

    private final Path path;
    private final FileChannel channel;
    private final long blocks;
    private volatile String injectedFault; // null: writes go to the file
    private volatile WriteWatcher watcher; // null: none

    private DiskImage(Path path, FileChannel channel, long blocks) {
        this.path = path;
        this.channel = channel;
        this.blocks = blocks;
    }

    /** Opens an existing image; its size must be a whole number of blocks. */
    public static DiskImage open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        if (size == 0 || size % BLOCK_SIZE != 0) {
            channel.close();
            throw new IOException(path + ": disk image size " + size + " is not a positive multiple of "
                    + BLOCK_SIZE + " bytes");
        }
        return new DiskImage(path, channel, size / BLOCK_SIZE);
    }

    /** Opens the image, creating a zero-filled (sparse) one of {@code sizeBytes} if it does not exist. */
    public static DiskImage openOrCreate(Path path, long sizeBytes) throws IOException {
        if (!Files.exists(path)) {
            create(path, sizeBytes);
        }
        return open(path);
    }

    /** Creates a zero-filled sparse image; refuses to replace an existing file. */
    public static void create(Path path, long sizeBytes) throws IOException {
        if (sizeBytes <= 0 || sizeBytes % BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("disk size " + sizeBytes + " is not a positive multiple of "
                    + BLOCK_SIZE + " bytes");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.truncate(0);
            channel.write(ByteBuffer.allocate(1), sizeBytes - 1);
        }
    }

    public Path path() {
        return path;
    }

    public long blockCount() {
        return blocks;
    }

    /** True if blocks {@code [block, block+count)} lie on this disk. */
    public boolean inRange(long block, int count) {
        return count > 0 && block >= 0 && block <= blocks - count;
    }

    /** Reads {@code count} blocks into {@code into}, starting at {@code offset}. */
    public void read(long block, int count, byte[] into, int offset) {
        checkRange(block, count);
        ByteBuffer buffer = ByteBuffer.wrap(into, offset, count * BLOCK_SIZE);
        try {
            long position = block * BLOCK_SIZE;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException("unexpected end of image");
                }
                position += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": reading block " + block, e);
        }
    }

    public byte[] read(long block, int count) {
        byte[] data = new byte[count * BLOCK_SIZE];
        read(block, count, data, 0);
        return data;
    }

    /**
     * From now on every write fails with an I/O error saying {@code error} ("Input/output error",
     * "No space left on device"), as the device would: for disaster-recovery drills and tests of
     * what a site does when its disk fails.
     */
    public void injectWriteFault(String error) {
        injectedFault = error;
    }

    /**
     * Told before blocks change, while they still hold their old content: what a copy-on-write
     * snapshot needs to save them first (a test clone's disk copy made while replay goes on).
     */
    @FunctionalInterface
    public interface WriteWatcher {
        /**
         * Blocks {@code [block, block+count)} are about to be written; runs on the writer's thread,
         * which waits for it. It must not throw: a watcher's failure is its own, never the write's.
         */
        void beforeWrite(long block, int count);
    }

    /** From now on {@code watcher} is told before every write; null: none. A disk has one watcher at most. */
    public synchronized void watchWrites(WriteWatcher watcher) {
        if (watcher != null && this.watcher != null) {
            throw new IllegalStateException(path + " is already watched");
        }
        this.watcher = watcher;
    }

    /**
     * Writes {@code count} blocks from {@code from}, starting at {@code offset}. Every change of
     * blocks goes through here ({@link #zero} too), so the {@link WriteWatcher} sees them all.
     */
    public void write(long block, int count, byte[] from, int offset) {
        checkRange(block, count);
        String fault = injectedFault;
        if (fault != null) {
            throw new UncheckedIOException(path + ": writing block " + block, new IOException(fault + " (injected)"));
        }
        WriteWatcher watching = watcher;
        if (watching != null) {
            watching.beforeWrite(block, count);
        }
        ByteBuffer buffer = ByteBuffer.wrap(from, offset, count * BLOCK_SIZE);
        try {
            long position = block * BLOCK_SIZE;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": writing block " + block, e);
        }
    }

    /**
     * Makes blocks {@code [block, block+count)} zero, writing only those that are not zero yet: a
     * resync skips the source's zero blocks on the wire, and a fresh (sparse) target stays sparse.
     */
    public void zero(long block, int count) {
        checkRange(block, count);
        byte[] data = read(block, count);
        for (int i = 0; i < count; i++) {
            if (!isZeroBlock(data, i * BLOCK_SIZE)) {
                write(block + i, 1, ZERO_BLOCK, 0);
            }
        }
    }

    /** Makes every completed write durable. */
    public void flush() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": flush", e);
        }
    }

    /** Feeds the whole image into {@code digest}, block by block. */
    public void digest(MessageDigest digest) {
        forEachBlockRun((block, data, length) -> digest.update(data, 0, length));
    }

    /** A run of consecutive blocks, delivered by {@link #forEachBlockRun}. */
    @FunctionalInterface
    public interface BlockRunVisitor {
        void visit(long firstBlock, byte[] data, int length) throws IOException;
    }

    /** Visits the image in order, in runs of up to 256 blocks (1 MiB) sharing one buffer. */
    public void forEachBlockRun(BlockRunVisitor visitor) {
        final int run = 256;
        byte[] buffer = new byte[run * BLOCK_SIZE];
        try {
            for (long block = 0; block < blocks; block += run) {
                int count = (int) Math.min(run, blocks - block);
                read(block, count, buffer, 0);
                visitor.visit(block, buffer, count * BLOCK_SIZE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": visiting blocks", e);
        }
    }

    /** The CRC32C of each block of {@code [first, first+count)}, read in runs of up to 1 MiB. */
    public int[] blockChecksums(long first, int count) {
        checkRange(first, count);
        int[] crcs = new int[count];
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (int i = 0; i < count; i += 256) {
            int n = Math.min(256, count - i);
            byte[] data = read(first + i, n);
            for (int b = 0; b < n; b++) {
                crc.reset();
                crc.update(data, b * BLOCK_SIZE, BLOCK_SIZE);
                crcs[i + b] = (int) crc.getValue();
            }
        }
        return crcs;
    }

    /** A run of consecutive blocks, from {@link #forEachRun}. */
    @FunctionalInterface
    public interface RunConsumer {
        void run(long first, int count);
    }

    /**
     * Cuts ascending block numbers into runs of consecutive blocks, each at most {@code maxRun}
     * long, so each run can be read or sent as one piece.
     */
    public static void forEachRun(long[] ascending, int maxRun, RunConsumer consumer) {
        for (int i = 0; i < ascending.length; ) {
            int run = 1;
            while (i + run < ascending.length && run < maxRun && ascending[i + run] == ascending[i] + run) {
                run++;
            }
            consumer.run(ascending[i], run);
            i += run;
        }
    }

    /** True if every byte of the given block inside {@code data} is zero. */
    public static boolean isZeroBlock(byte[] data, int offset) {
        return Arrays.mismatch(data, offset, offset + BLOCK_SIZE, ZERO_BLOCK, 0, BLOCK_SIZE) < 0;
    }

    private static final byte[] ZERO_BLOCK = new byte[BLOCK_SIZE];

    private void checkRange(long block, int count) {
        if (!inRange(block, count)) {
            throw new IndexOutOfBoundsException(path + ": blocks [" + block + ", " + block + "+" + count
                    + ") outside a disk of " + blocks + " blocks");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
