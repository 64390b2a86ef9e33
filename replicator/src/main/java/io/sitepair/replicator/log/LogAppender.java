package io.sitepair.replicator.log;

/**
 * Where a recording VM's entries go: a log file ({@link LogWriter}) or the logging channel to the
 * backup. Positions are consecutive; the timestamp of each entry is the primary's wall clock.
 */
public interface LogAppender {
    /** Appends a record and returns its position. */
    long append(LogRecord record);

    /** Position of the last entry appended. */
    long lastPosition();

    /**
     * Continues a log whose last entry is {@code position} (a replayed log this site goes on
     * recording after). An appender that cannot renumber accepts only its own last position.
     */
    default void continueAfter(long position) {
        if (position != lastPosition()) {
            throw new IllegalStateException("this log ends at position " + lastPosition() + ", not " + position);
        }
    }
}
