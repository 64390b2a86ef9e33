package io.sitepair.ops.drill.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sitepair.ops.drill.report.DrillReport.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DrillListCommandTest {
    @TempDir
    Path reports;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void listsTheDrillsNewestLastWithABrokenReportAsUnreadable() throws IOException {
        Path older = DrillReports.write(DrillReportFixture.failover(), reports);
        Path newer = DrillReports.write(DrillReportFixture.failover(Instant.parse("2026-12-13T02:00:00Z"),
                Outcome.FAILED, false), reports);
        Path broken = Files.createDirectories(reports.resolve("20261209T020000Z-test"));
        Files.writeString(broken.resolve(DrillReports.JSON), "{\"schema\": 1, \"kind\": ");
        Files.createDirectories(reports.resolve(".20261214T020000Z-test.123")); // a report being written

        assertEquals(0, run("--reports", reports.toString()));

        List<String> lines = out.toString().lines().toList();
        assertEquals(5, lines.size(), out.toString());
        assertTrue(lines.get(0).matches("DATE \\(UTC\\) +KIND +OUTCOME +RTO +REPORT"), lines.get(0));
        assertTrue(lines.get(1).matches("2026-12-06 14:15:02 +failover +PASS +1\\.89 s +" + older), lines.get(1));
        assertTrue(lines.get(2).matches("2026-12-09 02:00:00 +- +UNREADABLE +- +" + broken), lines.get(2));
        assertTrue(lines.get(3).startsWith("  drill report " + broken.resolve(DrillReports.JSON)
                + " is unreadable: not JSON"), lines.get(3));
        assertTrue(lines.get(4).matches("2026-12-13 02:00:00 +failover +FAILED +1\\.89 s +" + newer), lines.get(4));
        assertEquals(lines.get(0).indexOf("REPORT"), lines.get(1).indexOf(older.toString()), "columns line up");
    }

    @Test
    void jsonIsTheSameListForScripts() throws IOException {
        DrillReport report = DrillReportFixture.failover();
        Path written = DrillReports.write(report, reports);
        Files.createDirectories(reports.resolve("20261209T020000Z-test"));

        assertEquals(0, run("--reports", reports.toString(), "--json"));

        JsonNode drills = ReportJson.MAPPER.readTree(out.toString());
        assertEquals(2, drills.size(), out.toString());
        JsonNode drill = drills.get(0);
        assertEquals("2026-12-06T14:15:02.120Z", drill.get("date").asText());
        assertEquals("failover", drill.get("kind").asText());
        assertEquals("PASS", drill.get("outcome").asText());
        assertEquals("1.89 s", drill.get("rto").asText());
        assertEquals(1890.0, drill.get("rto_ms").asDouble());
        assertEquals(written.toString(), drill.get("report").asText());
        assertTrue(drill.get("unreadable").isNull());
        JsonNode unreadable = drills.get(1);
        assertEquals("2026-12-09T02:00:00Z", unreadable.get("date").asText());
        assertTrue(unreadable.get("kind").isNull() && unreadable.get("rto_ms").isNull());
        assertTrue(unreadable.get("unreadable").asText().contains("does not exist"), unreadable.toString());
    }

    @Test
    void anEmptyOrMissingDirectorySaysNoDrillsYetAndWhereItLooked() {
        Path missing = reports.resolve("never-written");

        assertEquals(0, run("--reports", reports.toString()));
        assertEquals(0, run("--reports", missing.toString()));

        assertEquals("No drills yet: no reports in " + reports + "\nNo drills yet: no reports in " + missing + "\n",
                out.toString());
    }

    @Test
    void withNeitherTheConfigurationNorADirectoryItAsksForOne() {
        assertEquals(2, run());

        assertTrue(err.toString().contains("Give --config FILE (its drills.reports) or --reports DIR"), err.toString());
    }

    private int run(String... args) {
        CommandLine command = new CommandLine(new DrillListCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }
}
