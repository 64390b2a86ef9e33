package io.sitepair.replicator.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    static final LogHeader HEADER = new LogHeader(new byte[32], "amd64", List.of(16384L, 256L), false, 1);

    static final List<LogRecord> ALL_KINDS = List.of(new LogRecord.Init(), new LogRecord.Opened(1),
            new LogRecord.Data(1, new byte[] {1, 2, 3}), new LogRecord.Closed(1), new LogRecord.TimerFired(-7),
            new LogRecord.Clock(1_795_000_000_000_000_000L), new LogRecord.Random(new byte[] {9, 8}),
            new LogRecord.DiskRead(1, 255, 1, 0xcafebabe), new LogRecord.DiskReadData(0, 3, 1, new byte[4096]),
            new LogRecord.Sent(4, 10, 0x12345678), new LogRecord.Hangup(4),
            new LogRecord.StateCheck(new byte[32]), new LogRecord.Control(LogRecord.Control.Operation.SWITCHOVER),
            new LogRecord.DiskCheck(1, 65536, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, true),
            new LogRecord.BlockRepair(0, 17, new byte[8192]));

    static byte[] write(List<LogRecord> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (LogWriter writer = new LogWriter(bytes, HEADER, () -> 42L)) {
            for (LogRecord r : records) {
                writer.append(r);
            }
        }
        return bytes.toByteArray();
    }

    static List<LogEntry> readAll(byte[] log) throws IOException {
        List<LogEntry> entries = new ArrayList<>();
        try (LogReader reader = new LogReader(new ByteArrayInputStream(log))) {
            for (LogEntry e = reader.next(); e != null; e = reader.next()) {
                entries.add(e);
            }
        }
        return entries;
    }

    @Test
    void everyRecordKindRoundTripsWithConsecutivePositions() throws IOException {
        List<LogEntry> entries = readAll(write(ALL_KINDS));
        assertEquals(ALL_KINDS.size(), entries.size());
        for (int i = 0; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            assertEquals(i + 1, e.position());
            assertEquals(42L, e.timestampNanos());
            assertEquals(ALL_KINDS.get(i).describe(), e.record().describe());
        }
        assertArrayEquals(((LogRecord.DiskReadData) ALL_KINDS.get(8)).data(),
                ((LogRecord.DiskReadData) entries.get(8).record()).data());
    }

    @Test
    void headerRoundTripsAndIsChecked() throws IOException {
        byte[] log = write(List.of());
        try (LogReader reader = new LogReader(new ByteArrayInputStream(log))) {
            assertEquals(HEADER.diskBlocks(), reader.header().diskBlocks());
            assertEquals("amd64", reader.header().cpuArch());
            assertNull(reader.next());
        }
        byte[] badMagic = log.clone();
        badMagic[0] = 'X';
        assertTrue(assertThrows(LogFormatException.class, () -> readAll(badMagic)).getMessage().contains("magic"));
        byte[] badHeader = log.clone();
        badHeader[20] ^= 1;
        assertTrue(assertThrows(LogFormatException.class, () -> readAll(badHeader)).getMessage().contains("header"));
    }

    /** Flip every single byte of every entry, one at a time: each flip is refused, naming the entry. */
    @Test
    void anyFlippedByteIsRefusedWithItsEntryPosition() throws IOException {
        byte[] log = write(ALL_KINDS);
        int headerSize = write(List.of()).length;
        List<long[]> entryBounds = new ArrayList<>(); // [start, end, position]
        int at = headerSize;
        for (int i = 0; i < ALL_KINDS.size(); i++) {
            int size = EntryFrame.frameSize(ALL_KINDS.get(i));
            entryBounds.add(new long[] {at, at + size, i + 1});
            at += size;
        }
        assertEquals(log.length, at);
        for (long[] bound : entryBounds) {
            for (long offset = bound[0]; offset < bound[1]; offset++) {
                byte[] damaged = log.clone();
                damaged[(int) offset] ^= 0x10;
                LogCorruptException e = assertThrows(LogCorruptException.class, () -> readAll(damaged),
                        "flip at byte " + offset);
                assertEquals(bound[2], e.position(), "flip at byte " + offset);
                assertEquals(bound[0], e.byteOffset());
                assertTrue(e.getMessage().contains("position " + bound[2]), e.getMessage());
            }
        }
    }

    @Test
    void everyTruncationPointIsReportedWithTheLastCompleteEntry() throws IOException {
        byte[] log = write(ALL_KINDS);
        int headerSize = write(List.of()).length;
        int boundary = headerSize;
        int complete = 0;
        for (int cut = headerSize; cut < log.length; cut++) {
            if (complete < ALL_KINDS.size() && cut == boundary + EntryFrame.frameSize(ALL_KINDS.get(complete))) {
                boundary = cut;
                complete++;
            }
            byte[] torn = Arrays.copyOf(log, cut);
            if (cut == boundary) {
                assertEquals(complete, readAll(torn).size(), "clean cut at " + cut);
            } else {
                LogTruncatedException e = assertThrows(LogTruncatedException.class, () -> readAll(torn));
                assertEquals(complete, e.lastCompletePosition(), "cut at " + cut);
                assertEquals(cut, e.byteOffset());
            }
        }
    }

    @Test
    void positionsOutOfOrderAreRefused() throws IOException {
        byte[] a = write(List.of(new LogRecord.Init()));
        byte[] b = write(List.of(new LogRecord.Init(), new LogRecord.Opened(1)));
        int headerSize = write(List.of()).length;
        // Splice entry 2 of b directly after the header: a valid frame at the wrong position.
        int firstSize = EntryFrame.frameSize(new LogRecord.Init());
        byte[] spliced = new byte[a.length - firstSize + (b.length - headerSize - firstSize)];
        System.arraycopy(a, 0, spliced, 0, headerSize);
        System.arraycopy(b, headerSize + firstSize, spliced, headerSize, b.length - headerSize - firstSize);
        LogCorruptException e = assertThrows(LogCorruptException.class, () -> readAll(spliced));
        assertTrue(e.getMessage().contains("position 2 where 1 was expected"), e.getMessage());
    }

    @Test
    void randomGarbageNeverYieldsAnEntry() throws IOException {
        byte[] header = write(List.of());
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[1 + random.nextInt(200)];
            random.nextBytes(junk);
            byte[] log = Arrays.copyOf(header, header.length + junk.length);
            System.arraycopy(junk, 0, log, header.length, junk.length);
            assertThrows(LogFormatException.class, () -> readAll(log), "junk " + i);
        }
    }
}
