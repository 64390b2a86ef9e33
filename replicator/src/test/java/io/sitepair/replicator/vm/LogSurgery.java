package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogReader;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Rewrites a log entry by entry with valid framing, to make logs that lie convincingly. */
final class LogSurgery {
    private LogSurgery() {}

    static List<LogEntry> entries(Path log) throws IOException {
        List<LogEntry> entries = new ArrayList<>();
        try (LogReader reader = LogReader.open(log)) {
            for (LogEntry e = reader.next(); e != null; e = reader.next()) {
                entries.add(e);
            }
        }
        return entries;
    }

    /** Writes {@code out} with each entry of {@code in} replaced by what {@code edit} returns. */
    static void rewrite(Path in, Path out, Function<LogEntry, List<LogRecord>> edit) throws IOException {
        try (LogReader reader = LogReader.open(in);
             LogWriter writer = LogWriter.create(out, reader.header(), () -> 0L)) {
            for (LogEntry e = reader.next(); e != null; e = reader.next()) {
                for (LogRecord r : edit.apply(e)) {
                    writer.append(r);
                }
            }
        }
    }
}
