package io.sitepair.ops.drill;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.Units;
import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillReport.Verdict;
import io.sitepair.ops.drill.report.Readable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;

/**
 * The test drill: production is not disturbed. The backup clones what it has replayed (VM state
 * and disk copies, at a point holding every write acknowledged before the request) and boots the
 * clone live on its isolated test-service address. The drill probes it (PING, and the keys the
 * primary acknowledged just before the request, which must all be there), runs the check against
 * it, and tears it down; the backup's copies are deleted. Meanwhile the primary keeps serving the
 * workload, protected; the Output Rule's latency during the drill is set against the same span
 * before it.
 */
final class TestDrill {
    /** How long the Output Rule's latency is read before the clone, and at least during it. */
    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final int SAMPLE_KEYS = 100;

    private TestDrill() {}

    static void run(DrillRun run, Preflight pair, String id) throws Exception {
        String primary = pair.primary();
        String backup = pair.backup();
        InetSocketAddress testService = run.drills().testService().get(backup);
        DrillWorkload workload = run.options().load() ? new DrillWorkload(run, primary, id) : null;
        if (workload != null) {
            workload.awaitRunning(200);
        }
        OutputRuleLatency before = PairSampler.outputHolds(run.admin(), primary);
        Thread.sleep(WINDOW);
        OutputRuleLatency atRequest = PairSampler.outputHolds(run.admin(), primary);
        List<String> sample = workload == null ? List.of() : workload.load().lastAcknowledged(SAMPLE_KEYS);
        Map<String, String> ledger = workload == null ? Map.of() : Map.copyOf(workload.load().acknowledged());

        if (workload != null) {
            workload.load().pauses().open();
        }
        long requested = run.nanos();
        run.step("clone requested", "site " + backup + " clones its replica and boots it on the isolated test"
                + " service " + Addresses.format(testService) + (sample.isEmpty() ? ""
                : "; the " + sample.size() + " writes acknowledged last must be in it"));
        String marker = "sitepair:drill:" + id + ":clone-only";
        try (TestClone clone = TestClone.start(run, backup, testService)) {
            run.onAbort(clone::close);
            TestClone.Started started = clone.started();
            run.stepAt("clone serving", run.msAt(requested) + started.timeToServeMs(), "at log position "
                    + started.position() + " (" + started.eventsDelivered() + " events), on " + started.address() + "; disks "
                    + started.copyMethod() + ", " + Units.formatBytes(started.bytesCopied())
                    + "; replay held " + Readable.duration(started.replayPauseMs()), true);
            probe(run, testService, sample, ledger, marker);
            DrillCheck.run(run, testService, backup, pair.epoch());
            long minimumEnd = requested + WINDOW.toNanos();
            while (run.nanos() < minimumEnd) {
                Thread.sleep(50);
            }
            OutputRuleLatency during = PairSampler.outputHolds(run.admin(), primary);
            outputRuleFigures(run, before, atRequest, during);
            estimate(run, started);
        }
        if (!sample.isEmpty() || workload != null) {
            serviceUntouched(run, primary, marker);
        }
        if (workload != null) {
            workload.finish(primary, workload.load().pauses().close(run.nanos()));
        } else {
            run.objective("RPO", "0", Double.NaN, "no workload (--no-load)", Verdict.NOT_MEASURED);
        }
    }

    /** PING, then every sampled key must hold its acknowledged value; then a write only the clone sees. */
    private static void probe(DrillRun run, InetSocketAddress clone, List<String> sample, Map<String, String> ledger,
                              String marker) {
        try (Jedis client = new Jedis(clone.getHostString(), clone.getPort(), 5000)) {
            String pong = client.ping();
            List<String> missing = sample.stream().filter(key -> !ledger.get(key).equals(client.get(key))).toList();
            client.set(marker, "written to the clone only");
            if (!"PONG".equals(pong) || !missing.isEmpty()) {
                run.failed("probe", "PING answered " + pong + "; " + missing.size() + " of " + sample.size()
                        + " writes acknowledged before the request are missing from the clone, such as "
                        + missing.stream().limit(3).toList());
                return;
            }
            run.step("probe passed", "PING answered PONG" + (sample.isEmpty() ? " (no workload: no keys to read)"
                    : "; all " + sample.size() + " writes acknowledged last before the request are there"));
        } catch (RuntimeException e) {
            run.failed("probe", "the clone at " + Addresses.format(clone) + " does not answer: " + e.getMessage());
        }
    }

    /** The clone's own write must never reach production: the service must not know it. */
    private static void serviceUntouched(DrillRun run, String primary, String marker) {
        InetSocketAddress service = run.pair().site(primary).service();
        try (Jedis client = new Jedis(service.getHostString(), service.getPort(), 5000)) {
            if (client.get(marker) == null) {
                run.step("production untouched", "the write made on the clone is not on site " + primary
                        + "'s service " + Addresses.format(service));
            } else {
                run.failed("production untouched", "the write made on the clone is on site " + primary
                        + "'s service " + Addresses.format(service));
            }
        } catch (RuntimeException e) {
            run.failed("production untouched", "site " + primary + "'s service does not answer: " + e.getMessage());
        }
    }

    private static void outputRuleFigures(DrillRun run, OutputRuleLatency before, OutputRuleLatency atRequest,
                                          OutputRuleLatency during) {
        if (before == null || atRequest == null || during == null) {
            run.problem("the primary's Output Rule latency could not be read from its /metrics");
            return;
        }
        OutputRuleLatency beforeWindow = atRequest.since(before);
        OutputRuleLatency duringWindow = during.since(atRequest);
        run.figure("Output Rule latency before the drill, mean", beforeWindow.meanMs(), "ms");
        run.figure("Output Rule latency during the drill, mean", duringWindow.meanMs(), "ms");
        run.figure("Output Rule latency before the drill, p99", beforeWindow.p99Ms(), "ms");
        run.figure("Output Rule latency during the drill, p99", duringWindow.p99Ms(), "ms");
        run.figure("outputs released before the drill", beforeWindow.count(), "outputs");
        run.figure("outputs released during the drill", duringWindow.count(), "outputs");
        run.say(String.format("Output Rule latency: mean %.2f ms before, %.2f ms during the drill (p99 %.1f ms, %.1f"
                + " ms)", beforeWindow.meanMs(), duringWindow.meanMs(), beforeWindow.p99Ms(), duringWindow.p99Ms()));
    }

    /**
     * The RTO this drill can vouch for: the time to serve the clone, plus the failure detection an
     * unplanned failover adds first (the configured failure timeout, {@code logging.suspect-after}).
     */
    private static void estimate(DrillRun run, TestClone.Started started) {
        double detectionMs = run.pair().logging().suspectAfter().toMillis();
        run.figure("time to serve the clone", started.timeToServeMs(), "ms");
        run.figure("replay held while cloning", started.replayPauseMs(), "ms");
        run.figure("disk copies", started.bytesCopied(), "bytes");
        run.timeObjective("RTO", run.drills().rto(), started.timeToServeMs() + detectionMs, "estimate: "
                + Readable.duration(started.timeToServeMs()) + " to serve the clone + " + Readable.duration(detectionMs)
                + " failure detection");
    }
}
