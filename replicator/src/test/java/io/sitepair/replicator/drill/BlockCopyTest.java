package io.sitepair.replicator.drill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.disk.DiskImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk copied in the background while it is written: the copy ends as the disk was when the copy
 * began, the disk is no longer watched once it ends, and a copy that fails never fails the disk's writes.
 */
class BlockCopyTest {
    private static final int BLOCK = DiskImage.BLOCK_SIZE;
    private static final int BLOCKS = 4096;

    @TempDir
    Path dir;

    @Test
    void writesRacingTheCopyLeaveItAsTheDiskWasWhenItBegan() throws Exception {
        Random random = new Random(17);
        try (DiskImage disk = diskWithData(random)) {
            byte[] atStart = Files.readAllBytes(disk.path());
            Path target = hole(dir.resolve("copy.img"));

            BlockCopy copy = BlockCopy.start(disk, target, 2); // tiny chunks: the writes land between them
            assertThrows(IllegalStateException.class, () -> disk.watchWrites((block, count) -> {}),
                    "the copy watches the disk while it runs");
            CompletableFuture<DiskCopier.Copied> copied = CompletableFuture.supplyAsync(() -> {
                try {
                    return copy.await();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            int writesDuringCopy = 0;
            do {
                int count = 1 + random.nextInt(8);
                long block = random.nextInt(BLOCKS - count + 1);
                if (random.nextInt(4) == 0) {
                    disk.zero(block, count);
                } else {
                    disk.write(block, count, randomBlocks(random, count), 0);
                }
                writesDuringCopy++;
            } while (!copied.isDone());
            copied.get(10, TimeUnit.SECONDS);

            assertTrue(writesDuringCopy > 1, "writes raced the copy");
            assertArrayEquals(atStart, Files.readAllBytes(target));
            AtomicInteger told = new AtomicInteger();
            disk.watchWrites((block, count) -> told.incrementAndGet()); // refused if the copy still watched
            disk.write(0, 1, randomBlocks(random, 1), 0);
            assertEquals(1, told.get(), "only the new watcher is told");
        }
    }

    @Test
    void aCopyThatCannotWriteFailsAloneAndTheDisksWritesGoOn() throws Exception {
        Random random = new Random(5);
        try (DiskImage disk = diskWithData(random)) {
            BlockCopy copy = BlockCopy.start(disk, Path.of("/dev/full"), 1); // every write: no space left

            byte[] written = randomBlocks(random, 4);
            for (long block = BLOCKS - 4; block >= 0; block -= 512) {
                long at = block;
                assertDoesNotThrow(() -> disk.write(at, 4, written, 0));
                assertArrayEquals(written, disk.read(at, 4));
            }

            IOException failed = assertThrows(IOException.class, copy::await);
            assertTrue(failed.getMessage().contains("No space left on device"), failed.getMessage());
            copy.stop();
            assertDoesNotThrow(() -> disk.watchWrites((block, count) -> {}), "a failed copy stops watching");
        }
    }

    @Test
    void aStoppedCopyNoLongerWatchesTheDisk() throws Exception {
        Random random = new Random(9);
        try (DiskImage disk = diskWithData(random)) {
            BlockCopy copy = BlockCopy.start(disk, hole(dir.resolve("copy.img")), 1);
            copy.stop();

            IOException stopped = assertThrows(IOException.class, copy::await);
            assertTrue(stopped.getMessage().contains("stopped"), stopped.getMessage());
            assertDoesNotThrow(() -> disk.watchWrites((block, count) -> {}));
        }
    }

    /** A disk whose first half holds random runs of random blocks, zero blocks among them; the rest is a hole. */
    private DiskImage diskWithData(Random random) throws IOException {
        Path path = dir.resolve("disk0.img");
        DiskImage.create(path, (long) BLOCKS * BLOCK);
        DiskImage disk = DiskImage.open(path);
        for (int block = 0; block < BLOCKS / 2; block += 8) {
            disk.write(block, 8, randomBlocks(random, 8), 0);
            disk.write(block + random.nextInt(8), 1, new byte[BLOCK], 0);
        }
        return disk;
    }

    private static Path hole(Path file) throws IOException {
        try (RandomAccessFile created = new RandomAccessFile(file.toFile(), "rw")) {
            created.setLength((long) BLOCKS * BLOCK);
        }
        return file;
    }

    private static byte[] randomBlocks(Random random, int count) {
        byte[] data = new byte[count * BLOCK];
        random.nextBytes(data);
        return data;
    }
}
