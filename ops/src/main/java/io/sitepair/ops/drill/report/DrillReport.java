package io.sitepair.ops.drill.report;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one disaster-recovery drill did and measured: the one record that {@code report.json} holds
 * and {@code report.html} draws. Times of steps and samples are milliseconds since {@code started}.
 *
 * @param schema       {@link #SCHEMA}; a reader refuses a report of a later schema
 * @param kind         {@code test}, {@code switchover} or {@code failover}
 * @param outcome      the drill's verdict, which also decides the command's exit code
 * @param sites        the pair's sites as the drill found them
 * @param version      the sitepair version that ran the drill
 * @param configDigest SHA-256 (hex) of the configuration file, so two reports show whether it changed
 * @param forced       whether {@code --force} started it on a pair that was not protected or had no quorum
 * @param command      the drill's command line, as typed
 * @param workload     the built-in writer's figures; null with {@code --no-load}
 * @param check        the configured check's run; null when none is configured or it did not run
 * @param figures      other measured values, such as the Output Rule latency before and during a test drill
 * @param problems     anything that went wrong, in words
 */
public record DrillReport(int schema, String kind, Instant started, Instant ended, Outcome outcome, String pair,
                          List<SiteAtStart> sites, String version, String configFile, String configDigest,
                          boolean forced, String command, List<Objective> objectives, List<Step> timeline,
                          Workload workload, List<Sample> samples, List<Figure> figures, Check check,
                          List<String> problems) {
    public static final int SCHEMA = 1;

    public DrillReport {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(outcome, "outcome");
        sites = List.copyOf(sites);
        objectives = List.copyOf(objectives);
        timeline = List.copyOf(timeline);
        samples = List.copyOf(samples);
        figures = List.copyOf(figures);
        problems = List.copyOf(problems);
    }

    /** The drill's verdict. */
    public enum Outcome {
        /** Every objective met and every check passed. */
        PASS(0),
        /** The drill ran, but an objective was missed or a check failed. */
        MISS(1),
        /** The drill could not complete (a step failed); the problems say why. */
        FAILED(1),
        /** The operator stopped it (Ctrl-C); the pair was left protected. */
        ABORTED(130);

        private final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        /** The drill command's exit code for this verdict. */
        public int exitCode() {
            return exitCode;
        }
    }

    /** A site as the drill found it: its role then, and its admin address. */
    public record SiteAtStart(String name, String role, String admin) {}

    /** How one objective fared. */
    public enum Verdict { MET, MISSED, NOT_MEASURED }

    /**
     * One objective: its name ({@code RTO}, {@code RPO}, {@code check}, {@code re-protection}), the
     * target in words ({@code 5s}, {@code 0}) and what was measured, in words ({@code 1.84 s}).
     * {@code measuredMs} is the value behind the words, for machines; NaN when there is none.
     */
    public record Objective(String name, String target, String measured, double measuredMs, Verdict verdict) {}

    /**
     * One step of the drill's timeline: a short name ({@code fault}, {@code detected}, {@code claimed},
     * {@code live}, {@code first write}, {@code check passed}, {@code re-protected}, ...), when it
     * happened, and what it was, in words. {@code ok} false marks a step that went wrong.
     */
    public record Step(String name, double atMs, String detail, boolean ok) {}

    /**
     * The built-in writer's figures: writes acknowledged, of them lost (the ledger checked at the
     * end), and the longest time a client saw no write acknowledged ({@code unavailableMs}; NaN if
     * not measured).
     */
    public record Workload(long acknowledged, long lost, double unavailableMs) {}

    /**
     * The pair as sampled during the drill: replay lag, the logging channel's rate on the wire,
     * and the Output Rule's mean hold over the last sample period (NaN when unknown).
     */
    public record Sample(double atMs, double lagMs, double wireMbitS, double outputHoldMs) {}

    /** A named measured value, such as {@code Output Rule latency p50 during the drill}. */
    public record Figure(String name, double value, String unit) {}

    /** The configured check's run: its command, exit code, time taken and output (trimmed to its end). */
    public record Check(String command, int exit, double tookMs, String output) {}
}
