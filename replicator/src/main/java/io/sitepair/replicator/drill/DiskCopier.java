package io.sitepair.replicator.drill;

import io.sitepair.disk.DiskImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Copies a disk image for a test clone: a copy-on-write clone of the whole file where the file
 * system shares extents ({@code FICLONE}: instant, and no space until either side writes), else
 * a {@link BlockCopy}: a sparse copy of the blocks that hold something, made in the background
 * while the disk goes on being written, leaving holes elsewhere.
 *
 * <p>The source is read through the page cache, as {@link DiskImage} writes it ({@code pwrite},
 * unflushed writes included), so a copy holds every write completed before it began; a clone of
 * a file with dirty pages is written back by the file system first. The caller keeps the disk
 * from being written while the copy begins.
 */
public final class DiskCopier {
    static final int CHUNK_BLOCKS = 256;
    /** What a file system that cannot clone answers ({@code ENOTTY}: no such ioctl; {@code EXDEV}: another file system). */
    private static final Set<Integer> CANNOT_CLONE = Set.of(LinuxFiles.EOPNOTSUPP, LinuxFiles.EXDEV,
            LinuxFiles.ENOTTY, LinuxFiles.EINVAL);

    /** How a copy was made. */
    public enum Method {
        REFLINK("reflink"),
        SPARSE_COPY("sparse copy");

        private final String words;

        Method(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /**
     * A copy made: its file, how, and the bytes it holds (a clone shares the whole file: its
     * size; a sparse copy: the bytes it wrote).
     */
    public record Copied(Path target, Method method, long bytes) implements DiskCopy {
        @Override
        public Copied await() {
            return this;
        }

        @Override
        public void stop() {}
    }

    private DiskCopier() {}

    /** Begins copying {@code disk} to {@code target}, which must not exist yet, in chunks of {@code chunkBlocks}. */
    static DiskCopy start(DiskImage disk, Path target, int chunkBlocks) throws IOException {
        long size = disk.blockCount() * DiskImage.BLOCK_SIZE;
        try (RandomAccessFile created = new RandomAccessFile(Files.createFile(target).toFile(), "rw")) {
            created.setLength(size);
        }
        try {
            LinuxFiles.cloneWhole(disk.path(), target);
            return new Copied(target, Method.REFLINK, size);
        } catch (LinuxFiles.CallFailed e) {
            if (!CANNOT_CLONE.contains(e.errno)) {
                throw e;
            }
        }
        return BlockCopy.start(disk, target, chunkBlocks);
    }

    /** Writes each run of consecutive non-zero blocks of {@code chunk[0, length)} at {@code at}; returns the bytes written. */
    static long writeNonZeroBlocks(FileChannel out, byte[] chunk, int length, long at) throws IOException {
        long written = 0;
        int offset = 0;
        while (offset < length) {
            if (isZero(chunk, offset, length)) {
                offset += DiskImage.BLOCK_SIZE;
                continue;
            }
            int end = offset;
            while (end < length && !isZero(chunk, end, length)) {
                end += DiskImage.BLOCK_SIZE;
            }
            end = Math.min(end, length);
            ByteBuffer run = ByteBuffer.wrap(chunk, offset, end - offset);
            for (long position = at + offset; run.hasRemaining(); ) {
                position += out.write(run, position);
            }
            written += end - offset;
            offset = end;
        }
        return written;
    }

    /** Whether the block at {@code offset} (cut at {@code length}) is all zeros. */
    private static boolean isZero(byte[] chunk, int offset, int length) {
        int end = Math.min(offset + DiskImage.BLOCK_SIZE, length);
        return end - offset == DiskImage.BLOCK_SIZE ? DiskImage.isZeroBlock(chunk, offset)
                : java.util.Arrays.mismatch(chunk, offset, end, new byte[end - offset], 0, end - offset) < 0;
    }

    static void readFully(FileChannel in, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = in.read(into, position);
            if (n < 0) {
                throw new IOException("the disk image ended early at byte " + position);
            }
            position += n;
        }
    }
}
