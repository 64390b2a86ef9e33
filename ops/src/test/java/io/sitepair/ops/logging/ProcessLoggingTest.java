package io.sitepair.ops.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.LogManager;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A daemon's standard error as {@code sitepair up} sets it up: every line of every writer timestamped once. */
class ProcessLoggingTest {
    private static final String STAMP = "\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d ";

    @Test
    void aDaemonsLinesThroughSlf4jAndStraightToStandardErrorAllStartWithTheTime() throws Exception {
        List<String> lines = daemonLog(() -> {
            LoggerFactory.getLogger("io.sitepair.replicator.pair.PeerWatch").warn(
                    "peer '{}' suspected failed: no heartbeat for {} ms, no channel traffic for {} ms", "a", 1200, 1300);
            System.err.println("sitepair: logging channel from site 'a' streaming from position 1");
            LoggerFactory.getLogger("guest").info("[guest, replaying] kv: fresh store");
            LoggerFactory.getLogger("org.apache.zookeeper.server.ZKDatabase").warn("slow snapshot");
            LoggerFactory.getLogger("io.sitepair.tiebreaker.Tiebreaker").error("BUG: a listener failed",
                    new IllegalStateException("oops"));
        });
        assertTrue(lines.get(0).matches(STAMP + "sitepair: peer 'a' suspected failed: no heartbeat for 1200 ms,"
                + " no channel traffic for 1300 ms"), lines.get(0));
        assertTrue(lines.get(1).matches(STAMP + "sitepair: logging channel from site 'a' streaming from position 1"),
                lines.get(1));
        assertTrue(lines.get(2).matches(STAMP + "\\[guest, replaying\\] kv: fresh store"), lines.get(2));
        assertTrue(lines.get(3).matches(STAMP + "zookeeper: WARN ZKDatabase: slow snapshot"), lines.get(3));
        assertTrue(lines.get(4).matches(STAMP + "sitepair: BUG: a listener failed \\(java.lang.IllegalStateException:"
                + " oops\\)"), lines.get(4));
        assertEquals("java.lang.IllegalStateException: oops", lines.get(5), "a trace follows its line, unstamped");
        assertTrue(lines.get(6).startsWith("\tat io.sitepair.ops.logging.ProcessLoggingTest"), lines.get(6));
    }

    @Test
    void aLineLoggedByAShutdownHookStillReachesTheLog() throws Exception {
        // A site stopped by SIGTERM logs its power-off from a shutdown hook, while the JVM exits.
        Process daemon = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), ExitingDaemon.class.getName()).start();
        String log = new String(daemon.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, daemon.waitFor(), log);
        assertTrue(log.lines().anyMatch(l -> l.matches(STAMP + "sitepair: site 'a': primary -> stopped")), log);
    }

    /** A daemon that logs from a shutdown hook after the JVM began to exit. */
    static final class ExitingDaemon {
        public static void main(String[] args) {
            ProcessLogging.forDaemon();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(200); // the JDK's own hooks, started with this one, have run by now
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                LoggerFactory.getLogger("io.sitepair.replicator.pair.PrimaryRole").info("site 'a': primary -> stopped");
            }));
            System.exit(0);
        }
    }

    /** What {@code logging} writes to a daemon's standard error, line by line. */
    private static List<String> daemonLog(Runnable logging) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ProcessLogging.forDaemon();
            logging.run();
        } finally {
            System.setErr(original);
            LogManager.getLogManager().readConfiguration(); // the JDK's logging again, for the other tests
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
