package io.sitepair.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResyncProgressTest {
    @Test
    void onlyPersistedCopiesLeaveThePendingSetAndTheFileSurvivesAReopen(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("resync-progress");
        BitSet disk0 = new BitSet();
        disk0.set(0, 1000);
        BitSet disk1 = new BitSet();
        disk1.set(5);
        ResyncProgress progress = ResyncProgress.begin(file, "a", new Stamp(3, 900), List.of(1024L, 64L),
                List.of(disk0, disk1));
        progress.copied(0, 0, 600);
        assertEquals(1001, ResyncProgress.open(file).pendingBlocks(), "not persisted yet: still pending on disk");

        progress.persist();
        ResyncProgress reopened = ResyncProgress.open(file);
        assertEquals("a", reopened.source());
        assertEquals(new Stamp(3, 900), reopened.start());
        assertEquals(List.of(1024L, 64L), reopened.diskBlocks());
        assertEquals(400, reopened.pending(0).cardinality());
        assertEquals(600, reopened.pending(0).nextSetBit(0));
        assertTrue(reopened.pending(1).get(5));

        ResyncProgress.clear(file);
        assertNull(ResyncProgress.open(file));
    }

    @Test
    void aDamagedFileIsAnErrorNamingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("resync-progress");
        BitSet bits = new BitSet();
        bits.set(1, 9);
        ResyncProgress.begin(file, "b", new Stamp(1, 1), List.of(16L), List.of(bits));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 1;
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> ResyncProgress.open(file));
        assertTrue(e.getMessage().startsWith(file + ": checksum mismatch"), e.getMessage());
        Files.writeString(file, "hello");
        assertTrue(assertThrows(IOException.class, () -> ResyncProgress.open(file)).getMessage()
                .contains("not a sitepair resync progress file"));
    }
}
