package io.sitepair.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskImageTest {
    @TempDir
    Path dir;

    @Test
    void createsZeroFilledImageAndRoundTripsBlocks() throws IOException {
        Path image = dir.resolve("d.img");
        try (DiskImage disk = DiskImage.openOrCreate(image, 16 * DiskImage.BLOCK_SIZE)) {
            assertEquals(16, disk.blockCount());
            assertTrue(DiskImage.isZeroBlock(disk.read(15, 1), 0));
            byte[] data = new byte[2 * DiskImage.BLOCK_SIZE];
            Arrays.fill(data, (byte) 7);
            disk.write(3, 2, data, 0);
            disk.flush();
            assertArrayEquals(data, disk.read(3, 2));
            assertFalse(DiskImage.isZeroBlock(disk.read(4, 1), 0));
        }
        assertEquals(16L * DiskImage.BLOCK_SIZE, Files.size(image));
    }

    @Test
    void refusesOutOfRangeAccessAndBadGeometry() throws IOException {
        try (DiskImage disk = DiskImage.openOrCreate(dir.resolve("d.img"), 4 * DiskImage.BLOCK_SIZE)) {
            assertFalse(disk.inRange(3, 2));
            assertFalse(disk.inRange(-1, 1));
            assertFalse(disk.inRange(0, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> disk.read(4, 1));
        }
        Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[1000]);
        IOException e = assertThrows(IOException.class, () -> DiskImage.open(odd));
        assertTrue(e.getMessage().contains("odd.img"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DiskImage.create(dir.resolve("x.img"), 100));
    }
}
