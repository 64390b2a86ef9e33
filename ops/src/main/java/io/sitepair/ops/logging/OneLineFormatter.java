package io.sitepair.ops.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A library's log record as one line beside the site's own ({@code sitepair: ...}): which library,
 * the level (as the library's own code names it), the logging class, the message, and the
 * exception's class and message. The time comes from the daemon's timestamped standard error. A
 * stack trace follows only when {@link LogTriage} keeps it.
 */
final class OneLineFormatter extends Formatter {
    private final LogTriage triage;

    OneLineFormatter(LogTriage triage) {
        this.triage = triage;
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder();
        line.append(library(record.getLoggerName())).append(": ").append(label(triage.shownLevel(record))).append(' ')
                .append(className(record.getLoggerName())).append(": ").append(message(record));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            line.append(" (").append(oneLine(thrown.toString()));
            Throwable root = rootCause(thrown);
            if (root != thrown) {
                line.append("; cause: ").append(oneLine(root.toString()));
            }
            line.append(')');
        }
        line.append(System.lineSeparator());
        if (triage.keepsStackTrace(record)) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    /** The message, on one line, without the colon libraries leave before an exception they log. */
    private String message(LogRecord record) {
        String message = oneLine(formatMessage(record)).strip();
        return message.endsWith(":") ? message.substring(0, message.length() - 1).stripTrailing() : message;
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ");
    }

    private static Throwable rootCause(Throwable thrown) {
        Throwable root = thrown;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 16; depth++) {
            root = root.getCause();
        }
        return root;
    }

    /** {@code zookeeper} for {@code org.apache.zookeeper.server.quorum.LearnerHandler}, {@code netty} for {@code io.netty...}. */
    static String library(String loggerName) {
        if (loggerName == null || loggerName.isEmpty()) {
            return "java";
        }
        String name = loggerName.replaceFirst("^(org\\.apache|org|com|io|net)\\.", "");
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static String className(String loggerName) {
        return loggerName == null ? "" : loggerName.substring(loggerName.lastIndexOf('.') + 1);
    }

    /** SLF4J's names: the libraries log through SLF4J, and their documentation uses these. */
    private static String label(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (value >= Level.INFO.intValue()) {
            return "INFO";
        }
        return value >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }
}
