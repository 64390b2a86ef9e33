package io.sitepair.replicator.drill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sitepair.disk.DiskImage;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A disk image's copy for a test clone: the same bytes; where it is a sparse copy, zeros stay holes. */
class DiskCopierTest {
    private static final int BLOCK = DiskImage.BLOCK_SIZE;

    @TempDir
    Path dir;

    @Test
    void theCopyHoldsTheSameBytesAndASparseCopyWritesOnlyNonZeroBlocks() throws Exception {
        Path source = dir.resolve("disk0.img");
        DiskImage.create(source, 4096L * BLOCK);
        DiskCopier.Copied copy;
        try (DiskImage disk = DiskImage.open(source)) {
            disk.write(0, 1, filled(1, (byte) 1), 0);
            disk.write(100, 3, filled(3, (byte) 7), 0);
            disk.write(500, 1, new byte[BLOCK], 0); // zeros written: data to the file system, nothing to copy
            disk.write(4095, 1, filled(1, (byte) 9), 0); // the last block
            copy = DiskCopier.start(disk, dir.resolve("copy.img"), DiskCopier.CHUNK_BLOCKS).await();
        }

        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(copy.target()));
        if (copy.method() == DiskCopier.Method.REFLINK) {
            assertEquals(Files.size(source), copy.bytes(), "a clone shares the whole file");
            return;
        }
        assertEquals("sparse copy", copy.method().words());
        assertEquals(5L * BLOCK, copy.bytes(), "only the five non-zero blocks are written");
        assertEquals(List.of(new LinuxFiles.DataRun(0, BLOCK), new LinuxFiles.DataRun(100L * BLOCK, 103L * BLOCK),
                        new LinuxFiles.DataRun(4095L * BLOCK, 4096L * BLOCK)),
                LinuxFiles.dataRuns(copy.target(), Files.size(source)), "everything else is a hole, block 500 too");
    }

    @Test
    void anExistingTargetIsNeverOverwritten() throws Exception {
        Path source = dir.resolve("disk0.img");
        DiskImage.create(source, 16L * BLOCK);
        Path target = Files.writeString(dir.resolve("copy.img"), "keep");
        try (DiskImage disk = DiskImage.open(source)) {
            assertThrows(FileAlreadyExistsException.class, () -> DiskCopier.start(disk, target, 1));
        }
        assertEquals("keep", Files.readString(target));
    }

    private static byte[] filled(int blocks, byte value) {
        byte[] data = new byte[blocks * BLOCK];
        Arrays.fill(data, value);
        return data;
    }
}
