package io.sitepair.ops.drill;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.Units;
import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.drill.report.DrillReport.Outcome;
import io.sitepair.ops.drill.report.DrillReport.SiteAtStart;
import io.sitepair.ops.drill.report.DrillReports;
import io.sitepair.ops.drill.report.Readable;
import io.sitepair.ops.logging.ProcessLogging;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.Coordination;
import io.sitepair.ops.site.OperatorError;
import io.sitepair.tiebreaker.DrillLock;
import io.sitepair.tiebreaker.NoQuorumException;
import io.sitepair.tiebreaker.Tiebreaker;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;

/**
 * One drill from its request to its report: the refusals (reports directory not writable, pair not
 * protected, quorum not healthy, another drill under way), the drill lock, the kind's steps with
 * the pair sampled throughout, and the report. Ctrl-C (or SIGTERM) aborts it: what it set up is
 * taken down, the report says ABORTED, and the lock is released.
 */
public final class DrillExecution {
    /** The exit code of a drill refused before it began (bad input, or a pair not fit for a drill). */
    public static final int REFUSED = 2;

    private final PairConfig pair;
    private final AdminClient admin;
    private final DrillOptions options;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Clock clock;

    public DrillExecution(PairConfig pair, AdminClient admin, DrillOptions options, PrintWriter out, PrintWriter err,
                          Clock clock) {
        this.pair = pair;
        this.admin = admin;
        this.options = options;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    /** Runs the drill; returns the command's exit code. */
    public int run() throws Exception {
        Path reports = pair.drills().reports();
        try {
            DrillReports.checkWritable(reports);
        } catch (IOException e) {
            return refuse("drills.reports: " + e.getMessage());
        }
        DrillRun run = new DrillRun(pair, admin, options, out, clock, System::nanoTime);
        Preflight found = Preflight.look(run, clock.instant());
        run.sites(found.view().status().sites().values().stream().map(s -> new SiteAtStart(s.site(),
                s.role().label(), Addresses.format(pair.site(s.site()).admin()))).toList());
        if (!found.refusals().isEmpty() && !options.force()) {
            found.refusals().forEach(why -> err.println("sitepair drill: refused: " + why));
            return refuse("the pair is not fit for a drill (--force to drill anyway; the report records it)");
        }
        if (found.primary() == null) {
            return refuse("no site serves: there is nothing to drill");
        }
        if (options.kind() == DrillKind.test && !pair.drills().testService().containsKey(found.backup())) {
            return refuse("a test drill boots the clone on site " + found.backup() + "'s isolated test service, and "
                    + pair.file() + " names none: set drills.test-service." + found.backup() + " (docs/drills.md)");
        }
        // A failover drill crashes a quorum member on purpose: the client's reconnection errors
        // would read as the drill's.
        ProcessLogging.quorumLibrariesAt(Level.OFF);
        try (Tiebreaker quorum = pair.coordination() == null ? null : Coordination.connect(pair,
                new PrintStream(PrintStream.nullOutputStream()), Duration.ofSeconds(10));
             DrillLock lock = quorum == null ? null : quorum.lockDrill(holder())) {
            return drill(run, found, reports, lock);
        } catch (DrillLock.Taken e) {
            return refuse(e.getMessage() + " (a killed drill's lock goes when its ZooKeeper session expires)");
        } catch (NoQuorumException | OperatorError e) {
            return refuse("cannot take the drill lock: " + e.getMessage());
        }
    }

    private int drill(DrillRun run, Preflight found, Path reports, DrillLock lock) throws Exception {
        out.printf("sitepair drill --kind %s: pair %s, site %s serving, site %s protecting it; objectives RTO %s, RPO 0%n",
                options.kind(), pair.pair(), found.primary(), found.backup(),
                Units.formatDuration(pair.drills().rto()));
        if (options.force() && !found.refusals().isEmpty()) {
            found.refusals().forEach(why -> run.problem("forced although " + why));
        }
        String id = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC)
                .format(clock.instant());
        AtomicBoolean reported = new AtomicBoolean();
        PairSampler sampler = new PairSampler(run, found.primary());
        Thread abort = new Thread(() -> {
            if (reported.compareAndSet(false, true)) {
                run.failed("aborted", "the drill was interrupted (Ctrl-C); undoing what it set up");
                run.undoAll();
                sampler.close();
                finish(run, Outcome.ABORTED, sampler, reports);
                if (lock != null) {
                    lock.close(); // now, rather than when the session expires
                }
            }
        }, "sitepair-drill-abort");
        Runtime.getRuntime().addShutdownHook(abort);
        try {
            switch (options.kind()) {
                case test -> TestDrill.run(run, found, id);
                case switchover -> SwitchoverDrill.run(run, found, id);
                case failover -> FailoverDrill.run(run, found, id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.failed("drill", "interrupted");
        } catch (Exception e) {
            run.failed("drill", e.getMessage() == null ? e.toString() : e.getMessage());
        }
        if (!reported.compareAndSet(false, true)) {
            return Outcome.ABORTED.exitCode(); // the abort is reporting
        }
        Runtime.getRuntime().removeShutdownHook(abort);
        run.undoAll();
        sampler.close();
        if (options.kind() == DrillKind.test) {
            protectedThroughout(run, sampler.unprotectedAtMs());
        }
        return finish(run, run.outcome(), sampler, reports).exitCode();
    }

    /** A test drill must not disturb production: every sample of the pair found it protected. */
    private static void protectedThroughout(DrillRun run, List<Double> unprotectedAtMs) {
        if (unprotectedAtMs.isEmpty()) {
            run.objective("protected throughout", "every sample", Double.NaN, "the pair was protected at every"
                    + " sample", DrillReport.Verdict.MET);
        } else {
            run.objective("protected throughout", "every sample", unprotectedAtMs.getFirst(), "the pair was NOT"
                    + " protected at " + unprotectedAtMs.size() + " samples, from " + Readable.duration(
                    unprotectedAtMs.getFirst()) + " into the drill", DrillReport.Verdict.MISSED);
        }
    }

    /** Writes the report and prints the summary line; returns the outcome. */
    private Outcome finish(DrillRun run, Outcome outcome, PairSampler sampler, Path reports) {
        DrillReport report = run.report(outcome, sampler.samples());
        String summary = report.objectives().stream()
                .map(o -> o.name() + " " + o.verdict().name().replace('_', ' ') + " (" + o.measured() + ")")
                .reduce((a, b) -> a + "; " + b).orElse("no objective measured");
        out.println();
        out.println("drill " + options.kind() + ": " + outcome + ": " + summary);
        report.problems().forEach(problem -> out.println("  problem: " + problem));
        try {
            Path dir = DrillReports.write(report, reports);
            out.println("report: " + dir.resolve("report.html") + " (and report.json)");
        } catch (IOException e) {
            err.println("sitepair drill: error: the report could not be written: " + e.getMessage());
        }
        out.flush();
        return outcome;
    }

    private int refuse(String why) {
        err.println("sitepair drill: error: " + why);
        err.flush();
        return REFUSED;
    }

    private String holder() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return options.kind() + " drill by pid " + ProcessHandle.current().pid() + " on " + host + " since "
                + clock.instant();
    }
}
