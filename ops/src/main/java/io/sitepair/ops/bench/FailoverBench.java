package io.sitepair.ops.bench;

import io.sitepair.ops.lab.CountingConnection;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.NicLab;
import io.sitepair.ops.lab.NicLabQueue;
import io.sitepair.ops.lab.WriteLoad;
import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair bench failover}: kill -9 of the live site under a write load, again and again,
 * the killed site rejoining each time (so roles alternate). Prints the client-observed
 * unavailability, the go-live split and the re-protection time, and checks every acknowledged
 * write after every failover. With {@code --nic}, the clients keep their connections: the pause is
 * what they saw while connected, none may reconnect, and each cycle also measures a planned
 * switchover back to the killed site.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = {"Run N kill -9 failovers of the live site under a write load on a local pair with its witness;"
                + " the killed site rejoins and is re-protected before the next one, so roles alternate.",
                "Prints per failover and as p50/p99/max: client-observed unavailability (last acknowledged write at"
                        + " the old site to the first at the new one), detection, replay and arbitration, and the"
                        + " re-protection time. Ends with a power-off that shows both sites in the same state. Exits 1"
                + " if any acknowledged write is lost or the states differ (with --nic also if a client reconnected or"
                + " a counting connection saw a gap or a repeat)."})
public final class FailoverBench implements Callable<Integer> {
    private static final Pattern SPLIT = Pattern.compile(
            "detection (\\d+) ms.*replay (\\d+) ms.*arbitration (\\d+) ms");

    @Spec
    CommandLine.Model.CommandSpec spec;

    private static final Pattern DIFFERING = Pattern.compile("differing blocks: (\\d+)");

    @Option(names = "--cycles", defaultValue = "20", description = "Failovers to run (default ${DEFAULT-VALUE}).")
    int cycles;

    @Option(names = "--writers", defaultValue = "4", description = "Concurrent writing clients (default ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--dir", paramLabel = "DIR", description = "Lab directory (default: a temporary one).")
    Path dir;

    @Option(names = "--nic", description = "Network mode nic (needs root): the clients keep their connections, so the"
            + " pause is measured by them; each cycle also measures a planned switchover back to the killed site,"
            + " which is therefore killed every time.")
    boolean nic;

    @Option(names = "--no-verify", negatable = true, defaultValue = "true", description = "An online verify of both"
            + " sites' disks after each resync (default: on; --no-verify skips it, and the power-off at the end still"
            + " compares both sites' VM and disk state).")
    boolean verify;

    @Option(names = "--wait-for-lab", defaultValue = "10", description = "With --nic: minutes to wait while another run"
            + " holds this machine's nic lab (default ${DEFAULT-VALUE}).")
    int waitForLab;

    /** What one cycle measured, in ms; NaN where the mode has no such figure. */
    private record Row(double unavailable, double detection, double replay, double arbitration, double rejoin,
                       double copy, double counterWait, double switchover, double switchoverCounterWait) {
        static final List<String> NAMES = List.of("unavailability", "detection", "replay", "arbitration",
                "re-protection: restart to protected", "re-protection: copy (connect to streaming)",
                "failover: the counting connection's wait", "switchover: the writers' pause",
                "switchover: the counting connection's wait");

        double[] values() {
            return new double[] {unavailable, detection, replay, arbitration, rejoin, copy, counterWait, switchover,
                switchoverCounterWait};
        }
    }

    /** What the clients saw of a failover or a switchover. */
    private record Seen(double pause, double counterWait) {}

