package io.sitepair.ops.drill;

import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillReport.Verdict;
import io.sitepair.ops.drill.report.Readable;
import io.sitepair.ops.lab.AcknowledgementPauses;
import io.sitepair.ops.lab.SitepairProcess;
import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.ops.status.FailoverTimeline;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.SiteStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The failover drill, which measures the real RTO: the primary's daemon halts at once, as if its
 * site lost power ({@code inject --fault crash}), under the workload. Then the backup detects it,
 * claims the next epoch and goes live; the drill waits for the first write the DR site
 * acknowledges (the RTO: from the fault to it; in network mode nic, where the clients keep their
 * connections to one address, the pause they saw across the fault), runs the check, waits for the
 * failed site to return (its supervisor restarts it, or the drill with {@code --restart}) and be
 * re-protected, and with {@code --failback} switches back to it.
 */
final class FailoverDrill {
    private FailoverDrill() {}

    static void run(DrillRun run, Preflight pair, String id) throws Exception {
        String primary = pair.primary();
        String backup = pair.backup();
        Duration suspectAfter = run.pair().logging().suspectAfter();
        DrillWorkload workload = run.options().load() ? new DrillWorkload(run, primary, id) : null;
        if (workload != null) {
            workload.awaitRunning(200);
            workload.load().pauses().open();
        }
        long fault = run.nanos();
        if (!crash(run, primary)) {
            return;
        }
        SiteStatus live = PairWaits.until(run, backup, suspectAfter.plusSeconds(60),
                s -> PairWaits.serves(s) && s.failover() != null && s.failover().startsWith("live in epoch"));
        if (live == null) {
            run.failed("live", "site " + backup + " did not go live within " + suspectAfter.plusSeconds(60).toSeconds()
                    + " s of the fault: " + run.admin().status(backup).reason());
            return;
        }
        long liveSeen = run.nanos();
        Long firstWrite = null;
        AcknowledgementPauses.Pause pause = null;
        if (workload != null) {
            workload.awaitWriteServedBy(backup, fault);
            if (workload.nic()) {
                // One address, connections kept: the write that ended the clients' pause is the DR site's first.
                pause = workload.load().pauses().longest();
                firstWrite = pause.endedNanos();
            } else {
                firstWrite = workload.load().firstAcknowledgedBy(backup, fault);
            }
        }
        // The site serves from its claim on; the drill may see it a poll later than a client does.
        phases(run, fault, firstWrite == null ? liveSeen : Math.min(liveSeen, firstWrite),
                FailoverTimeline.of(live.failover()));
        if (pause != null) {
            run.stepAt("first write", run.msAt(firstWrite), "site " + backup + " acknowledged a client's write on"
                    + " a connection made to site " + primary, true);
            run.timeObjective("RTO", run.drills().rto(), pause.millis(), "the longest time the clients saw no write"
                    + " acknowledged, across the fault");
        } else if (firstWrite != null) {
            run.stepAt("first write", run.msAt(firstWrite), "site " + backup + " acknowledged a client's write", true);
            run.timeObjective("RTO", run.drills().rto(), (firstWrite - fault) / 1e6, "from the fault to the first"
                    + " write the DR site acknowledged");
        } else {
            run.timeObjective("RTO", run.drills().rto(), (liveSeen - fault) / 1e6, "from the fault to the DR site"
                    + " live (no workload)");
        }
        DrillCheck.run(run, run.pair().site(backup).service(), backup, live.epoch() == null ? -1 : live.epoch());
        String serving = backup;
        if (returned(run, primary, backup) && run.options().failback()) {
            if (PairWaits.switchOver(run, "failback", backup, primary) && PairWaits.reprotected(run,
                    "failback protected", primary, Duration.ofSeconds(120))) {
                serving = primary;
            }
        }
        if (workload != null) {
            double unavailable = workload.load().pauses().close(run.nanos());
            workload.finish(serving, unavailable);
        } else {
            run.objective("RPO", "0", Double.NaN, "no workload (--no-load)", Verdict.NOT_MEASURED);
        }
    }

