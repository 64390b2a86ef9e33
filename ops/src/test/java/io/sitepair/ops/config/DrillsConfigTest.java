package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drills section: every key read, the defaults, and the check's program, checked only where drills run. */
class DrillsConfigTest {
    /** Appended to ConfigFiles.VALID (27 lines): {@code drills:} is line 28. */
    static final String FULL = """
            drills:
              rto: 1500ms
              rpo: 0s
              check: ./probe.sh --quick
              reports: reports/drills
              test-service:
                a: 127.0.0.1:16379
                b: localhost:16380
              return-within: 2m
            """;

    @TempDir
    Path dir;

    @Test
    void aFullSectionIsReadWithEveryValue() throws Exception {
        executable(dir.resolve("probe.sh"));
        DrillsConfig d = PairConfigParser.loadForDrills(ConfigFiles.write(dir, ConfigFiles.VALID + FULL)).drills();

        assertEquals(Duration.ofMillis(1500), d.rto());
        assertEquals("./probe.sh --quick", d.check());
        assertEquals(dir.resolve("reports/drills").toAbsolutePath(), d.reports());
        assertEquals(List.of("a", "b"), List.copyOf(d.testService().keySet()));
        assertEquals(new InetSocketAddress("127.0.0.1", 16379), d.testServiceOf("a"));
        assertEquals("localhost", d.testServiceOf("b").getHostString());
        assertEquals(16380, d.testServiceOf("b").getPort());
        assertEquals(Duration.ofMinutes(2), d.returnWithin());
    }

    @Test
    void withoutTheSectionEveryKeyTakesItsDefaultAndATestDrillIsRefusedNamingTheKey() throws Exception {
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID));
        DrillsConfig d = c.drills();

        assertEquals(Duration.ofSeconds(5), d.rto());
        assertNull(d.check());
        assertEquals(c.site("a").dataDir().resolve("drills"), d.reports(), "under the first site's data directory");
        assertEquals(Map.of(), d.testService());
        assertEquals(Duration.ofSeconds(60), d.returnWithin());
        ConfigException e = assertThrows(ConfigException.class, () -> d.testServiceOf("b"));
        assertTrue(e.getMessage().startsWith("no drills.test-service address for site b"), e.getMessage());

        // An empty section, and rpo written as a bare 0: the same.
        assertEquals(d, PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID + "drills:\n")).drills());
        assertEquals(d, PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID + "drills:\n  rpo: 0\n")).drills());
    }

    @Test
    void aCheckWhoseProgramIsMissingIsRefusedWhereDrillsRunNamingTheProgram() throws Exception {
        Path file = ConfigFiles.write(dir, ConfigFiles.VALID + FULL.replace("./probe.sh --quick",
                "no-such-probe-program --host \"$SITEPAIR_DRILL_HOST\""));

        ConfigException e = assertThrows(ConfigException.class, () -> PairConfigParser.loadForDrills(file));
        assertTrue(e.getMessage().startsWith(file + ":31: drills.check: \"no-such-probe-program\", the check's"
                + " program, is not on PATH"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one error: " + e.getMessage());
        // The sites and the witness never run the check: their daemons start without its program.
        assertEquals("no-such-probe-program --host \"$SITEPAIR_DRILL_HOST\"", PairConfigParser.load(file).drills().check());
    }

    @Test
    void aCheckProgramIsAPathFromTheConfigsDirectoryOrANameOnPath() throws Exception {
        assertNull(CheckProgram.problem("sh -c 'exit 0'", dir), "a name on PATH");
        assertNull(CheckProgram.problem("/bin/sh -c true", dir), "an absolute path");
        executable(dir.resolve("my checks/probe"));
        assertNull(CheckProgram.problem("'my checks/probe' --quick", dir), "a quoted relative path");

        assertEquals("\"./probe.sh\", the check's program: no such file (" + dir.resolve("probe.sh") + ")",
                CheckProgram.problem("./probe.sh", dir));
        Files.writeString(dir.resolve("notes.txt"), "not a program\n");
        assertEquals("\"./notes.txt\", the check's program: " + dir.resolve("notes.txt") + " is not an executable file",
                CheckProgram.problem("  ./notes.txt arg", dir));
        assertTrue(CheckProgram.problem("MODE=quick ./probe", dir).startsWith("\"MODE=quick\", the check's program,"
                + " is not on PATH"), "a variable belongs in a script");
    }

    private static void executable(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
