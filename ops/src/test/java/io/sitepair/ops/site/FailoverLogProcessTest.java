package io.sitepair.ops.site;

import io.sitepair.ops.lab.LocalPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads after a kill -9 failover: the surviving site and the witness say what
 * happened in single lines. A peer's death is an expected event, so neither ZooKeeper's nor the
 * site's own handling of it may print a stack trace.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FailoverLogProcessTest {
    /** A stack frame, an uncaught exception's header, or a chained cause: the lines of a Java stack trace. */
    private static final Pattern STACK_TRACE = Pattern.compile("^\\s+at [\\w$.]+\\(|Exception in thread|Caused by:");

    @TempDir
    Path dir;

    @Test
    void aKillDashNineFailoverLogsNoStackTraceOnTheSurvivingSiteOrTheWitness() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Process a = lab.startProtected().get("a");
            a.destroyForcibly(); // kill -9
            a.waitFor(10, TimeUnit.SECONDS);
            var live = lab.await("b", 20, s -> s.role() == Role.LIVE_ALONE);
            assertEquals(2L, live.epoch(), live.toString());
            Thread.sleep(1500); // the quorum's reaction to the lost peer, logged after b went live

            for (String log : List.of("b.err", "b.out", "witness.err", "witness.out")) {
                assertNoStackTrace(log);
            }
            assertTrue(lines("b.err").stream().anyMatch(l -> l.contains("sitepair: site 'b': backup/down -> live-alone/connecting"
                    + " (primary 'a' failed")), "b's log says, in one line, that it went live\n" + lab.log("b"));
            // A line logged through SLF4J reads as the others: the time to the millisecond, then sitepair's.
            assertTrue(lines("b.err").stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} sitepair: peer 'a'"
                    + " suspected failed: no heartbeat for \\d+ ms, no channel traffic for \\d+ ms")),
                    "b's log says when it suspected a\n" + lab.log("b"));
        }
    }

    private void assertNoStackTrace(String log) throws IOException {
        for (String line : lines(log)) {
            // Each line starts with the daemon's timestamp; a stack frame's indentation follows it.
            String text = line.replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ", "");
            assertTrue(!STACK_TRACE.matcher(text).find(), log + " has a stack trace line: " + line + "\n--- " + log
                    + "\n" + String.join("\n", lines(log)));
        }
    }

    private List<String> lines(String log) throws IOException {
        Path file = dir.resolve(log);
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
