package io.sitepair.replicator.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogRecord;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log that does not match what the guest does is caught at the first entry that disagrees. */
class ReplayDivergenceTest {
    @TempDir
    Path dir;

    final OfflineRun run = new OfflineRun(Guests.stress(), Guests.quiet(VmOptions.Engine.COMPILED));
    Path log;
    List<LogEntry> entries;

    @BeforeEach
    void record() throws Exception {
        log = dir.resolve("s.log");
        run.synthetic(List.of(dir.resolve("a.img")), 2 << 20, new OfflineRun.Workload(3, 3000, log, false), null);
        entries = LogSurgery.entries(log);
    }

    private long firstPositionOf(Class<? extends LogRecord> type, long after) {
        return entries.stream().filter(e -> type.isInstance(e.record()) && e.position() > after).findFirst()
                .orElseThrow().position();
    }

    private ReplayDivergence replayExpectingDivergence(Path edited) {
        return assertThrows(ReplayDivergence.class, () -> run.replay(List.of(dir.resolve("b.img")), edited, null, null));
    }

    @Test
    void anOutputThatDiffersFromTheLoggedOneIsCaughtAtItsEntry() throws Exception {
        long target = firstPositionOf(LogRecord.Sent.class, entries.size() / 2);
        Path edited = dir.resolve("edited.log");
        LogSurgery.rewrite(log, edited, e -> e.position() == target && e.record() instanceof LogRecord.Sent s
                ? List.of(new LogRecord.Sent(s.conn(), s.length(), s.crc() ^ 1)) : List.of(e.record()));
        ReplayDivergence d = replayExpectingDivergence(edited);
        assertEquals(target, d.position());
        assertTrue(d.getMessage().contains("output differs"), d.getMessage());
    }

    @Test
    void aMissingInputEntryIsCaughtWhereTheGuestAsksForIt() throws Exception {
        long target = firstPositionOf(LogRecord.Clock.class, entries.size() / 2);
        Path edited = dir.resolve("edited.log");
        LogSurgery.rewrite(log, edited, e -> e.position() == target ? List.of() : List.of(e.record()));
        ReplayDivergence d = replayExpectingDivergence(edited);
        assertEquals(target, d.position(), d.getMessage());
        assertTrue(d.getMessage().contains("the guest called clock_now where the primary logged"), d.getMessage());
    }

    @Test
    void differentRandomBytesChangeWhatTheGuestDoesAndAreCaught() throws Exception {
        // A random draw that picks the block the guest reads next (the stress guest's timer handler):
        // altered, the guest reads another block than the primary did.
        long target = entries.stream().filter(e -> e.position() > entries.size() / 2
                && e.record() instanceof LogRecord.Random
                && entries.get((int) e.position()).record() instanceof LogRecord.DiskRead).findFirst().orElseThrow().position();
        Path edited = dir.resolve("edited.log");
        LogSurgery.rewrite(log, edited, e -> e.position() == target && e.record() instanceof LogRecord.Random r
                ? List.of(new LogRecord.Random(flipped(r.bytes()))) : List.of(e.record()));
        ReplayDivergence d = replayExpectingDivergence(edited);
        assertEquals(target + 1, d.position(), d.getMessage());
        assertTrue(d.getMessage().contains("the guest called disk_read"), d.getMessage());
    }

    @Test
    void anEventForAConnectionThatIsNotOpenIsADivergence() throws Exception {
        long target = firstPositionOf(LogRecord.Data.class, entries.size() / 2);
        Path edited = dir.resolve("edited.log");
        LogSurgery.rewrite(log, edited, e -> e.position() == target && e.record() instanceof LogRecord.Data d
                ? List.of(new LogRecord.Data(9999, d.bytes())) : List.of(e.record()));
        ReplayDivergence d = replayExpectingDivergence(edited);
        assertEquals(target, d.position());
        assertTrue(d.getMessage().contains("data for connection 9999, which is not open"), d.getMessage());
    }

    private static byte[] flipped(byte[] bytes) {
        byte[] copy = bytes.clone();
        copy[0] ^= 1;
        return copy;
    }
}