    @Override
    public Integer call() throws Exception {
        if (cycles < 1 || writers < 1 || waitForLab < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--cycles and --writers must be at least 1, --wait-for-lab at least 0");
        }
        if (nic && NicLab.missingPrerequisite() != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "bench failover --nic: "
                    + NicLab.missingPrerequisite());
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sitepair-failover-bench");
        List<Row> rows = new ArrayList<>();
        Map<String, String> everything = new HashMap<>();
        Problems problems = new Problems();
        long differing = 0;
        boolean identical;
        long timeout = 0;
        try (NicLab network = nic ? NicLabQueue.create(Duration.ofMinutes(waitForLab), out::println) : null;
             LocalPair lab = nic ? LocalPair.nic(work, yaml -> yaml) : new LocalPair(work, yaml -> yaml)) {
            timeout = lab.pair().logging().suspectAfter().toMillis();
            Map<String, Process> processes = new HashMap<>();
            lab.startWitness();
            processes.put("b", lab.start("b"));
            processes.put("a", lab.start("a"));
            lab.await("a", 120, SiteStatus::pairProtected);
            out.printf("bench failover: %d kill -9 failovers under %d writers, local pair with witness in %s, network mode"
                    + " %s%n", cycles, writers, work, nic ? "nic" : "socket");
            if (nic) {
                out.printf("%5s %6s %8s %9s %9s %10s %8s %12s %10s %8s %7s %9s %9s%n", "cycle", "killed", "writes",
                        "pause ms", "count ms", "detect ms", "replay ms", "arbitrate ms", "rejoin ms", "copy ms",
                        "differ", "switch ms", "count ms");
            } else {
                out.printf("%5s %6s %8s %14s %10s %8s %12s %10s %8s %7s%n", "cycle", "killed", "writes",
                        "unavailable ms", "detect ms", "replay ms", "arbitrate ms", "rejoin ms", "copy ms", "differ");
            }
            out.flush();
            String live = "a";
            int cycle = 0;
            try {
                for (cycle = 1; cycle <= cycles; cycle++) {
                    String other = live.equals("a") ? "b" : "a";
                    Map<String, String> ledger = new HashMap<>();
                    Seen failover = nic ? nicFailover(lab, processes, live, other, "c" + cycle, ledger, problems)
                            : socketFailover(lab, processes, live, other, "c" + cycle, ledger, problems);
                    SiteStatus status = lab.await(other, 10, s -> s.failover() != null
                            && s.failover().startsWith("live in epoch"));
                    Matcher split = SPLIT.matcher(status.failover());
                    if (!split.find()) {
                        throw new IllegalStateException("no go-live split in " + status.failover());
                    }
                    long rejoinStart = System.nanoTime();
                    processes.put(live, lab.start(live));
                    PrimaryStatus reprotected = (PrimaryStatus) lab.await(other, 120, SiteStatus::pairProtected);
                    double rejoin = (System.nanoTime() - rejoinStart) / 1e6;
                    double copy = reprotected.lastResync() != null ? reprotected.lastResync().tookMs() : Double.NaN;
                    long differ = verify ? differingBlocks(lab, other) : 0; // every block of both sites, after this resync
                    differing += differ;
                    Seen switchover = nic ? nicSwitchover(lab, other, live, "s" + cycle, ledger, problems)
                            : new Seen(Double.NaN, Double.NaN);
                    everything.putAll(ledger);
                    rows.add(new Row(failover.pause(), Double.parseDouble(split.group(1)),
                            Double.parseDouble(split.group(2)), Double.parseDouble(split.group(3)), rejoin, copy,
                            failover.counterWait(), switchover.pause(), switchover.counterWait()));
                    if (nic) {
                        out.printf("%5d %6s %8d %9.0f %9.0f %10s %8s %12s %10.0f %8.0f %7d %9.0f %9.0f%n", cycle, live,
                                ledger.size(), failover.pause(), failover.counterWait(), split.group(1), split.group(2),
                                split.group(3), rejoin, copy, differ, switchover.pause(), switchover.counterWait());
                        // back to the killed site as primary: it is the one killed next
                    } else {
                        out.printf("%5d %6s %8d %14.0f %10s %8s %12s %10.0f %8.0f %7d%n", cycle, live, ledger.size(),
                                failover.pause(), split.group(1), split.group(2), split.group(3), rejoin, copy, differ);
                        live = other;
                    }
                    out.flush();
                }
            } catch (Exception | AssertionError e) {
                spec.commandLine().getErr().printf("bench failover: cycle %d failed: %s%n%s", cycle, e,
                        lab.postMortem(40));
                throw e;
            }
            problems.lost += WriteLoad.missing(everything, lab.service(live));
            // A clean power-off of the live site: its backup stops at the same point, and every
            // resync of the run must have left the two sites' disks (and VM) identical.
            String backup = live.equals("a") ? "b" : "a";
            processes.get(live).destroy();
            boolean stopped = processes.get(live).waitFor(60, java.util.concurrent.TimeUnit.SECONDS)
                    & processes.get(backup).waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            String liveState = lab.finalState(live);
            String backupState = lab.finalState(backup);
            identical = stopped && liveState.equals(backupState);
            out.printf("%npower-off of %s: %s%n", live, identical ? "both sites ended in the same state (VM and disks) "
                    + liveState : "STATES DIFFER: " + live + " " + liveState + ", " + backup + " " + backupState);
        }
        out.println();
        for (int c = 0; c < Row.NAMES.size(); c++) {
            double[] values = column(rows, c);
            if (values.length > 0) {
                out.printf("%-42s p50 %6.0f ms   p99 %6.0f ms   max %6.0f ms%n", Row.NAMES.get(c),
                        percentile(values, 50), percentile(values, 99), values[values.length - 1]);
            }
        }
        double p99 = percentile(column(rows, 0), 99);
        if (nic) {
            double bound = timeout + SWITCHOVER_PAUSE_TARGET_MS;
            out.printf("target: p99 failover pause at most the failure timeout (suspect-after %d ms) + 300 ms = %.0f ms:"
                    + " %s (%.0f ms)%n", timeout, bound, p99 <= bound ? "met" : "MISSED", p99);
            double switchP99 = percentile(column(rows, 7), 99);
            out.printf("target: p99 switchover pause at most %.0f ms: %s (%.0f ms)%n", SWITCHOVER_PAUSE_TARGET_MS,
                    switchP99 <= SWITCHOVER_PAUSE_TARGET_MS ? "met" : "MISSED", switchP99);
            out.printf("client reconnections: %d%s; counting connections with a gap, a repeat or a failure: %d%s%n",
                    problems.reconnections, problems.reconnections == 0 ? "" : "  <-- CONNECTIONS LOST",
                    problems.counters.size(), problems.counters.isEmpty() ? "" : "  <-- " + problems.counters);
        } else {
            out.printf("target: p99 unavailability under 2000 ms with the default 1 s timeout: %s (%.0f ms)%n",
                    p99 < 2000 ? "met" : "MISSED", p99);
        }
        out.printf("acknowledged writes: %d, lost: %d%s%n", everything.size(), problems.lost,
                problems.lost == 0 ? "" : "  <-- DATA LOSS");
        if (verify) {
            out.printf("blocks differing after the resyncs (online verify after each): %d%s%n", differing,
                    differing == 0 ? "" : "  <-- DIVERGED DISKS");
        }
        out.flush();
        return problems.none() && identical && differing == 0 ? 0 : 1;
    }

