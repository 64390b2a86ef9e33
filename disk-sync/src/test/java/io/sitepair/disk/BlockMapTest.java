package io.sitepair.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockMapTest {
    @TempDir
    Path dir;

    @Test
    void theLatestWriteOfEachBlockDecidesWhetherItChangedAfterAPoint() throws Exception {
        try (BlockMap map = BlockMap.open(dir.resolve("map"), 1)) {
            map.record(0, 10, 3, new Stamp(1, 100)); // blocks 10, 11, 12
            map.record(0, 11, 1, new Stamp(1, 250));
            map.record(0, 2000, 1, new Stamp(2, 120)); // a later epoch, a lower position: still later
            map.record(1, 10, 1, new Stamp(1, 300)); // another disk
            assertEquals(new Stamp(1, 250), map.stamp(0, 11));
            assertEquals(Stamp.ZERO, map.stamp(0, 13));
            assertEquals(bits(11, 2000), map.writtenAfter(0, 4096, new Stamp(1, 200)));
            assertEquals(bits(10, 11, 12, 2000), map.writtenAfter(0, 4096, new Stamp(1, 99)));
            assertEquals(bits(), map.writtenAfter(0, 4096, new Stamp(2, 120)));
            assertEquals(bits(10), map.writtenAfter(1, 4096, new Stamp(1, 200)));
            assertEquals(300, map.lastPositionIn(1), "how far the site surely got in epoch 1");
            assertEquals(120, map.lastPositionIn(2));
        }
    }

    @Test
    void aCleanStopKeepsEveryStampExact() throws Exception {
        try (BlockMap map = BlockMap.open(dir.resolve("map"), 1)) {
            map.record(0, 7, 1, new Stamp(1, 42));
        }
        try (BlockMap map = BlockMap.open(dir.resolve("map"), 1)) {
            assertEquals(new Stamp(1, 42), map.stamp(0, 7));
            assertEquals(Stamp.ZERO, map.stamp(0, 8), "a block of the same extent never written");
            assertNull(map.stats().recoveredUnknown());
        }
    }

    @Test
    void aMapCreatedAtOpenHadNoUncleanStopToRecover() throws Exception {
        try (BlockMap map = BlockMap.open(dir.resolve("map"), 0)) {
            assertNull(map.stats().recoveredUnknown(), "a site that never ran says nothing of an unclean stop");
        }
    }

    /** After an unclean stop, every block of a hot extent counts as written at an unknown point. */
    @Test
    void anUncleanStopMarksTheHotExtentsAsChangedAndNothingElse() throws Exception {
        BlockMap crashed = BlockMap.open(dir.resolve("map"), 3);
        crashed.record(0, 5, 1, new Stamp(3, 10));
        crashed.record(0, 4 * BlockMap.EXTENT_BLOCKS + 1, 1, new Stamp(3, 11));
        crashed.abandon();
        try (BlockMap map = BlockMap.open(dir.resolve("map"), 3)) {
            BitSet changed = map.writtenAfter(0, 8 * BlockMap.EXTENT_BLOCKS, new Stamp(3, 1_000_000));
            assertEquals(2 * BlockMap.EXTENT_BLOCKS, changed.cardinality());
            assertTrue(changed.get(0) && changed.get(BlockMap.EXTENT_BLOCKS - 1));
            assertTrue(changed.get(4 * BlockMap.EXTENT_BLOCKS) && !changed.get(BlockMap.EXTENT_BLOCKS));
            assertNotNull(map.stats().recoveredUnknown());
        }
    }

    @Test
    void theActivityLogIsBoundedAndCoolsTheLeastRecentlyHeatedExtentsWithExactStamps() throws Exception {
        int extents = BlockMap.HOT_EXTENTS + 10;
        BlockMap crashed = BlockMap.open(dir.resolve("map"), 1);
        for (int e = 0; e < extents; e++) {
            crashed.record(0, (long) e * BlockMap.EXTENT_BLOCKS, 1, new Stamp(1, e + 1));
        }
        assertEquals(BlockMap.HOT_EXTENTS, crashed.stats().hotExtents());
        crashed.abandon();
        try (BlockMap map = BlockMap.open(dir.resolve("map"), 1)) {
            assertEquals(new Stamp(1, 1), map.stamp(0, 0), "the first extent cooled with its exact stamp");
            assertEquals(Stamp.ZERO, map.stamp(0, 1));
            long lastFirst = (long) (extents - 1) * BlockMap.EXTENT_BLOCKS;
            assertEquals(Stamp.unknownIn(1), map.stamp(0, lastFirst + 1), "a hot extent's block after the crash");
        }
    }

    /**
     * A writer process killed with SIGKILL at an arbitrary moment: every block it managed to
     * write to the image (each block carries the stamp it was written at) has a map stamp at
     * least as late. The map may overstate a change, never miss one. The writer touches four times
     * as many extents as stay hot, so most blocks are judged by their precise records, not by the
     * activity log's recovery.
     */
    @Test
    void afterKillNineTheMapNeverClaimsABlockIsOlderThanItIs() throws Exception {
        Path image = dir.resolve("disk.img");
        Path map = dir.resolve("map");
        for (int round = 0; round < 3; round++) {
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    CrashingWriter.class.getName(), image.toString(), map.toString(), String.valueOf(round + 1))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("writer.out").toFile()).start();
            // Killed once it has written enough to touch more extents than stay hot (however slow
            // the machine), then at a moment that differs from round to round.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(dir.resolve("writer.out")) || !Files.readString(dir.resolve("writer.out"))
                    .contains("synced through 512\n")) {
                assertTrue(System.nanoTime() < deadline && writer.isAlive(), "the writer did not get going: "
                        + (Files.exists(dir.resolve("writer.out")) ? Files.readString(dir.resolve("writer.out")) : ""));
                Thread.sleep(10);
            }
            Thread.sleep(50L * round);
            writer.destroyForcibly().waitFor();

            try (DiskImage disk = DiskImage.open(image); BlockMap reopened = BlockMap.open(map, round + 1)) {
                int checked = 0;
                int exact = 0;
                for (long block = 0; block < disk.blockCount(); block += BlockMap.EXTENT_BLOCKS) {
                    ByteBuffer data = ByteBuffer.wrap(disk.read(block, 1));
                    Stamp written = new Stamp(data.getLong(), data.getLong());
                    if (written.equals(Stamp.ZERO)) {
                        continue;
                    }
                    checked++;
                    Stamp mapped = reopened.stamp(0, block);
                    assertFalse(written.after(mapped), "block " + block + " was written at " + written
                            + " but the map says " + mapped);
                    if (mapped.position() != Long.MAX_VALUE) {
                        exact++;
                    }
                }
                assertTrue(checked > BlockMap.HOT_EXTENTS, "the writer wrote only " + checked + " blocks");
                assertTrue(exact > 0, "no block was judged by its precise record");
            }
        }
    }

    /** The process killed by the test above: records and writes blocks, each carrying its stamp. */
    public static final class CrashingWriter {
        public static void main(String[] args) throws Exception {
            Path image = Path.of(args[0]);
            long epoch = Long.parseLong(args[2]);
            long extents = 4L * BlockMap.HOT_EXTENTS;
            try (DiskImage disk = DiskImage.openOrCreate(image, extents * BlockMap.EXTENT_BLOCKS * DiskImage.BLOCK_SIZE);
                 BlockMap map = BlockMap.open(Path.of(args[1]), epoch - 1)) {
                java.util.Random random = new java.util.Random(epoch);
                for (long position = 1; ; position++) {
                    long block = random.nextInt((int) extents) * (long) BlockMap.EXTENT_BLOCKS;
                    Stamp stamp = new Stamp(epoch, position);
                    map.record(0, block, 1, stamp);
                    disk.write(block, 1, ByteBuffer.allocate(DiskImage.BLOCK_SIZE).putLong(epoch).putLong(position)
                            .array(), 0);
                    if (position % 64 == 0) {
                        map.sync();
                        disk.flush();
                        System.out.println("synced through " + position);
                        System.out.flush();
                    }
                }
            }
        }
    }

    private static BitSet bits(int... set) {
        BitSet bits = new BitSet();
        for (int b : set) {
            bits.set(b);
        }
        return bits;
    }
}
