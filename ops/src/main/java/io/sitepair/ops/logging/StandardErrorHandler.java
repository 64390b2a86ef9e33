package io.sitepair.ops.logging;

import java.io.PrintStream;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Prints each record to the process's standard error as one write under the stream's lock, which
 * {@link TimestampedLines} takes too, so that a record never lands inside a line printed to
 * {@code System.err} directly.
 */
final class StandardErrorHandler extends Handler {
    private final PrintStream stream;

    StandardErrorHandler(PrintStream stream, Formatter formatter) {
        this.stream = stream;
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
            reportError(null, e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        synchronized (stream) {
            stream.print(text);
            stream.flush();
        }
    }

    @Override
    public void flush() {
        stream.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
