package io.sitepair.replicator.log;

/** Where a replaying VM takes its entries from: a log file now, the logging channel later. */
public interface LogSource {
    /** The next entry, or {@code null} when there is none (end of the log). */
    LogEntry next() throws LogFormatException;

    /** Position of the last entry returned. */
    long lastPosition();
}
