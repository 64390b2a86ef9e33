package io.sitepair.ops.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A log record as one line, after the time of day to the millisecond in a daemon's log. sitepair's
 * own records read {@code sitepair: message}; a logger named for what it carries rather than for a
 * class (the guest's console, the WAN proxy) has its tag in the message, which is the whole line. A
 * library's record says which library, the level (as the library's own code names it) and the
 * logging class: {@code zookeeper: INFO Learner: message}. An exception's class and message follow
 * in parentheses, and its stack trace on the next lines only when {@link LogTriage} keeps it.
 */
final class OneLineFormatter extends Formatter {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS ");

    private final LogTriage triage;
    private final boolean timestamped;

    OneLineFormatter(LogTriage triage, boolean timestamped) {
        this.triage = triage;
        this.timestamped = timestamped;
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder();
        if (timestamped) {
            line.append(TIME.format(LocalTime.ofInstant(record.getInstant(), ZoneId.systemDefault())));
        }
        line.append(source(record)).append(message(record));
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

    /** Who speaks: {@code sitepair: }, nothing for a named stream, or the library, level and class. */
    private String source(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger != null && logger.startsWith("io.sitepair.")) {
            return "sitepair: ";
        }
        if (logger != null && !logger.isEmpty() && logger.indexOf('.') < 0) {
            return "";
        }
        return library(logger) + ": " + label(triage.shownLevel(record)) + " " + className(logger) + ": ";
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
