package io.sitepair.ops.drill;

import io.sitepair.ops.config.DrillsConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.Units;
import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillReport.Check;
import io.sitepair.ops.drill.report.DrillReport.Figure;
import io.sitepair.ops.drill.report.DrillReport.Objective;
import io.sitepair.ops.drill.report.DrillReport.Outcome;
import io.sitepair.ops.drill.report.DrillReport.SiteAtStart;
import io.sitepair.ops.drill.report.DrillReport.Step;
import io.sitepair.ops.drill.report.DrillReport.Verdict;
import io.sitepair.ops.drill.report.DrillReport.Workload;
import io.sitepair.ops.drill.report.Readable;
import io.sitepair.ops.site.AdminClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One drill as it runs: what its steps need (the pair, its admin API, the objectives, the options)
 * and what they record for the report (the timeline, objectives, figures, problems), each step
 * printed as it happens with the time since the drill began. Steps register how to undo what
 * they set up (a test clone, the workload), so an aborted drill leaves the pair as it found it.
 */
public final class DrillRun {
    private final PairConfig pair;
    private final AdminClient admin;
    private final DrillOptions options;
    private final PrintWriter out;
    private final LongSupplier nanos;
    private final long startNanos;
    private final java.time.Instant started;
    private final Clock clock;
    private final List<Step> timeline = new ArrayList<>();
    private final List<Objective> objectives = new ArrayList<>();
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private List<SiteAtStart> sites = List.of();
    private Workload workload;
    private Check check;

    DrillRun(PairConfig pair, AdminClient admin, DrillOptions options, PrintWriter out, Clock clock,
             LongSupplier nanos) {
        this.pair = pair;
        this.admin = admin;
        this.options = options;
        this.out = out;
        this.clock = clock;
        this.nanos = nanos;
        this.startNanos = nanos.getAsLong();
        this.started = clock.instant();
    }

    PairConfig pair() {
        return pair;
    }

    DrillsConfig drills() {
        return pair.drills();
    }

    AdminClient admin() {
        return admin;
    }

    DrillOptions options() {
        return options;
    }

    /** The monotonic time now, in nanoseconds. */
    long nanos() {
        return nanos.getAsLong();
    }

    /** Milliseconds since the drill began, of the monotonic time {@code at}. */
    double msAt(long at) {
        return (at - startNanos) / 1e6;
    }

    double elapsedMs() {
        return msAt(nanos());
    }

    /** A step that happened now. */
    synchronized void step(String name, String detail) {
        stepAt(name, elapsedMs(), detail, true);
    }

    /** A step that went wrong now: it is also a problem of the drill. */
    synchronized void failed(String name, String detail) {
        stepAt(name, elapsedMs(), detail, false);
        problems.add(name + ": " + detail);
    }

    /** A step known after the fact (the phases of a failover, from the site's own timing). */
    synchronized void stepAt(String name, double atMs, String detail, boolean ok) {
        timeline.add(new Step(name, atMs, detail, ok));
        out.printf("[%7.2f s] %s%s: %s%n", atMs / 1000, ok ? "" : "FAILED: ", name, detail);
        out.flush();
    }

    /** A progress line that is not a step of the timeline. */
    synchronized void say(String line) {
        out.printf("            %s%n", line);
        out.flush();
    }

    synchronized void problem(String what) {
        problems.add(what);
        say("problem: " + what);
    }

    synchronized void objective(String name, String target, double measuredMs, String measured, Verdict verdict) {
        objectives.add(new Objective(name, target, measured, measuredMs, verdict));
    }

    /** An objective of time: met when {@code measuredMs} is at most {@code target}. */
    void timeObjective(String name, Duration target, double measuredMs, String how) {
        boolean met = measuredMs <= target.toMillis();
        objective(name, Units.formatDuration(target), measuredMs, Readable.duration(measuredMs) + " (" + how + ")",
                met ? Verdict.MET : Verdict.MISSED);
    }

    synchronized void figure(String name, double value, String unit) {
        figures.add(new Figure(name, value, unit));
    }

    synchronized void workload(Workload workload) {
        this.workload = workload;
    }

    synchronized void check(Check check) {
        this.check = check;
    }

    synchronized void sites(List<SiteAtStart> sites) {
        this.sites = List.copyOf(sites);
    }

    /** {@code action} undoes something this drill set up; an aborted drill runs it (newest first). */
    synchronized void onAbort(Runnable action) {
        undo.push(action);
    }

    /** Forgets {@code action}: what it undoes was undone, or is over. */
    synchronized void done(Runnable action) {
        undo.remove(action);
    }

    /** Undoes what the drill set up and has not taken down, newest first. */
    void undoAll() {
        Runnable next;
        while ((next = pop()) != null) {
            try {
                next.run();
            } catch (RuntimeException e) {
                problem("undoing a step failed: " + e.getMessage());
            }
        }
    }

    private synchronized Runnable pop() {
        return undo.poll();
    }

    /**
     * The verdict: a failed step fails the drill; else a missed objective misses it; else it
     * passed. Other problems (a lease renewal that had to be retried, a figure that could not be
     * read) are reported in words, and change nothing.
     */
    synchronized Outcome outcome() {
        if (timeline.stream().anyMatch(step -> !step.ok())) {
            return Outcome.FAILED;
        }
        if (objectives.stream().anyMatch(o -> o.verdict() == Verdict.MISSED)) {
            return Outcome.MISS;
        }
        return Outcome.PASS;
    }

    /** The report of this drill, ended now with {@code outcome}. */
    synchronized DrillReport report(Outcome outcome, List<DrillReport.Sample> samples) {
        return new DrillReport(DrillReport.SCHEMA, options.kind().name(), started, clock.instant(), outcome,
                pair.pair(), sites, options.version(), pair.file().toString(), options.configDigest(),
                options.force(), options.commandLine(), objectives, timeline, workload, samples, figures, check,
                problems);
    }
}
