package io.sitepair.ops.drill;

import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillReport.Verdict;
import java.time.Duration;

/**
 * The switchover drill: a planned switchover to the DR site under the workload, the check against
 * the new primary, and a switchover back unless {@code --stay}. Each way, the longest time a
 * client saw no write acknowledged is set against the RTO; the ledger proves no write was lost.
 */
final class SwitchoverDrill {
    private static final Duration PROTECTED_WITHIN = Duration.ofSeconds(120);

    private SwitchoverDrill() {}

    static void run(DrillRun run, Preflight pair, String id) throws Exception {
        String primary = pair.primary();
        String backup = pair.backup();
        DrillWorkload workload = run.options().load() ? new DrillWorkload(run, primary, id) : null;
        if (workload != null) {
            workload.awaitRunning(200);
        }
        double longest = leg(run, workload, primary, backup, "", true);
        String live = backup;
        if (!Double.isNaN(longest) && !run.options().stay()) {
            double back = leg(run, workload, backup, primary, " back", false);
            longest = Double.isNaN(back) ? back : Math.max(longest, back);
            live = primary;
        }
        if (workload != null && !Double.isNaN(longest)) {
            workload.finish(live, longest);
        } else if (workload == null) {
            run.objective("RPO", "0", Double.NaN, "no workload (--no-load)", Verdict.NOT_MEASURED);
        }
    }

    /**
     * One switchover, from {@code from} to {@code to}, waited for until {@code to} serves protected;
     * returns the longest pause its clients saw (0 without workload), NaN if it failed.
     */
    private static double leg(DrillRun run, DrillWorkload workload, String from, String to, String way,
                              boolean check) throws Exception {
        if (workload != null) {
            workload.load().pauses().open();
        }
        long requested = run.nanos();
        if (!PairWaits.switchOver(run, "switchover", from, to)) {
            return Double.NaN;
        }
        if (workload != null) {
            workload.awaitWriteServedBy(to, requested);
            run.step("first write", "site " + to + " acknowledged a client's write");
        }
        if (!PairWaits.reprotected(run, "protected", to, PROTECTED_WITHIN)) {
            return Double.NaN;
        }
        double pauseMs = workload == null ? (run.nanos() - requested) / 1e6
                : workload.load().pauses().close(run.nanos());
        run.timeObjective("RTO" + way, run.drills().rto(), pauseMs, workload == null
                ? "request to protected again, no workload" : "longest time clients saw no write acknowledged");
        if (check) {
            DrillCheck.run(run, run.pair().site(to).service(), to, epochOf(run, to));
        }
        return workload == null ? 0 : pauseMs;
    }

    static long epochOf(DrillRun run, String site) {
        Long epoch = run.admin().status(site).epoch();
        return epoch == null ? -1 : epoch;
    }
}
