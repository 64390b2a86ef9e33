package io.sitepair.replicator.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.vm.GuestVm;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk log: restarts, torn tails, corruption, compaction, a full disk, foreign disks. */
class KvPersistenceTest {
    static final int BLOCK = 4096;

    @TempDir
    Path dir;

    KvServer kv;

    @AfterEach
    void shutdown() throws Exception {
        if (kv != null) {
            kv.close();
        }
    }

    Path image() {
        return dir.resolve("kv.img");
    }

    byte[] imageBytes() throws Exception {
        return Files.readAllBytes(image());
    }

    /** The byte range [from, to) where two images differ. */
    static int[] changed(byte[] before, byte[] after) {
        int from = Arrays.mismatch(before, after);
        int to = after.length;
        while (to > from && before[to - 1] == after[to - 1]) {
            to--;
        }
        return new int[] {from, to};
    }

    void patch(int offset, byte[] data) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(image().toFile(), "rw")) {
            f.seek(offset);
            f.write(data);
        }
    }

    @Test
    void everyKindOfWriteSurvivesARestartAndDeadlinesStayAbsolute() throws Exception {
        kv = KvServer.boot(image(), 4L << 20);
        assertEquals("+OK\r\n", kv.cmd("SET", "plain", "v"));
        assertEquals("+OK\r\n", kv.cmd("SET", "short", "v", "PX", "1000"));
        assertEquals("+OK\r\n", kv.cmd("SET", "long", "v", "EX", "100"));
        assertEquals("+OK\r\n", kv.cmd("MSET", "m1", "a", "m2", "b", "m3", "c"));
        assertEquals(":1\r\n", kv.cmd("DEL", "m2"));
        assertEquals(":5\r\n", kv.cmd("INCRBY", "n", "5"));
        assertEquals(":3\r\n", kv.cmd("APPEND", "s", "abc"));
        assertEquals(":6\r\n", kv.cmd("APPEND", "s", "def"));
        assertEquals("+OK\r\n", kv.cmd("SET", "p", "v", "EX", "10"));
        assertEquals(":1\r\n", kv.cmd("PERSIST", "p"));
        assertEquals("+OK\r\n", kv.cmd("SET", "e", "v"));
        assertEquals(":1\r\n", kv.cmd("PEXPIRE", "e", "50000"));
        assertEquals("+OK\r\n", kv.cmd("SET", "gone", "v"));
        assertEquals(":1\r\n", kv.cmd("EXPIRE", "gone", "-1"));
        // A key that expired, then was appended to: the append must not resurrect the old value.
        assertEquals("+OK\r\n", kv.cmd("SET", "reborn", "old", "PX", "10"));
        kv.advanceMillis(20);
        assertEquals(":3\r\n", kv.cmd("APPEND", "reborn", "new"));
        assertEquals("$1\r\nv\r\n", kv.cmd("GETSET", "plain", "longer"));

        kv.clock.addAndGet(2_000_000_000L); // 2 s pass while the store is down
        kv = kv.restart();
        assertEquals("$6\r\nlonger\r\n", kv.cmd("GET", "plain"));
        assertEquals("$-1\r\n", kv.cmd("GET", "short"));
        assertEquals(":98\r\n", kv.cmd("TTL", "long"));
        assertEquals("*3\r\n$1\r\na\r\n$-1\r\n$1\r\nc\r\n", kv.cmd("MGET", "m1", "m2", "m3"));
        assertEquals("$1\r\n5\r\n", kv.cmd("GET", "n"));
        assertEquals("$6\r\nabcdef\r\n", kv.cmd("GET", "s"));
        assertEquals(":-1\r\n", kv.cmd("TTL", "p"));
        assertEquals(":48\r\n", kv.cmd("TTL", "e"));
        assertEquals(":0\r\n", kv.cmd("EXISTS", "gone"));
        assertEquals("$3\r\nnew\r\n", kv.cmd("GET", "reborn"));
        assertEquals(":-1\r\n", kv.cmd("TTL", "reborn"));
        assertEquals(":9\r\n", kv.cmd("DBSIZE"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));
        assertEquals(0, kv.infoLong("kv_torn_tail_ignored"));

        // FLUSHALL is durable too, and so is what follows it.
        assertEquals("+OK\r\n", kv.cmd("FLUSHALL"));
        assertEquals("+OK\r\n", kv.cmd("SET", "after", "1"));
        kv = kv.restart();
        assertEquals("*1\r\n$5\r\nafter\r\n", kv.cmd("KEYS", "*"));
    }

    @Test
    void aTornLastCommitIsIgnoredSilently() throws Exception {
        kv = KvServer.boot(image(), 4L << 20);
        for (int i = 0; i < 5; i++) {
            assertEquals("+OK\r\n", kv.cmd("SET", "k" + i, "value" + i));
        }
        byte[] before = imageBytes();
        assertEquals("+OK\r\n", kv.cmd("SET", "last", "x".repeat(300)));
        int[] commit = changed(before, imageBytes());
        kv.close();
        // The write reached the disk only partly: its second half is still zero.
        int mid = (commit[0] + commit[1]) / 2;
        patch(mid, new byte[commit[1] - mid]);
        kv = kv.restart();
        assertEquals("$-1\r\n", kv.cmd("GET", "last"));
        assertEquals("$6\r\nvalue4\r\n", kv.cmd("GET", "k4"));
        assertEquals(":5\r\n", kv.cmd("DBSIZE"));
        assertEquals(1, kv.infoLong("kv_torn_tail_ignored"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));

        // New commits go around the torn remains; the next boot reads them back cleanly.
        assertEquals("+OK\r\n", kv.cmd("SET", "next", "1"));
        kv = kv.restart();
        assertEquals("$1\r\n1\r\n", kv.cmd("GET", "next"));
        assertEquals(":6\r\n", kv.cmd("DBSIZE"));
        assertEquals(0, kv.infoLong("kv_torn_tail_ignored"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));
    }

    @Test
    void aMultiBlockCommitTornInTheMiddleIsATornTailNotCorruption() throws Exception {
        kv = KvServer.boot(image(), 4L << 20);
        assertEquals("+OK\r\n", kv.cmd("SET", "first", "1"));
        byte[] before = imageBytes();
        // One event, one commit of many records over many blocks.
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
            pipeline.writeBytes(Resp.command("SET", "p" + i, "y".repeat(1000)));
        }
        int conn = kv.open();
        kv.send(conn, pipeline.toByteArray());
        assertEquals("+OK\r\n".repeat(40), Resp.text(kv.take(conn)));
        int[] commit = changed(before, imageBytes());
        assertTrue(commit[1] - commit[0] > 8 * BLOCK, "spans blocks");
        kv.close();
        // Blocks 2 and 3 of the commit never reached the disk; the rest did.
        int lost = (commit[0] / BLOCK + 2) * BLOCK;
        patch(lost, new byte[2 * BLOCK]);
        kv = kv.restart();
        assertEquals(1, kv.infoLong("kv_torn_tail_ignored"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));
        assertEquals("$1\r\n1\r\n", kv.cmd("GET", "first"));
        int n = Integer.parseInt(kv.cmd("DBSIZE").substring(1).trim());
        assertTrue(n > 1 && n < 41, "a prefix of the torn commit: " + n);
        for (int i = 0; i < n - 1; i++) {
            assertEquals(":1\r\n", kv.cmd("EXISTS", "p" + i), "prefix key p" + i);
        }
    }

    @Test
    void corruptionInTheMiddleIsReportedAndSkipped() throws Exception {
        kv = KvServer.boot(image(), 4L << 20);
        int[] victim = null;
        for (int i = 0; i < 20; i++) {
            byte[] before = imageBytes();
            assertEquals("+OK\r\n", kv.cmd("SET", "k" + i, "value" + i));
            if (i == 7) {
                victim = changed(before, imageBytes());
            }
        }
        kv.close();
        patch(victim[0] + 50, new byte[] {(byte) 0x5a, (byte) 0xa5}); // inside k7's record
        kv = kv.restart();
        assertEquals(GuestVm.Status.RUNNING, kv.status());
        assertEquals(1, kv.infoLong("kv_corrupt_records"));
        assertEquals(1, kv.infoLong("kv_corrupt_regions"));
        assertTrue(kv.consoleText().contains("corrupt"), kv.consoleText());
        assertEquals("$-1\r\n", kv.cmd("GET", "k7"));
        assertEquals(":19\r\n", kv.cmd("DBSIZE"));
        assertEquals("$7\r\nvalue19\r\n", kv.cmd("GET", "k19"));
        assertEquals("+OK\r\n", kv.cmd("SET", "k7", "again")); // writes go on
        kv = kv.restart();
        assertEquals("$5\r\nagain\r\n", kv.cmd("GET", "k7"));
        assertEquals(":20\r\n", kv.cmd("DBSIZE"));
    }

    @Test
    void damageToTheLastRecordAfterABootSealedItIsCorruptionNotATornTail() throws Exception {
        kv = KvServer.boot(image(), 4L << 20);
        assertEquals("+OK\r\n", kv.cmd("SET", "a", "1"));
        byte[] before = imageBytes();
        assertEquals("+OK\r\n", kv.cmd("SET", "b", "2"));
        int[] last = changed(before, imageBytes());
        kv = kv.restart(); // recovers a and b, and seals them
        kv.close();
        patch(last[0] + 45, new byte[] {0x7f});
        kv = kv.restart();
        assertEquals(1, kv.infoLong("kv_corrupt_records"));
        assertEquals(0, kv.infoLong("kv_torn_tail_ignored"));
        assertEquals("$1\r\n1\r\n", kv.cmd("GET", "a"));
    }

    @Test
    void compactionKeepsDiskUseBoundedByLiveData() throws Exception {
        kv = KvServer.boot(image(), 4L << 20);
        String value = "v".repeat(200);
        int conn = kv.open();
        long maxRatioViolations = 0;
        assertEquals(2, kv.infoLong("kv_disk_overhead_factor"));
        long slack = Long.parseLong(kv.info("kv_disk_log_limit").replace("2*live+", ""));
        for (int round = 0; round < 1500; round++) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int k = 0; k < 20; k++) {
                batch.writeBytes(Resp.command("SET", "key" + k, value + round));
            }
            kv.send(conn, batch.toByteArray());
            assertEquals("+OK\r\n".repeat(20), Resp.text(kv.take(conn)));
            if (round % 100 == 99) {
                long log = kv.infoLong("kv_disk_log_bytes");
                long live = kv.infoLong("kv_disk_live_bytes");
                // The bound holds between events (compaction runs at the end of one).
                if (log > 2 * live + slack) {
                    maxRatioViolations++;
                }
            }
        }
        assertEquals(0, maxRatioViolations);
        long written = kv.infoLong("kv_disk_bytes_written");
        assertTrue(written > 3 * (4L << 20), "wrote far more than the disk holds: " + written);
        assertTrue(kv.infoLong("kv_compactions") > 2, "compactions: " + kv.info("kv_compactions"));
        kv = kv.restart();
        for (int k = 0; k < 20; k++) {
            assertEquals("$" + (value.length() + 4) + "\r\n" + value + "1499\r\n", kv.cmd("GET", "key" + k));
        }
        assertEquals(":20\r\n", kv.cmd("DBSIZE"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));
        // Both halves hold many stale copies of every key: none may come back once deleted.
        for (int k = 0; k < 10; k++) {
            assertEquals(":1\r\n", kv.cmd("DEL", "key" + k));
        }
        kv = kv.restart();
        assertEquals(":10\r\n", kv.cmd("DBSIZE"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));
        assertEquals(0, kv.infoLong("kv_torn_tail_ignored"));
    }

    @Test
    void aFullDiskRefusesWritesAndKeepsServingReads() throws Exception {
        kv = KvServer.boot(image(), 1L << 20); // two halves of ~508 KiB
        String chunk = "z".repeat(64 << 10);
        int stored = 0;
        String reply;
        while ((reply = kv.cmd("SET", "big" + stored, chunk)).equals("+OK\r\n")) {
            stored++;
            assertTrue(stored < 20, "the disk never filled up");
        }
        assertTrue(reply.startsWith("-ERR disk full"), reply);
        assertTrue(stored >= 5, "stored " + stored);
        assertTrue(kv.cmd("APPEND", "big0", chunk).startsWith("-ERR disk full"));
        assertTrue(kv.cmd("MSET", "x", chunk, "y", chunk).startsWith("-ERR disk full"));
        assertTrue(kv.infoLong("kv_disk_full_errors") >= 3);
        for (int i = 0; i < stored; i++) {
            assertEquals(":" + chunk.length() + "\r\n", kv.cmd("STRLEN", "big" + i));
        }
        // Small writes that fit, shrinking overwrites and deletes still work; a delete makes room.
        assertEquals("+OK\r\n", kv.cmd("SET", "small", "1"));
        assertEquals("+OK\r\n", kv.cmd("SET", "big0", "shrunk"));
        assertEquals(":1\r\n", kv.cmd("DEL", "big1"));
        assertEquals("+OK\r\n", kv.cmd("SET", "big1", chunk));
        kv = kv.restart();
        assertEquals(":" + (stored + 1) + "\r\n", kv.cmd("DBSIZE"));
        assertEquals("$6\r\nshrunk\r\n", kv.cmd("GET", "big0"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));
        int more = 0;
        while (kv.cmd("SET", "more" + more, chunk).equals("+OK\r\n")) {
            more++;
            assertTrue(more < 3, "shrinking big0 freed room for one more chunk, not " + more);
        }
        assertEquals(1, more);
        assertEquals(GuestVm.Status.RUNNING, kv.status());
    }

    @Test
    void aDiskWithoutAKvSuperblockIsNeverOverwritten() throws Exception {
        byte[] foreign = new byte[1 << 20];
        Arrays.fill(foreign, 0, 2 * BLOCK, (byte) 0x42);
        Files.write(image(), foreign);
        kv = KvServer.boot(image(), 1L << 20);
        assertTrue(kv.cmd("SET", "k", "v").startsWith("-ERR disk 0 does not hold a kv store"));
        assertEquals("$-1\r\n", kv.cmd("GET", "k"));
        assertEquals("+PONG\r\n", kv.cmd("PING"));
        assertTrue(kv.info("kv_disk_status").contains("does not hold a kv store"));
        kv.close();
        assertArrayEquals(foreign, imageBytes());
    }

    @Test
    void aDamagedSuperblockSlotFallsBackToTheOther() throws Exception {
        kv = KvServer.boot(image(), 1L << 20);
        assertEquals("+OK\r\n", kv.cmd("SET", "k", "v"));
        kv = kv.restart();
        assertEquals("+OK\r\n", kv.cmd("SET", "j", "w"));
        kv.close();
        // Damage the newest superblock (the one with the higher sequence number).
        byte[] img = imageBytes();
        long seq0 = java.nio.ByteBuffer.wrap(img, 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        long seq1 = java.nio.ByteBuffer.wrap(img, BLOCK + 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        patch(seq0 > seq1 ? 20 : BLOCK + 20, new byte[] {1, 2, 3});
        kv = kv.restart();
        assertEquals(1, kv.infoLong("kv_superblock_damaged"));
        assertEquals("$1\r\nv\r\n", kv.cmd("GET", "k"));
        assertEquals("$1\r\nw\r\n", kv.cmd("GET", "j"));
        assertEquals(0, kv.infoLong("kv_corrupt_records"));
    }
}
