package io.sitepair.ops.drill.report;

import io.sitepair.ops.drill.report.DrillReport.Check;
import io.sitepair.ops.drill.report.DrillReport.Figure;
import io.sitepair.ops.drill.report.DrillReport.Objective;
import io.sitepair.ops.drill.report.DrillReport.Outcome;
import io.sitepair.ops.drill.report.DrillReport.Sample;
import io.sitepair.ops.drill.report.DrillReport.SiteAtStart;
import io.sitepair.ops.drill.report.DrillReport.Step;
import io.sitepair.ops.drill.report.DrillReport.Verdict;
import io.sitepair.ops.drill.report.DrillReport.Workload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Drill reports as the drill command would write them, for the report's tests. */
public final class DrillReportFixture {
    static final Instant STARTED = Instant.parse("2026-12-06T14:15:02.120Z");
    static final double FAULT_MS = 5_000;
    static final double REPROTECTED_MS = 38_200;

    private DrillReportFixture() {}

    /** An unplanned failover that met its objectives, with a failback; steps close together around go-live. */
    public static DrillReport failover() {
        return failover(STARTED, Outcome.PASS, true);
    }

    /** The same drill, started at {@code started}; with {@code failbackOk} false its failback failed. */
    static DrillReport failover(Instant started, Outcome outcome, boolean failbackOk) {
        List<Step> timeline = List.of(
                new Step("workload", 0, "built-in writer started: 64 clients against site a", true),
                new Step("fault", FAULT_MS, "site a's daemon halted by a signed inject --fault crash", true),
                new Step("detected", 6_620, "site b lost the logging channel (no heartbeat for 1.5 s)", true),
                new Step("claimed", 6_650, "site b won the ZooKeeper claim: epoch 8", true),
                new Step("live", 6_890, "site b serves on 10.0.2.10:6379", true),
                new Step("first write", 6_930, "first acknowledged write at site b", true),
                new Step("check passed", 7_410, "kv-health exit 0 in 480 ms", true),
                new Step("re-protected", REPROTECTED_MS, "site a returned and resynced: 41 MiB sent", true),
                new Step("failback", 52_100, failbackOk ? "site a primary again; client pause 0.41 s"
                        : "switchover back to site a timed out after 10 s", failbackOk));
        List<Objective> objectives = List.of(
                new Objective("RTO", "5s", "1.89 s", 1_890, Verdict.MET),
                new Objective("RPO", "0", "0 acknowledged writes lost", 0, Verdict.MET),
                new Objective("check", "exit 0", "exit 0 in 480 ms", 480, Verdict.MET),
                new Objective("re-protection", "60s", "33.20 s", 33_200, Verdict.MET),
                new Objective("failback", "10s", failbackOk ? "0.41 s" : "not done", failbackOk ? 410 : Double.NaN,
                        failbackOk ? Verdict.MET : Verdict.NOT_MEASURED));
        return new DrillReport(DrillReport.SCHEMA, "failover", started, started.plusMillis(58_640), outcome, "prod-kv",
                List.of(new SiteAtStart("a", "primary", "10.0.1.10:9400"),
                        new SiteAtStart("b", "backup", "10.0.2.10:9400")),
                "0.9.0", "/etc/sitepair/pair.yaml",
                "9f2c1e7a4b5d6c3e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9001122334455aa", false,
                "sitepair drill --kind failover --config /etc/sitepair/pair.yaml --restart --failback",
                objectives, timeline, new Workload(48_213, 0, 1_930), samples(),
                List.of(new Figure("Detection time", 1_620, "ms"),
                        new Figure("Output Rule latency p50 before the drill", 1.21, "ms"),
                        new Figure("Output Rule latency p50 after re-protection", 1.34, "ms"),
                        new Figure("Resync sent", 41.2, "MiB"),
                        new Figure("Failback client pause", failbackOk ? 410 : Double.NaN, "ms")),
                new Check("/usr/local/bin/kv-health --host $SITEPAIR_DRILL_HOST --port $SITEPAIR_DRILL_PORT", 0, 480,
                        "PING: PONG in 0.4 ms\nread 100 of 100 sampled keys acknowledged before the fault\nhealthy"),
                failbackOk ? List.of() : List.of("The failback did not complete: site a did not become primary"
                        + " within 10 s; site b still serves, protected."));
    }

    /**
     * Every half second: lag and the wire rate while protected, nothing (NaN) while site a is down,
     * a resync burst when it returns.
     */
    static List<Sample> samples() {
        Random noise = new Random(17);
        List<Sample> samples = new ArrayList<>();
        for (double at = 0; at <= 58_500; at += 500) {
            if (at > FAULT_MS && at < REPROTECTED_MS - 3_000) {
                samples.add(new Sample(at, Double.NaN, Double.NaN, Double.NaN));
            } else if (at > FAULT_MS && at < REPROTECTED_MS) {
                samples.add(new Sample(at, 18 + 22 * noise.nextDouble(), 150 + 40 * noise.nextDouble(),
                        2.5 + noise.nextDouble()));
            } else {
                samples.add(new Sample(at, 0.8 + 1.2 * noise.nextDouble(), 38 + 7 * noise.nextDouble(),
                        1.1 + 0.5 * noise.nextDouble()));
            }
        }
        return samples;
    }
}
