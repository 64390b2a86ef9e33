package io.sitepair.ops.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.config.LabConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sitepair validate}: every problem at once with its line and key, exit 1; a good file is valid, exit 0. */
class ValidateCommandTest {
    @TempDir
    Path dir;

    @Test
    void aLabIsValid() throws Exception {
        Path file = LabConfig.write(dir);
        CliTest.Result r = CliTest.sitepair("validate", "--config", file.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(file + ": valid, network mode socket\n", r.out());
    }

    @Test
    void aNicLabIsValidAndTheSummaryNamesItsNetworkMode() throws Exception {
        Path file = LabConfig.write(dir, false, true);
        CliTest.Result r = CliTest.sitepair("validate", "--config", file.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(file + ": valid, network mode nic 10.77.0.10/24 port 6379 (02:73:70:a5:11:46)\n", r.out());
    }

    @Test
    void fiveMistakesAreAllReportedWithTheirLinesAndExitOne() throws Exception {
        Path file = LabConfig.write(dir);
        PairConfig lab = PairConfigParser.load(file);
        String text = Files.readString(file);
        String aAdmin = "127.0.0.1:" + lab.site("a").admin().getPort();
        String bService = "127.0.0.1:" + lab.site("b").service().getPort();
        String bAdmin = "127.0.0.1:" + lab.site("b").admin().getPort();
        Files.writeString(file, text
                .replace("  buffer: 64M", "  bufer: 64M") // a misspelt key
                .replace("service: " + bService, "service: 127.0.0.1:70000") // a port out of range
                .replace("admin: " + bAdmin, "admin: " + aAdmin) // a port used twice on one host
                .replace("heartbeat-interval: 100ms", "heartbeat-interval: 400ms")); // suspect-after 1s < 3 x 400ms
        Files.delete(dir.resolve("tls/b.crt")); // a missing certificate file

        CliTest.Result r = CliTest.sitepair("validate", "--config", file.toString());

        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> lines = Arrays.asList(r.out().split("\n"));
        assertEquals(List.of(
                at(file, "  bufer:", "logging.bufer") + "unknown key (did you mean buffer?)",
                at(file, "  suspect-after:", "logging.suspect-after") + "the failure timeout (suspect-after, 1s) is"
                        + " shorter than 3 heartbeat intervals (1200ms)",
                at(file, "    service: 127.0.0.1:70000", "sites.b.service") + "\"127.0.0.1:70000\" is not HOST:PORT",
                at(file, "    admin: " + aAdmin, 2, "sites.b.admin") + "the same address as sites.a.admin (line "
                        + lineOf(file, "    admin: " + aAdmin, 1) + ")",
                at(file, "  b: {cert:", "tls.b.cert") + dir.resolve("tls/b.crt").toAbsolutePath() + " cannot be read"
                        + " (it does not exist)",
                file + ": 5 errors"), lines.stream().map(ValidateCommandTest::upToTheWhy).toList(), r.out());
    }

    @Test
    void reachWarnsOfEachAddressThatDoesNotAcceptAndStaysValid() throws Exception {
        Path file = LabConfig.write(dir);
        PairConfig lab = PairConfigParser.load(file);
        InetSocketAddress listening = lab.site("a").admin();
        try (ServerSocket server = new ServerSocket(listening.getPort(), 1, listening.getAddress())) {
            CliTest.Result r = CliTest.sitepair("validate", "--config", file.toString(), "--reach",
                    "--reach-timeout", "500ms");
            assertEquals(0, r.exit(), r.out() + r.err());
            String closed = "127.0.0.1:" + lab.site("b").channel().getPort();
            assertTrue(r.out().contains(at(file, "    channel: " + closed, "warning: sites.b.channel") + closed
                    + " is not reachable: connection refused"), r.out());
            assertFalse(r.out().contains("sites.a.admin"), "a listening address is reachable: " + r.out());
            assertTrue(r.out().strip().endsWith(file + ": valid, 16 warnings, network mode socket"), r.out());
        }
    }

    @Test
    void theDrillsSectionsMistakesAreReportedWithTheOthers() throws Exception {
        Path file = LabConfig.write(dir);
        PairConfig lab = PairConfigParser.load(file);
        String bTestService = "127.0.0.1:" + lab.drills().testServiceOf("b").getPort();
        String aService = "127.0.0.1:" + lab.site("a").service().getPort();
        Files.writeString(file, Files.readString(file)
                .replace("  rpo: 0 ", "  rpo: 5s ") // only zero
                .replace("  # check: redis-cli", "  check: no-such-probe-program") // a program not installed here
                .replace("    b: " + bTestService, "    b: " + aService)); // the test clone on the service address

        CliTest.Result r = CliTest.sitepair("validate", "--config", file.toString());

        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(List.of(
                at(file, "  rpo:", "drills.rpo") + "\"5s\": sitepair's recovery point is zero, and only zero",
                at(file, "  check:", "drills.check") + "\"no-such-probe-program\", the check's program, is not on PATH",
                at(file, "    b: " + aService, "drills.test-service.b") + "the same address as sites.a.service (line "
                        + lineOf(file, "    service: " + aService, 1) + ")",
                file + ": 3 errors"), Arrays.stream(r.out().split("\n")).map(ValidateCommandTest::upToTheWhy).toList(),
                r.out());
    }

    @Test
    void aMissingFileIsOneError() {
        Path file = dir.resolve("nope.yaml");
        CliTest.Result r = CliTest.sitepair("validate", "--config", file.toString());
        assertEquals(1, r.exit());
        assertEquals(file + ": no such file\n" + file + ": 1 error\n", r.out());
    }

    /** {@code FILE:LINE: KEY: } for the line that starts with {@code start}. */
    private static String at(Path file, String start, String key) throws Exception {
        return at(file, start, 1, key);
    }

    private static String at(Path file, String start, int nth, String key) throws Exception {
        return file + ":" + lineOf(file, start, nth) + ": " + key + ": ";
    }

    /** The 1-based line of the {@code nth} line that starts with {@code start}. */
    private static int lineOf(Path file, String start, int nth) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0, seen = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start) && ++seen == nth) {
                return i + 1;
            }
        }
        throw new AssertionError("no line " + nth + " starting with " + start);
    }

    /** An output line without its explanation after the first ':' or '(' past the key, so the list reads. */
    private static String upToTheWhy(String line) {
        for (String cut : List.of(" (known here", ": a few late", " (port must", ": on one host", " (file:", ": the backup",
                " (/")) {
            int at = line.indexOf(cut);
            if (at > 0) {
                return line.substring(0, at);
            }
        }
        return line;
    }
}
