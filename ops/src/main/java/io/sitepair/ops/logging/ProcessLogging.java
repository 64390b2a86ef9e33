package io.sitepair.ops.logging;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a process's log records reach standard error: sitepair's own lines ({@code sitepair: ...})
 * and the libraries' (ZooKeeper, Curator and Netty), all through SLF4J's JDK binding, one line
 * each, expected peer faults below WARN, stack traces only for bugs. {@code SITEPAIR_LOG_DETAIL=debug}
 * (or {@code -Dsitepair.log.detail=debug}) shows ZooKeeper's and Curator's debug output instead,
 * every record with its level and trace.
 */
public final class ProcessLogging {
    /** The environment variable and system property that ask for full detail. */
    public static final String DETAIL_VARIABLE = "SITEPAIR_LOG_DETAIL";
    public static final String DETAIL_PROPERTY = "sitepair.log.detail";

    static {
        // Before the loggers below start java.util.logging, which reads its manager from this once.
        System.getProperties().putIfAbsent("java.util.logging.manager", LastingLogManager.class.getName());
    }

    /**
     * ZooKeeper and Curator. Held here because java.util.logging keeps loggers only weakly, and a
     * collected logger forgets its level.
     */
    private static final List<Logger> QUORUM_LIBRARIES = List.of(Logger.getLogger("org.apache.zookeeper"),
            Logger.getLogger("org.apache.curator"));

    /** Whether an unknown detail value was reported: a daemon installs the logging twice. */
    private static boolean reportedUnknownDetail;

    private ProcessLogging() {}

    /**
     * Shows ZooKeeper's and Curator's records from {@code level} up only: for a command that
     * holds a quorum session through faults it causes on purpose (a drill, the fault campaign)
     * and reports the quorum in its own words.
     */
    public static void quorumLibrariesAt(Level level) {
        QUORUM_LIBRARIES.forEach(logger -> logger.setLevel(level));
    }

    /**
     * A one-shot command ({@code status}, {@code endpoint}, ...): it reports the quorum in its own
     * output, so only the libraries' errors are shown.
     */
    public static void forCommand() {
        install(Level.SEVERE, false, System.err);
    }

    /**
     * A daemon ({@code up}, {@code witness}), whose standard error is its log, read after an
     * incident next to the other site's and the witness's: every line starts with the time of day
     * to the millisecond, which lines them up, and the libraries' warnings are shown too. Called
     * once, at the daemon's start.
     */
    public static void forDaemon() {
        PrintStream log = System.err;
        install(Level.WARNING, true, log);
        // What still prints to System.err itself (the site classes not yet on SLF4J, an uncaught
        // exception's trace) is timestamped line by line into the same stream.
        TimestampedLines.onStandardError(log);
    }

    private static synchronized void install(Level quorumLibraries, boolean timestamped, PrintStream stream) {
        String value = System.getProperty(DETAIL_PROPERTY, System.getenv(DETAIL_VARIABLE));
        boolean detail = value != null && value.strip().toLowerCase(Locale.ROOT).equals("debug");
        for (Logger logger : QUORUM_LIBRARIES) {
            logger.setLevel(detail ? Level.FINE : quorumLibraries);
        }
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new StandardErrorHandler(stream, new OneLineFormatter(new LogTriage(detail), timestamped)));
        if (!detail && value != null && !value.isBlank() && !reportedUnknownDetail) {
            reportedUnknownDetail = true;
            LoggerFactory.getLogger(ProcessLogging.class).warn("{}/{}={} is not understood (the only value is debug);"
                    + " the usual logging applies", DETAIL_VARIABLE, DETAIL_PROPERTY, value);
        }
    }
}
