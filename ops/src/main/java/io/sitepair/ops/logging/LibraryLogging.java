package io.sitepair.ops.logging;

import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How the libraries' java.util.logging records (ZooKeeper, Curator and Netty log through SLF4J's
 * JDK binding) reach standard error: one line each, expected peer faults below WARN, stack traces
 * only for bugs. {@code SITEPAIR_LOG_DETAIL=debug} (or {@code -Dsitepair.log.detail=debug}) shows
 * ZooKeeper's and Curator's debug output instead, every record with its level and trace.
 */
public final class LibraryLogging {
    /** The environment variable and system property that ask for full detail. */
    public static final String DETAIL_VARIABLE = "SITEPAIR_LOG_DETAIL";
    public static final String DETAIL_PROPERTY = "sitepair.log.detail";

    /**
     * ZooKeeper and Curator. Held here because java.util.logging keeps loggers only weakly, and a
     * collected logger forgets its level.
     */
    private static final List<Logger> QUORUM_LIBRARIES = List.of(Logger.getLogger("org.apache.zookeeper"),
            Logger.getLogger("org.apache.curator"));

    /** Whether an unknown detail value was reported: a daemon installs the logging twice. */
    private static boolean reportedUnknownDetail;

    private LibraryLogging() {}

    /**
     * A one-shot command ({@code status}, {@code endpoint}, ...): it reports the quorum in its own
     * output, so only the libraries' errors are shown.
     */
    public static void forCommand() {
        install(Level.SEVERE);
    }

    /**
     * A daemon ({@code up}, {@code witness}), whose standard error is its log: the libraries'
     * warnings too, since the log is read after an incident.
     */
    public static void forDaemon() {
        install(Level.WARNING);
    }

    private static synchronized void install(Level quorumLibraries) {
        boolean detail = detailRequested();
        for (Logger logger : QUORUM_LIBRARIES) {
            logger.setLevel(detail ? Level.FINE : quorumLibraries);
        }
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new StandardErrorHandler(new OneLineFormatter(new LogTriage(detail))));
    }

    private static synchronized boolean detailRequested() {
        String value = System.getProperty(DETAIL_PROPERTY, System.getenv(DETAIL_VARIABLE));
        if (value == null || value.isBlank()) {
            return false;
        }
        if (value.strip().toLowerCase(Locale.ROOT).equals("debug")) {
            return true;
        }
        if (reportedUnknownDetail) {
            return false;
        }
        reportedUnknownDetail = true;
        System.err.println("sitepair: " + DETAIL_VARIABLE + "/" + DETAIL_PROPERTY + "=" + value
                + " is not understood (the only value is debug); the usual logging applies");
        return false;
    }
}
