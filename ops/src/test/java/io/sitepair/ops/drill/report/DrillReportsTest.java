package io.sitepair.ops.drill.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrillReportsTest {
    @TempDir
    Path dir;

    @Test
    void aReportReadsBackAsTheSameRecordNotMeasuredValuesIncluded() throws IOException {
        DrillReport report = DrillReportFixture.failover(DrillReportFixture.STARTED, DrillReport.Outcome.FAILED, false);

        Path written = DrillReports.write(report, dir.resolve("reports"));

        assertEquals(report, DrillReports.read(written.resolve(DrillReports.JSON)));
        assertTrue(Double.isNaN(report.objectives().getLast().measuredMs()), "the fixture has a NaN to carry");
    }

    @Test
    void theJsonHasSchemaFirstSnakeCaseIsoInstantsAndNullForNotMeasured() throws IOException {
        Path written = DrillReports.write(DrillReportFixture.failover(DrillReportFixture.STARTED,
                DrillReport.Outcome.FAILED, false), dir);
        String text = Files.readString(written.resolve(DrillReports.JSON));

        JsonNode json = ReportJson.MAPPER.readTree(text);
        assertEquals("schema", json.fieldNames().next());
        assertEquals(DrillReport.SCHEMA, json.get("schema").asInt());
        assertEquals("2026-12-06T14:15:02.120Z", json.get("started").asText());
        assertEquals("9f2c1e7a4b5d6c3e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9001122334455aa",
                json.get("config_digest").asText());
        assertTrue(json.get("objectives").get(4).get("measured_ms").isNull(), text);
        assertTrue(json.get("samples").get(20).get("lag_ms").isNull(), "a sample while site a was down");
        assertEquals(1.21, json.get("figures").get(1).get("value").asDouble());
        assertFalse(text.contains("NaN"), "JSON has no NaN");
    }

    @Test
    void theReportsDirectoryIsNamedByUtcStartAndKindAndHoldsBothFilesAndNothingElse() throws IOException {
        Path reports = dir.resolve("drills");

        Path first = DrillReports.write(DrillReportFixture.failover(), reports);
        Path second = DrillReports.write(DrillReportFixture.failover(), reports);

        assertEquals(reports.resolve("20261206T141502Z-failover"), first);
        assertEquals(reports.resolve("20261206T141502Z-failover-2"), second, "a second drill that second is kept");
        assertEquals(List.of(DrillReports.HTML, DrillReports.JSON), names(first));
        assertEquals(List.of(first.getFileName().toString(), second.getFileName().toString()), names(reports),
                "no staging directory is left behind");
    }

    @Test
    void theReportIsAsReadableAsTheReportsDirectoryButWritableOnlyByItsOwner() throws IOException {
        Path reports = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(reports, PosixFilePermissions.fromString("rwxrwxrwx"));

        Path written = DrillReports.write(DrillReportFixture.failover(), reports);

        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
    }

    @Test
    void aReportOfALaterSchemaIsRefusedNamingTheFile() throws IOException {
        Path written = DrillReports.write(DrillReportFixture.failover(), dir);
        Path json = written.resolve(DrillReports.JSON);
        Files.writeString(json, Files.readString(json).replaceFirst("\"schema\" : 1", "\"schema\" : 2"));

        IOException refused = assertThrows(IOException.class, () -> DrillReports.read(json));

        assertTrue(refused.getMessage().contains(json.toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains("report schema 2"), refused.getMessage());
    }

    @Test
    void malformedReportsAreRefusedNamingTheFileAndWhy() throws IOException {
        Path json = dir.resolve(DrillReports.JSON);
        for (String[] bad : new String[][] {
                {"{\"schema\": 1, \"kind\": ", "not JSON"},
                {"[1, 2]", "not a JSON object"},
                {"{\"kind\": \"test\"}", "no schema"},
                {"{\"schema\": 1, \"kind\": \"test\"}",
                        "(at started): Missing creator property 'started'"},
                {ReportJson.write(DrillReportFixture.failover()).replace("\"kind\" : \"failover\"", "\"kind\" : null"),
                        "not a drill report: a required value is null: kind"},
                {ReportJson.write(DrillReportFixture.failover()).replace("\"verdict\" : \"MET\"", "\"verdict\" : 7"),
                        "not a drill report (at objectives[0].verdict): "},
                {ReportJson.write(DrillReportFixture.failover()).replace("2026-12-06T14:15:02.120Z", "yesterday"),
                        "ISO-8601"}}) {
            Files.writeString(json, bad[0]);

            IOException refused = assertThrows(IOException.class, () -> DrillReports.read(json), bad[0]);

            assertTrue(refused.getMessage().startsWith("drill report " + json + " is unreadable: "),
                    refused.getMessage());
            assertTrue(refused.getMessage().contains(bad[1]), refused.getMessage());
        }
    }

    @Test
    void aReportsDirectoryThatCannotBeCreatedIsAnErrorNamingItAndWhy() throws IOException {
        // Under a regular file: not even root can create a directory there.
        Path file = Files.writeString(dir.resolve("plain-file"), "not a directory");
        Path reports = file.resolve("drills");

        IOException checked = assertThrows(IOException.class, () -> DrillReports.checkWritable(reports));
        IOException written = assertThrows(IOException.class,
                () -> DrillReports.write(DrillReportFixture.failover(), reports));

        for (IOException e : List.of(checked, written)) {
            assertTrue(e.getMessage().startsWith("drill reports directory " + reports + " cannot be written: "),
                    e.getMessage());
            assertTrue(e.getMessage().toLowerCase().contains("not a directory"), e.getMessage());
        }
        assertEquals("not a directory", Files.readString(file));
    }

    @Test
    void checkWritableCreatesTheDirectoryAndLeavesNothingInIt() throws IOException {
        Path reports = dir.resolve("data/drills");

        DrillReports.checkWritable(reports);

        assertTrue(Files.isDirectory(reports));
        assertEquals(List.of(), names(reports));
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