    /** The bound on a switchover's pause, and on what a failover adds to the failure timeout. */
    private static final double SWITCHOVER_PAUSE_TARGET_MS = 300;
    /** How long a nic-mode client waits for a reply: longer than any failover, so it never reconnects. */
    private static final int NIC_CLIENT_PATIENCE_MS = 60_000;

    /** What went wrong for the clients over the run. */
    private static final class Problems {
        long lost;
        long reconnections;
        final List<String> counters = new ArrayList<>();

        boolean none() {
            return lost == 0 && reconnections == 0 && counters.isEmpty();
        }
    }

    /**
     * Network mode socket: writers that reconnect to the other site's address; the unavailability
     * is from the killed site's last acknowledged write to the other's first.
     */
    private Seen socketFailover(LocalPair lab, Map<String, Process> processes, String live, String other, String keys,
                                Map<String, String> ledger, Problems problems) throws Exception {
        Map<String, InetSocketAddress> sites = Map.of("a", lab.service("a"), "b", lab.service("b"));
        WriteLoad load = new WriteLoad(writers, keys, sites, live);
        try (load) {
            load.awaitAcknowledged(200, 60);
            load.markFailure();
            kill(processes.get(live));
            WriteLoad.await(() -> load.acknowledgedBy(other), 60, "a write acknowledged by " + other);
        }
        ledger.putAll(load.acknowledged());
        problems.lost += WriteLoad.missing(load.acknowledged(), sites.get(other));
        return new Seen(load.unavailableMillis(other), Double.NaN);
    }

