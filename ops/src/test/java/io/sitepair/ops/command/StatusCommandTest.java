package io.sitepair.ops.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sitepair status} against a lab whose processes are not running: every site and quorum peer is down. */
class StatusCommandTest {
    @TempDir
    Path dir;

    private String config;

    @BeforeEach
    void lab() {
        assertEquals(0, CliTest.sitepair("init", "--lab", dir.resolve("lab").toString()).exit());
        config = dir.resolve("lab/pair.yaml").toString();
    }

    @Test
    void aPairWithNothingRunningSaysSoFirstAndWhatToDoForEachSite() {
        CliTest.Result status = CliTest.sitepair("status", "--config", config);
        assertEquals(0, status.exit(), status.err());
        List<String> lines = status.out().lines().toList();
        assertEquals("pair lab, quorum: 0 of 3 ZooKeeper peers serving (down: a, b, witness): NO QUORUM, no site can"
                + " go live", lines.getFirst());
        assertTrue(lines.get(1).startsWith("problem: no ZooKeeper quorum: "), status.out());
        assertEquals("  what to do: start the ZooKeeper peers that are down (a, b, witness): until a majority serves,"
                + " no failover can be arbitrated", lines.get(2));
        assertTrue(lines.get(3).startsWith("problem: site a did not answer: "), status.out());
        assertTrue(lines.get(5).startsWith("problem: site b did not answer: "), status.out());
        assertEquals(List.of("a  unreachable", "b  unreachable"), lines.subList(7, 9));
    }

    @Test
    void verboseKeepsTheKeyValueLines() {
        CliTest.Result status = CliTest.sitepair("status", "--config", config, "--verbose");
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().startsWith("pair lab\nquorum: 0 of 3 ZooKeeper peers serving"), status.out());
        assertTrue(status.out().contains("\nsite b: unreachable: "), status.out());
    }

    @Test
    void jsonGoesAloneAndWatchNeedsAPositiveInterval() {
        CliTest.Result both = CliTest.sitepair("status", "--config", config, "--json", "--watch");
        assertEquals(2, both.exit(), both.out());
        assertTrue(both.err().contains("--json is for scripts: it goes without --verbose and --watch"), both.err());
        CliTest.Result zero = CliTest.sitepair("status", "--config", config, "--watch", "0");
        assertEquals(2, zero.exit(), zero.out());
        assertTrue(zero.err().contains("--watch takes a number of seconds above 0, not 0.0"), zero.err());
    }
}
