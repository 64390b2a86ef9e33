package io.sitepair.replicator.log;

/**
 * One entry of the log: its position (a sequence number, consecutive from the log's first
 * position), the primary's wall-clock time when it was appended, and the record it carries.
 */
public record LogEntry(long position, long timestampNanos, LogRecord record) {
    public String describe() {
        return position + " " + record.describe();
    }
}
