package io.sitepair.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.chaos.Operation.Kind;
import io.sitepair.ops.chaos.Operation.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
    /** A clock that moves on by one microsecond each time it is read. */
    private static InstantSource ticking(long startNanos) {
        AtomicLong nanos = new AtomicLong(startNanos);
        return () -> Instant.EPOCH.plusNanos(nanos.getAndAdd(1_000));
    }

    @Test
    void recordsOperationsInInvocationOrderWithTheirOutcomes() {
        History history = new History(ticking(1_000_000));
        History.Pending set = history.invoke(1, Kind.SET, "k", "v", "a");
        History.Pending get = history.invoke(2, Kind.GET, "k", null, "a");
        History.Pending incr = history.invoke(3, Kind.INCR, "c", null, "b");
        History.Pending refused = history.invoke(4, Kind.SET, "k", "w", null);
        History.Pending inFlight = history.invoke(5, Kind.GET, "k", null, "a");
        get.ok("v", "b");
        set.ok(null);
        incr.unknown();
        refused.failed();

        List<Operation> ops = history.operations();
        assertEquals(List.of(
                new Operation(1, Kind.SET, "k", "v", null, 1_000_000, 1_006_000, Outcome.OK, "a"),
                new Operation(2, Kind.GET, "k", null, "v", 1_001_000, 1_005_000, Outcome.OK, "b"),
                new Operation(3, Kind.INCR, "c", null, null, 1_002_000, Long.MAX_VALUE, Outcome.UNKNOWN, "b"),
                new Operation(4, Kind.SET, "k", "w", null, 1_003_000, 1_007_000, Outcome.FAILED, null),
                new Operation(5, Kind.GET, "k", null, null, 1_004_000, Long.MAX_VALUE, Outcome.UNKNOWN, "a")), ops);
        assertThrows(IllegalStateException.class, () -> set.ok(null), "completed twice");
        inFlight.ok("v");
        assertEquals(Outcome.OK, history.operations().get(4).outcome());
    }

    @Test
    void anOperationNeverEndsBeforeItBeganEvenIfTheClockStepsBack() {
        AtomicLong nanos = new AtomicLong(5_000);
        History history = new History(() -> Instant.EPOCH.plusNanos(nanos.getAndAdd(-1_000)));
        history.invoke(1, Kind.GET, "k", null, "a").ok(null);
        Operation op = history.operations().getFirst();
        assertEquals(op.invokeNanos(), op.completeNanos());
    }

    @Test
    void writtenHistoriesReadBackTheSame(@TempDir Path dir) throws IOException {
        History history = new History(ticking(1_700_000_000_000_000_000L));
        history.invoke(1, Kind.SET, "key\twith tab", "line\nbreak \\ and \\N", "a").ok(null);
        history.invoke(2, Kind.SET, "k", "", null).failed();
        history.invoke(3, Kind.GET, "k", null, "b").ok(null);
        history.invoke(4, Kind.INCR, "c", null, "a").ok("12");
        history.invoke(5, Kind.SET, "k", "x", "a").unknown();
        Path file = dir.resolve("history.tsv");
        history.write(file);

        assertEquals(history.operations(), History.read(file));
        List<String> lines = Files.readAllLines(file);
        assertEquals(HistoryFile.HEADER, lines.getFirst());
        assertEquals("5\tSET\tk\tx\t\\N\t1700000000000008000\tinf\tUNKNOWN\ta", lines.get(5));
    }

    @Test
    void aMalformedLineIsNamedWithWhatIsWrong(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.tsv");
        Files.writeString(file, HistoryFile.HEADER + "\n"
                + "1\tSET\tk\tv\t\\N\t10\t20\tOK\ta\n"
                + "2\tGET\tk\t\\N\tv\t30\t40\tMAYBE\ta\n");
        IOException error = assertThrows(IOException.class, () -> History.read(file));
        assertTrue(error.getMessage().startsWith(file + " line 3: "), error.getMessage());
        assertTrue(error.getMessage().contains("outcome \"MAYBE\" is not one of [OK, FAILED, UNKNOWN]"), error.getMessage());

        Files.writeString(file, HistoryFile.HEADER + "\n1\tSET\tk\tv\t\\N\t10\tinf\tOK\ta\n");
        error = assertThrows(IOException.class, () -> History.read(file));
        assertTrue(error.getMessage().startsWith(file + " line 2: completeNanos must be Long.MAX_VALUE exactly when"),
                error.getMessage());

        Files.writeString(file, "1\tSET\tk\tv\t\\N\t10\t20\tOK\ta\n");
        error = assertThrows(IOException.class, () -> History.read(file));
        assertTrue(error.getMessage().startsWith(file + " line 1: expected the header line"), error.getMessage());

        Files.writeString(file, HistoryFile.HEADER + "\n1\tSET\tk\tv\n");
        error = assertThrows(IOException.class, () -> History.read(file));
        assertTrue(error.getMessage().equals(file + " line 2: expected 9 tab-separated fields, found 4"), error.getMessage());
    }
}
