package io.sitepair.ops.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillReport.Outcome;
import io.sitepair.ops.drill.report.DrillReport.Verdict;
import io.sitepair.ops.drill.report.DrillReports;
import io.sitepair.ops.lab.HostNetwork;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.NicLab;
import io.sitepair.ops.lab.SitepairProcess;
import io.sitepair.replicator.status.PrimaryStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drills on a lab pair in network mode nic (root only): both sites serve one address and the
 * drill's clients keep their connections, so the RTO is the pause they saw, and a reconnection
 * would miss the drill. One lab serves a test drill, a switchover drill, then a failover drill.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class DrillNicProcessTest {
    private static final Pattern REPORT = Pattern.compile("^report: (\\S+)/report\\.html", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void drillsMeasureTheClientsPauseAndKeepTheirConnections() throws Exception {
        assumeTrue(NicLab.missingPrerequisite() == null, NicLab.missingPrerequisite());
        NicLab network;
        try {
            network = NicLab.create();
        } catch (HostNetwork.Busy busy) {
            assumeTrue(false, busy.getMessage());
            return;
        }
        try (network; LocalPair lab = LocalPair.nic(dir, yaml -> yaml)) {
            lab.startProtected();
            long suspectAfter = lab.pair().logging().suspectAfter().toMillis();

            assertConnectionsKept(drill(lab, "--kind", "test")); // the clone serves apart; production undisturbed

            DrillReport switchover = drill(lab, "--kind", "switchover");
            for (String way : List.of("RTO", "RTO back")) {
                double pause = objective(switchover, way).measuredMs();
                assertTrue(pause > 0 && pause < 3000, way + ": " + objective(switchover, way));
            }
            assertConnectionsKept(switchover);
            lab.await("a", 60, s -> s instanceof PrimaryStatus && s.pairProtected());

            DrillReport failover = drill(lab, "--kind", "failover", "--restart");
            DrillReport.Objective rto = objective(failover, "RTO");
            // The clients wait out the failure timeout, then the go-live: as in network mode socket.
            assertTrue(rto.measuredMs() >= suspectAfter * 0.9 && rto.measuredMs() < suspectAfter + 3000,
                    rto + "; failure timeout " + suspectAfter + " ms");
            assertTrue(rto.measured().contains("the longest time the clients saw no write acknowledged"), rto.measured());
            List<String> steps = failover.timeline().stream().map(DrillReport.Step::name).toList();
            assertTrue(steps.containsAll(List.of("fault", "live", "first write", "re-protected", "ledger checked")),
                    steps.toString());
            assertConnectionsKept(failover);
            System.out.printf("nic drills: switchover pauses %.0f ms and %.0f ms, failover pause %.0f ms (failure"
                    + " timeout %d ms)%n", objective(switchover, "RTO").measuredMs(),
                    objective(switchover, "RTO back").measuredMs(), rto.measuredMs(), suspectAfter);
        }
    }

    /** Runs {@code sitepair drill} in its own JVM, as an operator does; it must pass and lose no write. */
    private DrillReport drill(LocalPair lab, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("drill", "--config", lab.config().toString()));
        command.addAll(List.of(args));
        Process process = SitepairProcess.start(dir.resolve("drill.out"), dir.resolve("drill.err"),
                command.toArray(String[]::new));
        assertTrue(process.waitFor(4, TimeUnit.MINUTES), "the drill did not end");
        String out = Files.readString(dir.resolve("drill.out")) + Files.readString(dir.resolve("drill.err"));
        assertEquals(0, process.exitValue(), out);
        Matcher report = REPORT.matcher(out);
        assertTrue(report.find(), "no report path in: " + out);
        DrillReport read = DrillReports.read(Path.of(report.group(1)).resolve("report.json"));
        assertEquals(Outcome.PASS, read.outcome(), out);
        assertEquals(0, read.workload().lost(), out);
        return read;
    }

    private static void assertConnectionsKept(DrillReport report) {
        DrillReport.Objective kept = objective(report, "connections kept");
        assertEquals(Verdict.MET, kept.verdict(), kept.toString());
        assertEquals(0, kept.measuredMs(), kept.toString());
        assertTrue(report.timeline().stream().anyMatch(s -> s.detail().equals("clients kept their connections: 0"
                + " reconnections")), report.timeline().toString());
    }

    private static DrillReport.Objective objective(DrillReport report, String name) {
        return report.objectives().stream().filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no objective " + name + " in " + report.objectives()));
    }
}
