package io.sitepair.ops.drill;

import io.sitepair.ops.drill.report.DrillReport;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.drill.report.DrillReport.Outcome;
import io.sitepair.ops.drill.report.DrillReport.Verdict;
import io.sitepair.ops.drill.report.DrillReports;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.SitepairProcess;
import io.sitepair.ops.lab.WriteLoad;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drills on a lab pair of real processes (two sites and the witness, each with its ZooKeeper
 * peer), run as an operator runs them: {@code sitepair drill} in its own JVM. One pair serves every
 * drill, in order, from the refusals that leave it untouched to the failover that fails it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillProcessTest {
    private static final Pattern REPORT = Pattern.compile("^report: (\\S+)/report\\.html", Pattern.MULTILINE);

    private Path dir;
    private LocalPair lab;

    @BeforeAll
    void startThePair(@TempDir Path dir) throws Exception {
        this.dir = dir;
        lab = new LocalPair(dir, yaml -> yaml);
        lab.startProtected();
    }

    @AfterAll
    void stopThePair() {
        lab.close();
    }

    /** What {@code sitepair drill} printed and how it exited. */
    private record Drill(int exit, String out, String err) {
        DrillReport report() throws IOException {
            Matcher report = REPORT.matcher(out);
            assertTrue(report.find(), "no report path in: " + out + err);
            return DrillReports.read(Path.of(report.group(1)).resolve("report.json"));
        }

        Path html() {
            Matcher report = REPORT.matcher(out);
            assertTrue(report.find(), "no report path in: " + out + err);
            return Path.of(report.group(1)).resolve("report.html");
        }
    }

    /** Runs {@code sitepair drill --config CONFIG ARGS} in its own JVM. */
    private Drill drill(Path config, String... args) throws Exception {
        Process process = startDrill(config, args);
        assertTrue(process.waitFor(4, TimeUnit.MINUTES), "the drill did not end");
        return new Drill(process.exitValue(), Files.readString(dir.resolve("drill.out")),
                Files.readString(dir.resolve("drill.err")));
    }

    private Process startDrill(Path config, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("drill", "--config", config.toString()));
        command.addAll(List.of(args));
        return SitepairProcess.start(dir.resolve("drill.out"), dir.resolve("drill.err"), command.toArray(String[]::new));
    }

    /** The pair's file with {@code from} replaced by {@code to}, as another file: the sites keep running from theirs. */
    private Path configWith(String name, String from, String to) throws IOException {
        String yaml = Files.readString(lab.config());
        assertTrue(yaml.contains(from), "the lab's file has no " + from);
        return Files.writeString(dir.resolve(name), yaml.replace(from, to));
    }

    private void assertUntouched() {
        SiteStatus a = lab.status("a");
        assertTrue(a instanceof PrimaryStatus && a.pairProtected(), a.toString());
        assertEquals(1L, a.epoch(), "no epoch passed: " + a);
    }

    @Test
    @Order(1)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void badInputIsRefusedClearlyAndTheDrillDoesNothing() throws Exception {
        Drill unknownKind = drill(lab.config(), "--kind", "fire");
        assertEquals(2, unknownKind.exit(), unknownKind.err());
        assertTrue(unknownKind.err().contains("--kind") && unknownKind.err().contains("fire"), unknownKind.err());

        Drill rpo = drill(configWith("rpo.yaml", "rpo: 0", "rpo: 5s"));
        assertEquals(2, rpo.exit(), rpo.err());
        assertTrue(rpo.err().contains("rpo") && rpo.err().contains("Output Rule"), rpo.err());

        Drill check = drill(configWith("check.yaml", "rpo: 0", "rpo: 0\n  check: /no/such/check.sh"));
        assertEquals(2, check.exit(), check.err());
        assertTrue(check.err().contains("/no/such/check.sh"), check.err());

        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Drill reports = drill(configWith("reports.yaml", "reports: a/drills", "reports: " + file.resolve("drills")));
        assertEquals(2, reports.exit(), reports.err());
        assertTrue(reports.err().contains(file.resolve("drills").toString()), reports.err());

        assertUntouched();
    }

    @Test
    @Order(2)
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTestDrillServesACloneWhileProductionGoesOnProtected() throws Exception {
        InetSocketAddress testService = lab.pair().drills().testService().get("b");
        AtomicReference<String> unprotected = new AtomicReference<>();
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                SiteStatus a = lab.status("a");
                if (!a.pairProtected()) {
                    unprotected.compareAndSet(null, a.toString());
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Drill drill;
        Map<String, String> ledger;
        try (WriteLoad production = new WriteLoad(2, "production", Map.of("a", lab.service("a")), "a")) {
            production.awaitAcknowledged(100, 30);
            drill = drill(configWith("check-ok.yaml", "rpo: 0", "rpo: 0\n  check: redis-cli -h \"$SITEPAIR_DRILL_HOST\""
                    + " -p \"$SITEPAIR_DRILL_PORT\" ping"), "--kind", "test");
            int before = production.acknowledged().size();
            production.awaitAcknowledged(before + 100, 30); // the primary still serves
            ledger = Map.copyOf(production.acknowledged());
        } finally {
            watcher.interrupt();
        }
        assertEquals(0, drill.exit(), drill.out() + drill.err());
        assertEquals(null, unprotected.get(), "the pair was unprotected during the test drill");
        DrillReport report = drill.report();
        assertEquals(Outcome.PASS, report.outcome());
        List<String> steps = report.timeline().stream().map(DrillReport.Step::name).toList();
        assertTrue(steps.containsAll(List.of("clone requested", "clone serving", "probe passed", "torn down",
                "production untouched", "ledger checked")), steps.toString());
        assertTrue(figure(report, "outputs released during the drill") > 0, "the primary released nothing meanwhile");
        assertEquals(0, report.check().exit(), report.check().toString());
        assertEquals("PONG", report.check().output(), "the check ran against the clone");
        assertTrue(steps.contains("check passed"), steps.toString());
        assertEquals(0, WriteLoad.missing(ledger, lab.service("a")), "a production write was lost");
        assertFalse(answers(testService), "the clone still serves on " + testService);
        Path copies = lab.pair().site("b").dataDir().resolve("drill-clone");
        try (var left = Files.exists(copies) ? Files.list(copies) : java.util.stream.Stream.<Path>empty()) {
            assertEquals(List.of(), left.toList(), "the clone's disk copies are not all deleted");
        }
        assertUntouched();
    }

    @Test
    @Order(3)
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void anObjectiveBelowWhatIsPossibleIsMissedInBothReports() throws Exception {
        Drill drill = drill(configWith("rto.yaml", "rto: 5s", "rto: 10ms"), "--kind", "test", "--no-load");
        assertEquals(1, drill.exit(), drill.out() + drill.err());
        DrillReport report = drill.report();
        assertEquals(Outcome.MISS, report.outcome());
        DrillReport.Objective rto = report.objectives().stream().filter(o -> o.name().equals("RTO")).findFirst()
                .orElseThrow();
        assertEquals(Verdict.MISSED, rto.verdict(), rto.toString());
        assertTrue(Files.readString(drill.html()).contains("MISS"), "report.html does not say MISS");
    }

    @Test
    @Order(4)
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aDrillKilledAtAnyPointLeavesThePairProtectedAndNothingBehind() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        InetSocketAddress testService = lab.pair().drills().testService().get("b");
        for (int kill = 0; kill < 2; kill++) {
            long after = 500 + random.nextInt(7000);
            Process drill = startDrill(lab.config(), "--kind", "test");
            Thread.sleep(after);
            drill.destroy(); // SIGTERM, as Ctrl-C: the drill aborts
            assertTrue(drill.waitFor(60, TimeUnit.SECONDS), "the drill did not end after SIGTERM");
            String what = "seed " + seed + ", killed after " + after + " ms, exit " + drill.exitValue() + ": "
                    + Files.readString(dir.resolve("drill.out"));
            lab.await("a", 30, s -> s instanceof PrimaryStatus && s.pairProtected());
            WriteLoad.await(() -> !answers(testService), (int) TestClone.LEASE.toSeconds() + 10,
                    "the clone to be gone (" + what + ")");
        }
        Drill next = drill(lab.config(), "--kind", "test", "--no-load");
        assertEquals(0, next.exit(), "a drill after the aborted ones: " + next.out() + next.err());
        assertUntouched();
    }

    @Test
    @Order(5)
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aSwitchoverDrillGoesToTheDrSiteAndBackLosingNothing() throws Exception {
        Drill drill = drill(lab.config(), "--kind", "switchover");
        assertEquals(0, drill.exit(), drill.out() + drill.err());
        DrillReport report = drill.report();
        assertEquals(Outcome.PASS, report.outcome());
        assertEquals(0, report.workload().lost());
        assertTrue(report.workload().acknowledged() > 0, report.workload().toString());
        List<String> objectives = report.objectives().stream().map(DrillReport.Objective::name).toList();
        assertTrue(objectives.containsAll(List.of("RTO", "RTO back", "RPO")), objectives.toString());
        SiteStatus a = lab.await("a", 60, s -> s instanceof PrimaryStatus && s.pairProtected());
        assertEquals(3L, a.epoch(), "two switchovers: " + a);
    }

    @Test
    @Order(6)
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aFailoverDrillMeasuresTheRealRecoveryAndReprotects() throws Exception {
        Drill drill = drill(lab.config(), "--kind", "failover", "--restart", "--failback");
        assertEquals(0, drill.exit(), drill.out() + drill.err());
        DrillReport report = drill.report();
        assertEquals(Outcome.PASS, report.outcome());
        List<String> steps = report.timeline().stream().map(DrillReport.Step::name).toList();
        assertTrue(steps.containsAll(List.of("fault", "detected", "replayed", "claimed", "live", "first write",
                "restarted", "re-protected", "failback requested", "failback live", "failback protected", "ledger checked")), steps.toString());
        DrillReport.Objective rto = report.objectives().stream().filter(o -> o.name().equals("RTO")).findFirst()
                .orElseThrow();
        // As bench failover measures it: the failure timeout, then a few hundred ms to go live.
        long suspectAfter = lab.pair().logging().suspectAfter().toMillis();
        assertTrue(figure(report, "detection") >= suspectAfter, report.figures().toString());
        assertTrue(rto.measuredMs() >= suspectAfter && rto.measuredMs() < suspectAfter + 3000, rto.toString());
        assertEquals(0, report.workload().lost());
        lab.await("a", 60, s -> s instanceof PrimaryStatus && s.pairProtected());
    }

    private static double figure(DrillReport report, String name) {
        return report.figures().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no figure " + name + " in " + report.figures())).value();
    }

    private static boolean answers(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
