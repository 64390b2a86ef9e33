package io.sitepair.ops.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.drill.report.DrillReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configured check, as a drill runs it: its environment, directory, exit code and output. */
class DrillCheckTest {
    @TempDir
    Path dir;

    @Test
    void theCheckSeesTheRecoveredServiceInItsEnvironmentAndRunsInTheConfigurationsDirectory() throws Exception {
        Files.writeString(dir.resolve("check.sh"), "echo \"$SITEPAIR_DRILL_HOST:$SITEPAIR_DRILL_PORT"
                + " $SITEPAIR_PAIR/$SITEPAIR_SITE@$SITEPAIR_EPOCH in $(pwd)\"\nexit 3\n");
        DrillReport.Check check = DrillCheck.execute("sh ./check.sh", Map.of("SITEPAIR_DRILL_HOST", "127.0.0.1",
                "SITEPAIR_DRILL_PORT", "7411", "SITEPAIR_PAIR", "shop", "SITEPAIR_SITE", "b", "SITEPAIR_EPOCH", "4"),
                dir);
        assertEquals(3, check.exit(), check.toString());
        assertEquals("127.0.0.1:7411 shop/b@4 in " + dir.toRealPath(), check.output());
        assertEquals("sh ./check.sh", check.command());
    }

    @Test
    void onlyTheEndOfALongOutputIsKept() {
        DrillReport.Check check = DrillCheck.execute("seq 1 5000; echo last line", Map.of(), dir);
        assertEquals(0, check.exit());
        assertTrue(check.output().length() <= 4000, "kept " + check.output().length() + " characters");
        assertTrue(check.output().endsWith("5000\nlast line"), check.output().substring(check.output().length() - 40));
    }

    @Test
    void aCheckWhoseProgramIsGoneFailsWithTheShellsWords() {
        DrillReport.Check check = DrillCheck.execute("/no/such/check", Map.of(), dir);
        assertEquals(127, check.exit());
        assertTrue(check.output().contains("/no/such/check"), check.output());
    }
}