    /** Halts {@code site}'s daemon at once; whether it went (the step says what happened). */
    private static boolean crash(DrillRun run, String site) throws InterruptedException {
        try {
            AdminAnswer answer = run.admin().post(site, "inject?fault=crash", Duration.ofSeconds(10));
            if (!answer.ok()) {
                run.failed("fault", "site " + site + " refused the crash: " + answer.text());
                return false;
            }
            run.step("fault", answer.text());
        } catch (IOException e) {
            // The process may halt before its answer is on the wire: whether it did, its status tells.
            run.step("fault", "site " + site + " was told to crash; its answer was cut off (" + e.getMessage() + ")");
        }
        if (PairWaits.until(run, site, Duration.ofSeconds(10),
                s -> s instanceof NoAnswer) == null) {
            run.failed("fault", "site " + site + " still answers 10 s after it was told to crash");
            return false;
        }
        return true;
    }

    /**
     * The go-live's phases as the DR site timed them: the failure timeout counted from the last
     * word of the failed site (taken here as the fault), the replay of what it had received, and
     * the arbitration that won the epoch.
     */
    private static void phases(DrillRun run, long fault, long live, FailoverTimeline timeline) {
        if (timeline == null || timeline.detectionMs() == null) {
            run.step("live", timeline == null ? "live" : timeline.text());
            return;
        }
        double detected = run.msAt(fault) + timeline.detectionMs();
        double replayed = detected + timeline.replayMs();
        double claimed = replayed + timeline.arbitrationMs();
        run.stepAt("detected", detected, "no heartbeat for the failure timeout, " + timeline.detectionMs() + " ms",
                true);
        run.stepAt("replayed", replayed, "replayed what it had received, " + timeline.replayMs() + " ms", true);
        run.stepAt("claimed", claimed, "won epoch " + timeline.epoch() + " in the quorum, " + timeline.arbitrationMs()
                + " ms", true);
        run.stepAt("live", Math.max(claimed, run.msAt(live)), "serving clients alone in epoch " + timeline.epoch()
                + " from log position " + timeline.position(), true);
        run.figure("detection", timeline.detectionMs(), "ms");
        run.figure("replay", timeline.replayMs(), "ms");
        run.figure("arbitration", timeline.arbitrationMs(), "ms");
    }

    /**
     * Waits for the failed site to return and be re-protected: restarted by its supervisor, or by
     * the drill itself with {@code --restart}. A site that does not return within
     * {@code drills.return-within} leaves re-protection not measured, which is no failure.
     */
    private static boolean returned(DrillRun run, String failed, String live) throws Exception {
        Duration within = run.drills().returnWithin();
        long from = run.nanos();
        if (run.options().restart()) {
            Path dir = run.pair().file().getParent();
            Process daemon = SitepairProcess.startAppending(dir.resolve(failed + ".out"), dir.resolve(failed + ".err"),
                    "up", "--config", run.pair().file().toString(), "--site", failed);
            run.step("restarted", "sitepair up --site " + failed + " started by the drill (pid " + daemon.pid()
                    + ", output in " + dir.resolve(failed + ".out") + ")");
        } else {
            run.say("waiting up to " + within.toSeconds() + " s for site " + failed + "'s supervisor to restart it");
        }
        SiteStatus status = PairWaits.until(run, live, within, PairWaits::protectedPrimary);
        if (status == null) {
            run.objective("re-protection", "within " + within.toSeconds() + " s", Double.NaN, "site " + failed
                    + " did not return within " + within.toSeconds() + " s", Verdict.NOT_MEASURED);
            run.say("site " + failed + " did not return within " + within.toSeconds() + " s: re-protection not"
                    + " measured; the pair stays UNPROTECTED until it returns");
            return false;
        }
        double took = (run.nanos() - from) / 1e6;
        run.step("re-protected", "site " + failed + " rejoined as the backup of site " + live + " and was copied");
        run.objective("re-protection", "within " + within.toSeconds() + " s", took, Readable.duration(took)
                + " from the restart to protected", Verdict.MET);
        return true;
    }
}
