package io.sitepair.ops.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd units the distribution ships (site, witness, drill timer) pass {@code systemd-analyze verify}, as installed per the README. */
class SystemdUnitsTest {
    private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");
    private static final Path SYSTEM_UNITS = Path.of("/lib/systemd/system");

    @Test
    void theSiteWitnessAndDrillUnitsVerify(@TempDir Path root) throws Exception {
        assumeTrue(Files.isExecutable(ANALYZE) && Files.isDirectory(SYSTEM_UNITS), "systemd is not installed here");
        // A machine as the README installs it: the units, the launcher in /opt/sitepair, systemd's own targets.
        copyTree(SYSTEM_UNITS, root.resolve("usr/lib/systemd/system"));
        copyTree(Path.of("src/systemd"), root.resolve("etc/systemd/system"));
        Path launcher = Files.createDirectories(root.resolve("opt/sitepair/bin")).resolve("sitepair");
        Files.copy(Path.of("bin/sitepair"), launcher);

        Process verify = new ProcessBuilder(ANALYZE.toString(), "verify", "--man=no", "--root=" + root,
                "sitepair-site@a.service", "sitepair-witness.service", "sitepair-drill@test.service",
                "sitepair-drill@test.timer").redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // verify exits 0 on some mistakes (an unknown key, a bad value) and only says so.
        assertEquals("", output);
        assertEquals(0, verify.waitFor());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }
}
