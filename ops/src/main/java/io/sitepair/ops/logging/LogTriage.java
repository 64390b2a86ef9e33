package io.sitepair.ops.logging;

import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Decides how a library's log record is shown: expected peer and network faults, and the
 * connection classes' warnings, drop below WARN and lose their stack trace; a real bug keeps it. With {@code detail} (the operator asked for
 * everything) records keep their level and every trace.
 */
record LogTriage(boolean detail) {
    /** The level the record is shown at. */
    Level shownLevel(LogRecord record) {
        Level level = record.getLevel();
        if (detail || level.intValue() <= Level.INFO.intValue()) {
            return level;
        }
        boolean connectionWarning = level.intValue() < Level.SEVERE.intValue()
                && ExpectedNoise.isConnectionLogger(record.getLoggerName());
        return connectionWarning || isExpected(record) ? Level.INFO : level;
    }

    /**
     * Whether the record's stack trace is printed: for an unchecked exception or error that is not
     * a network fault (a bug), and for anything else at SEVERE that is not expected noise.
     */
    boolean keepsStackTrace(LogRecord record) {
        Throwable thrown = record.getThrown();
        if (thrown == null) {
            return false;
        }
        if (detail) {
            return true;
        }
        if (isExpected(record)) {
            return false;
        }
        return thrown instanceof RuntimeException || thrown instanceof Error
                || record.getLevel().intValue() >= Level.SEVERE.intValue();
    }

    /** Whether the record's exception is expected noise: a peer or network fault, or a library's known race. */
    private static boolean isExpected(LogRecord record) {
        Throwable thrown = record.getThrown();
        return thrown != null && (ExpectedNoise.isExpectedFault(thrown) || ExpectedNoise.isZooKeeperRace(thrown)
                || ExpectedNoise.isCancelledConnect(record.getLoggerName(), thrown));
    }
}
