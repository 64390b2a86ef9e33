package io.sitepair.replicator.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {
    static final long DISK = 4L << 20;

    @TempDir
    Path dir;

    final OfflineRun run = new OfflineRun(Guests.stress(), Guests.quiet(VmOptions.Engine.COMPILED));

    @Test
    void restoringASnapshotAndReplayingTheRestEqualsAFullReplay() throws Exception {
        Path log = dir.resolve("s.log");
        OfflineRun.Outcome recorded = run.synthetic(List.of(dir.resolve("a.img")), DISK,
                new OfflineRun.Workload(11, 30_000, log, false),
                new OfflineRun.SnapshotRequest(12_345, dir.resolve("rec.snap")));
        assertEquals(12_345, recorded.snapshot().eventsDelivered());

        // A dirty target disk: restore must overwrite every block, not only the non-zero ones.
        Path target = dir.resolve("b.img");
        Files.write(target, new byte[(int) DISK]);
        try (var ch = java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("garbage".repeat(1000).getBytes()), DISK - 8192);
        }
        OfflineRun.Outcome restored = run.replay(List.of(target), log, dir.resolve("rec.snap"), null);
        assertEquals(recorded.events(), restored.events());
        assertArrayEquals(recorded.stateHash(), restored.stateHash());
        assertEquals(-1, Files.mismatch(dir.resolve("a.img"), target));
    }

    @Test
    void aSnapshotTakenDuringReplayAlsoResumesToTheSameState() throws Exception {
        Path log = dir.resolve("s.log");
        OfflineRun.Outcome recorded = run.synthetic(List.of(dir.resolve("a.img")), DISK,
                new OfflineRun.Workload(5, 20_000, log, true), null);
        run.replay(List.of(dir.resolve("b.img")), log, null, new OfflineRun.SnapshotRequest(7_000, dir.resolve("rep.snap")));
        OfflineRun.Outcome resumed = run.replay(List.of(dir.resolve("c.img")), log, dir.resolve("rep.snap"), null);
        assertArrayEquals(recorded.stateHash(), resumed.stateHash());
    }

    @Test
    void theStateHashCoversMemoryAndDisk() throws Exception {
        OfflineRun.Outcome a = run.synthetic(List.of(dir.resolve("a.img")), DISK,
                new OfflineRun.Workload(5, 2_000, dir.resolve("a.log"), false), null);
        OfflineRun.Outcome b = run.replay(List.of(dir.resolve("b.img")), dir.resolve("a.log"), null, null);
        assertArrayEquals(a.stateHash(), b.stateHash());
        // The same log replayed onto a disk that was not blank: the disk-read checksum catches it.
        Path dirty = dir.resolve("dirty.img");
        Files.write(dirty, new byte[(int) DISK]);
        try (var ch = java.nio.channels.FileChannel.open(dirty, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), 5);
        }
        ReplayDivergence e = assertThrows(ReplayDivergence.class,
                () -> run.replay(List.of(dirty), dir.resolve("a.log"), null, null));
        assertTrue(e.getMessage().contains("disk 0 blocks [0, 1) differ from the primary's"), e.getMessage());
    }

    @Test
    void aSnapshotOfAnotherGuestOrACorruptOneIsRefused() throws Exception {
        Path log = dir.resolve("s.log");
        run.synthetic(List.of(dir.resolve("a.img")), DISK, new OfflineRun.Workload(1, 500, log, false),
                new OfflineRun.SnapshotRequest(100, dir.resolve("s.snap")));
        IOException wrongGuest = assertThrows(IOException.class, () -> VmThread.call("t",
                () -> Snapshot.restore(dir.resolve("s.snap"), Guests.faulty(), Guests.quiet(VmOptions.Engine.COMPILED),
                        List.of())));
        assertTrue(wrongGuest.getMessage().contains("not of faulty"), wrongGuest.getMessage());

        byte[] snap = Files.readAllBytes(dir.resolve("s.snap"));
        snap[snap.length / 2] ^= 1;
        Files.write(dir.resolve("bad.snap"), snap);
        Path keep = dir.resolve("c.img");
        Files.write(keep, new byte[(int) DISK]);
        Files.write(keep, "precious".getBytes(), java.nio.file.StandardOpenOption.WRITE);
        byte[] before = Files.readAllBytes(keep);
        IOException corrupt = assertThrows(IOException.class,
                () -> run.replay(List.of(keep), log, dir.resolve("bad.snap"), null));
        assertTrue(corrupt.getMessage().contains("bad.snap: snapshot is corrupt"), corrupt.getMessage());
        assertArrayEquals(before, Files.readAllBytes(keep), "a refused snapshot must not touch the disk");
    }
}
