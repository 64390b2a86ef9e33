package io.sitepair.ops.logging;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Prints records to whatever {@code System.err} is when they are logged, unlike JUL's
 * ConsoleHandler, which keeps the stream it found when created: a daemon's standard error is
 * replaced by a timestamped one, and library lines must carry the same timestamps as the site's.
 */
final class StandardErrorHandler extends Handler {
    StandardErrorHandler(Formatter formatter) {
        setFormatter(formatter);
        setLevel(Level.ALL); // the loggers' levels decide
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String text;
        try {
            text = getFormatter().format(record);
        } catch (RuntimeException e) {
            reportError(null, e, java.util.logging.ErrorManager.FORMAT_FAILURE);
            return;
        }
        System.err.print(text);
        System.err.flush();
    }

    @Override
    public void flush() {
        System.err.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
