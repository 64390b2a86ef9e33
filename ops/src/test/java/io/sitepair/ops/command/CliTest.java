package io.sitepair.ops.command;

import io.sitepair.ops.lab.DemoCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands the foundation issue names, run through the real command line. */
class CliTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
        String state() {
            Matcher m = Pattern.compile("(?m)^state ([0-9a-f]{64})$").matcher(out);
            return m.find() ? m.group(1) : null;
        }
    }

    static Result sitepair(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private String p(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void recordReplayAndSnapshotReplayPrintTheSameStateAndLeaveIdenticalDisks() throws Exception {
        Result run = sitepair("guest", "run", "--guest", "stress", "--disk", p("A.img"), "--events", "5000", "--seed", "7",
                "--record", p("s.log"), "--disk-size", "4M", "--snapshot-at", "2500", "--snapshot", p("half.snap"),
                "--quiet-guest");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.state() != null, run.out());
        assertEquals(4L << 20, Files.size(dir.resolve("A.img")));

        Result replay = sitepair("guest", "replay", "--guest", "stress", "--disk", p("B.img"), "--log", p("s.log"), "--quiet-guest");
        assertEquals(0, replay.exit(), replay.err());
        assertEquals(run.state(), replay.state());
        assertEquals(-1, Files.mismatch(dir.resolve("A.img"), dir.resolve("B.img")));

        Result fromSnapshot = sitepair("guest", "replay", "--guest", "stress", "--disk", p("C.img"), "--log", p("s.log"),
                "--from-snapshot", p("half.snap"), "--quiet-guest");
        assertEquals(0, fromSnapshot.exit(), fromSnapshot.err());
        assertEquals(run.state(), fromSnapshot.state());
        assertEquals(-1, Files.mismatch(dir.resolve("A.img"), dir.resolve("C.img")));

        // One flipped byte in the middle: refused, naming the entry.
        byte[] log = Files.readAllBytes(dir.resolve("s.log"));
        log[log.length / 2] ^= 0x01;
        Files.write(dir.resolve("bad.log"), log);
        Result corrupt = sitepair("guest", "replay", "--guest", "stress", "--disk", p("D.img"), "--log", p("bad.log"), "--quiet-guest");
        assertEquals(Main.EXIT_DAMAGED, corrupt.exit());
        assertTrue(corrupt.err().matches("(?s)sitepair guest replay: error: log entry at position \\d+ \\(byte offset \\d+\\) is corrupt: .*"),
                corrupt.err());
        assertEquals(null, corrupt.state());

        // Truncated: says where the log ends and how far replay got.
        Files.copy(dir.resolve("s.log"), dir.resolve("torn.log"));
        DemoCommand.tearInsideAnEntry(dir.resolve("torn.log"), log.length / 3);
        long tornSize = Files.size(dir.resolve("torn.log"));
        Result torn = sitepair("guest", "replay", "--guest", "stress", "--disk", p("E.img"), "--log", p("torn.log"), "--quiet-guest");
        assertEquals(Main.EXIT_DAMAGED, torn.exit());
        assertTrue(torn.err().contains("log is truncated: it ends at byte " + tornSize + " inside entry"), torn.err());
        assertTrue(torn.err().matches("(?s).*replayed \\d+ complete events, up to position \\d+.*"), torn.err());

        Result dump = sitepair("log", "dump", p("s.log"), "--limit", "3");
        assertEquals(0, dump.exit(), dump.err());
        assertTrue(dump.out().contains("         1  ") && dump.out().contains("event init"), dump.out());
        assertTrue(dump.out().matches("(?s).*end: \\d+ entries, last position \\d+, \\d+ bytes.*"), dump.out());
    }

    @Test
    void badInputGetsAClearErrorAndTouchesNothing() throws Exception {
        Result abi = sitepair("guest", "run", "--guest", wasm("wrong-abi"), "--disk", p("x.img"), "--events", "5");
        assertEquals(1, abi.exit());
        assertTrue(abi.err().contains("built for sitepair guest ABI version 2; this host speaks version 1"), abi.err());
        assertTrue(Files.notExists(dir.resolve("x.img")), "a refused guest creates no disk");

        Result missing = sitepair("guest", "replay", "--guest", "stress", "--disk", p("y.img"), "--log", p("nope.log"));
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("nope.log"), missing.err());

        Result size = sitepair("guest", "run", "--guest", "stress", "--disk", p("z.img"), "--disk-size", "lots");
        assertEquals(2, size.exit());
        assertTrue(size.err().contains("'lots' is not a size"), size.err());

        Result unknown = sitepair("guest", "run", "--guest", "nosuch", "--disk", p("z.img"));
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("no shipped guest of that name"), unknown.err());

        Result notALog = sitepair("log", "dump", p("z.img"));
        assertEquals(1, notALog.exit());
        assertTrue(notALog.err().contains("no such file"), notALog.err());
    }

    @Test
    void theDemoPassesItsOwnChecksAndKeepsFilesOnlyWhenAskedTo() {
        Result demo = sitepair("demo", "replay", "--events", "3000", "--dir", p("demo"));
        assertEquals(0, demo.exit(), demo.out() + demo.err());
        assertTrue(demo.out().contains("RESULT: PASS"), demo.out());
        assertTrue(demo.out().contains("corrupt   refused: log entry at position"), demo.out());
        assertTrue(Files.exists(dir.resolve("demo/s.log")) && Files.notExists(dir.resolve("demo/torn.log")));
    }

    @Test
    void versionAndHelp() {
        Result version = sitepair("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("sitepair 0."), version.out());
        Result help = sitepair("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("guest") && help.out().contains("log") && help.out().contains("demo"), help.out());
    }

    /** A test guest from the native module, written out as a file (as an operator would pass one). */
    private String wasm(String name) throws Exception {
        Path file = dir.resolve(name + ".wasm");
        Files.write(file, io.sitepair.guests.ShippedGuest.load(name));
        return file.toString();
    }

    @Test
    void benchPairMeasuresBothLinksAndEndsWithEqualStates() {
        Result bench = sitepair("bench", "pair", "--requests", "3000", "--warmup", "0", "--pipeline", "1,32", "--tests",
                "set", "--rtt", "0,4ms", "--idle", "200ms", "--tls", "on");
        assertEquals(0, bench.exit(), bench.err() + bench.out());
        assertTrue(bench.out().contains("link: loopback") && bench.out().contains("link: WAN proxy, RTT 4ms"), bench.out());
        // A row per link and pipelining depth, each with figures for both servers.
        assertEquals(4, Pattern.compile("(?m)^  SET +(1|32) TLS on +[0-9,]+ +[0-9,]+ ").matcher(bench.out()).results()
                .count(), bench.out());
        assertEquals(2, bench.out().split("final states equal", -1).length - 1, bench.out());
        assertTrue(bench.out().contains("SET P1 TLS on: added p50 <= RTT + 1 ms"), bench.out());
    }

    @Test
    void benchPairRefusesAPipeliningDepthOfZeroAndAnUnknownTlsMode() {
        Result bench = sitepair("bench", "pair", "--pipeline", "0");
        assertEquals(2, bench.exit(), bench.out());
        assertTrue(bench.err().contains("--pipeline depth must be at least 1"), bench.err());
        Result tls = sitepair("bench", "pair", "--tls", "on,maybe");
        assertEquals(2, tls.exit(), tls.out());
        assertTrue(tls.err().contains("--tls takes on, off or on,off; got on,maybe"), tls.err());
    }

    /**
     * Twenty kill -9 failovers under writes, roles alternating, each followed by the killed site's
     * incremental re-protection: no acknowledged write lost in any, an online verify after each
     * resync finds no block differing, and after the last a power-off finds both sites' VM and disks
     * identical.
     */
    @Test
    void twentyFailoversBothWaysLoseNoWriteAndLeaveBothSitesIdentical() {
        Result bench = sitepair("bench", "failover", "--cycles", "20", "--writers", "2");
        assertEquals(0, bench.exit(), bench.err() + bench.out());
        // One row per failover, the roles alternating: a dies first, then the rejoined b.
        assertTrue(Pattern.compile("(?m)^ +1 +a +\\d+ +\\d+ +1000 ").matcher(bench.out()).find(), bench.out());
        assertTrue(Pattern.compile("(?m)^ +20 +b +\\d+ +\\d+ +1000 ").matcher(bench.out()).find(), bench.out());
        assertTrue(bench.out().contains("p99 unavailability under 2000 ms"), bench.out());
        assertTrue(bench.out().contains(", lost: 0"), bench.out());
        assertTrue(bench.out().contains("both sites ended in the same state"), bench.out());
        assertTrue(bench.out().contains("blocks differing after the resyncs (online verify after each): 0\n"),
                bench.out());
    }

    /**
     * A resync after a failover over the channel: each changed block (written on either site, or
     * both) is shipped once, the bytes shipped equal the changed blocks' size, and the images end
     * identical.
     */
    @Test
    void aResyncShipsEachChangedBlockOnceAndLeavesTheImagesIdentical() {
        Result bench = sitepair("bench", "resync", "--disk", "64M", "--changed", "5", "--run", "4", "--dir", p("resync"));
        assertEquals(0, bench.exit(), bench.err() + bench.out());
        Matcher counts = Pattern.compile("since: (\\d+) blocks on a, (\\d+) on b, (\\d+) of them on both: (\\d+) changed")
                .matcher(bench.out());
        assertTrue(counts.find(), bench.out());
        long changed = Long.parseLong(counts.group(4));
        assertEquals(Long.parseLong(counts.group(1)) + Long.parseLong(counts.group(2)) - Long.parseLong(counts.group(3)),
                changed);
        assertTrue(bench.out().contains("shipped: " + changed + " blocks for " + changed + " changed (1.000 x"),
                bench.out());
        assertTrue(bench.out().contains("images identical: true"), bench.out());
    }

    /** Bad options of the resync and drill commands are refused, naming the option, before any site is asked. */
    @Test
    void resyncAndInjectRefuseBadOptionsNamingThem() {
        assertEquals(0, sitepair("init", "--lab", p("lab")).exit());
        Result rate = sitepair("resync", "--config", p("lab/pair.yaml"), "--rate", "5", "--dry-run");
        assertEquals(1, rate.exit(), rate.out());
        assertTrue(rate.err().contains("--rate \"5\" is not a rate"), rate.err());
        Result discard = sitepair("resync", "--config", p("lab/pair.yaml"), "--discard", "c");
        assertEquals(1, discard.exit(), discard.out());
        assertTrue(discard.err().contains("no site named \"c\""), discard.err());
        Result fault = sitepair("inject", "--config", p("lab/pair.yaml"), "--site", "b", "--fault", "melt");
        assertEquals(1, fault.exit(), fault.out());
        assertTrue(fault.err().contains("unknown fault \"melt\" (faults: disk-io-error, disk-full, crash)"), fault.err());
    }

    @Test
    void failoverNamesAnUnknownSite() {
        assertEquals(0, sitepair("init", "--lab", p("lab")).exit());
        Result failover = sitepair("failover", "--config", p("lab/pair.yaml"), "--to", "c");
        assertEquals(1, failover.exit(), failover.out());
        assertTrue(failover.err().contains("no site named \"c\"") && failover.err().contains("a, b"), failover.err());
    }

    @Test
    void theDemoLabFailsOverResyncsSwitchesBackAndEndsInTheSameStateOnBothSites() {
        Result demo = sitepair("demo", "--seconds", "1", "--dir", p("lab"));
        assertEquals(0, demo.exit(), demo.err() + demo.out());
        for (String step : List.of("drill ", "failover ", "resync ", "switchover ", "power-off ")) {
            assertTrue(Pattern.compile("(?m)^  " + step + " *\\S").matcher(demo.out()).find(), step + "\n" + demo.out());
        }
        assertTrue(demo.out().contains("none lost") && !demo.out().contains("LOST"), demo.out());
        assertTrue(demo.out().contains("RESULT: PASS"), demo.out());
        if (io.sitepair.ops.lab.NicLab.missingPrerequisite() == null) { // as root the demo runs in network mode nic
            assertTrue(Pattern.compile("(?m)^  connections all 5 connections kept \\(0 reconnections\\); one connection"
                    + " counted 1\\.\\.\\d+ with INCR, no gap and no repeat").matcher(demo.out()).find(), demo.out());
        }
    }
}