    /**
     * Network mode nic: the clients keep their connections through the kill (both sites answer at
     * one address, so they cannot tell the sites apart); the pause is the longest gap between
     * acknowledged writes over the kill, and the counting connection's longest wait.
     */
    private Seen nicFailover(LocalPair lab, Map<String, Process> processes, String live, String other, String keys,
                             Map<String, String> ledger, Problems problems) throws Exception {
        InetSocketAddress service = lab.service(live);
        return underNicClients(service, keys, ledger, problems, load -> {
            kill(processes.get(live));
            List<String> acknowledgedByTheKilled = load.lastAcknowledged(1000);
            lab.await(other, 60, s -> s.role() == Role.LIVE_ALONE);
            return acknowledgedByTheKilled;
        });
    }

    /** A planned switchover from {@code from} to {@code to} under the clients of {@link #nicFailover}. */
    private Seen nicSwitchover(LocalPair lab, String from, String to, String keys, Map<String, String> ledger,
                               Problems problems) throws Exception {
        Seen seen = underNicClients(lab.service(from), keys, ledger, problems, load -> {
            AdminAnswer switched = lab.admin().post(from, "switchover", Duration.ofSeconds(60));
            if (!switched.ok()) {
                throw new IllegalStateException("switchover " + from + " -> " + to + " refused: " + switched.text());
            }
            lab.await(to, 60, s -> s.role() == Role.PRIMARY || s.role() == Role.LIVE_ALONE);
            return List.of();
        });
        lab.await(to, 120, SiteStatus::pairProtected);
        return seen;
    }

    /** An event the nic clients live through; returns keys whose writes must have survived it. */
    private interface Disruption {
        List<String> run(WriteLoad load) throws Exception;
    }

    /**
     * Writers and a counting connection at {@code service}; once they are under way, {@code disruption},
     * then waits until both carry on and returns the longest pause each saw.
     */
    private Seen underNicClients(InetSocketAddress service, String keys, Map<String, String> ledger, Problems problems,
                                 Disruption disruption) throws Exception {
        Seen seen;
        List<String> mustSurvive;
        try (CountingConnection counter = CountingConnection.open(service, keys + ":count");
             WriteLoad load = new WriteLoad(writers, keys, Map.of("nic", service), "nic", NIC_CLIENT_PATIENCE_MS)) {
            load.awaitAcknowledged(200, 60);
            awaitCount(counter, 50);
            load.pauses().open();
            mustSurvive = disruption.run(load);
            int acknowledged = load.acknowledged().size();
            long counted = counter.count();
            WriteLoad.await(() -> load.acknowledged().size() >= acknowledged + 100 && counter.count() >= counted + 20
                    || counter.problem() != null, 60, "the clients to carry on");
            seen = new Seen(load.pauses().close(System.nanoTime()), counter.longestWaitMillis());
            if (counter.problem() != null) {
                problems.counters.add(keys + ": " + counter.problem());
            }
            problems.reconnections += load.reconnections();
            ledger.putAll(load.acknowledged());
        }
        Map<String, String> atRisk = new HashMap<>();
        mustSurvive.forEach(key -> atRisk.put(key, ledger.get(key)));
        problems.lost += WriteLoad.missing(atRisk, service);
        return seen;
    }

    private static void awaitCount(CountingConnection counter, long count) {
        WriteLoad.await(() -> counter.count() >= count || counter.problem() != null, 60,
                "the counting connection to reach " + count);
    }

    private static void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Column {@code c} of the rows, sorted, without the NaNs of figures the mode does not have. */
    private static double[] column(List<Row> rows, int c) {
        return rows.stream().mapToDouble(r -> r.values()[c]).filter(v -> !Double.isNaN(v)).sorted().toArray();
    }

    /** An online verify through the live site: how many blocks differ between the two sites' disks. */
    private static long differingBlocks(LocalPair lab, String live) throws Exception {
        AdminAnswer response = lab.admin().post(live, "verify", java.time.Duration.ofMinutes(2));
        Matcher n = DIFFERING.matcher(response.text());
        if (!response.ok() || !n.find()) {
            throw new IllegalStateException("verify on site " + live + " failed: " + response.text());
        }
        return Long.parseLong(n.group(1));
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
