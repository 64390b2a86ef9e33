package io.sitepair.ops.bench;

import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.WriteLoad;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * write after every failover.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = {"Run N kill -9 failovers of the live site under a write load on a local pair with its witness;"
                + " the killed site rejoins and is re-protected before the next one, so roles alternate.",
                "Prints per failover and as p50/p99/max: client-observed unavailability (last acknowledged write at"
                        + " the old site to the first at the new one), detection, replay and arbitration, and the"
                        + " re-protection time. Ends with a power-off that shows both sites in the same state. Exits 1"
                + " if any acknowledged write is lost or the states differ."})
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

    @Override
    public Integer call() throws Exception {
        if (cycles < 1 || writers < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cycles and --writers must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sitepair-failover-bench");
        List<double[]> rows = new ArrayList<>(); // unavailability, detection, replay, arbitration, rejoin, copy (ms)
        Map<String, String> everything = new HashMap<>();
        long lost = 0;
        long differing = 0;
        boolean identical;
        try (LocalPair lab = new LocalPair(work, yaml -> yaml)) {
            Map<String, InetSocketAddress> sites = Map.of("a", lab.service("a"), "b", lab.service("b"));
            Map<String, Process> processes = new HashMap<>();
            lab.startWitness();
            processes.put("b", lab.start("b"));
            processes.put("a", lab.start("a"));
            lab.await("a", 120, SiteStatus::pairProtected);
            out.printf("bench failover: %d kill -9 failovers under %d writers, local pair with witness in %s%n",
                    cycles, writers, work);
            out.printf("%5s %6s %8s %14s %10s %8s %12s %10s %8s %7s%n", "cycle", "killed", "writes", "unavailable ms",
                    "detect ms", "replay ms", "arbitrate ms", "rejoin ms", "copy ms", "differ");
            out.flush();
            String live = "a";
            int cycle = 0;
            try {
                for (cycle = 1; cycle <= cycles; cycle++) {
                    String other = live.equals("a") ? "b" : "a";
                    SiteStatus status;
                    WriteLoad load = new WriteLoad(writers, "c" + cycle, sites, live);
                    try (load) {
                        load.awaitAcknowledged(200, 60);
                        load.markFailure();
                        processes.get(live).destroyForcibly();
                        processes.get(live).waitFor();
                        String next = other;
                        WriteLoad.await(() -> load.acknowledgedBy(next), 60, "a write acknowledged by " + next);
                        status = lab.await(other, 10, s -> s.failover() != null
                                && s.failover().startsWith("live in epoch"));
                    }
                    double unavailable = load.unavailableMillis(other);
                    everything.putAll(load.acknowledged());
                    lost += WriteLoad.missing(load.acknowledged(), sites.get(other));
                    Matcher split = SPLIT.matcher(status.failover());
                    if (!split.find()) {
                        throw new IllegalStateException("no go-live split in " + status.failover());
                    }
                    long rejoinStart = System.nanoTime();
                    processes.put(live, lab.start(live));
                    PrimaryStatus reprotected = (PrimaryStatus) lab.await(other, 120, SiteStatus::pairProtected);
                    double rejoin = (System.nanoTime() - rejoinStart) / 1e6;
                    double copy = reprotected.lastResync() != null ? reprotected.lastResync().tookMs() : Double.NaN;
                    rows.add(new double[] {unavailable, Double.parseDouble(split.group(1)),
                            Double.parseDouble(split.group(2)), Double.parseDouble(split.group(3)), rejoin, copy});
                    long differ = differingBlocks(lab, other); // every block of both sites, after this resync
                    differing += differ;
                    out.printf("%5d %6s %8d %14.0f %10s %8s %12s %10.0f %8.0f %7d%n", cycle, live,
                            load.acknowledged().size(), unavailable, split.group(1), split.group(2), split.group(3),
                            rejoin, copy, differ);
                    out.flush();
                    live = other;
                }
            } catch (Exception | AssertionError e) {
                spec.commandLine().getErr().printf("bench failover: cycle %d failed: %s%n%s", cycle, e,
                        lab.postMortem(40));
                throw e;
            }
            lost += WriteLoad.missing(everything, sites.get(live));
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
        String[] names = {"unavailability", "detection", "replay", "arbitration",
            "re-protection: restart to protected", "re-protection: copy (connect to streaming)"};
        for (int c = 0; c < names.length; c++) {
            double[] values = new double[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                values[r] = rows.get(r)[c];
            }
            Arrays.sort(values);
            out.printf("%-42s p50 %6.0f ms   p99 %6.0f ms   max %6.0f ms%n", names[c], percentile(values, 50),
                    percentile(values, 99), values[values.length - 1]);
        }
        double p99 = percentile(rows.stream().mapToDouble(r -> r[0]).sorted().toArray(), 99);
        out.printf("target: p99 unavailability under 2000 ms with the default 1 s timeout: %s (%.0f ms)%n",
                p99 < 2000 ? "met" : "MISSED", p99);
        out.printf("acknowledged writes: %d, lost: %d%s%n", everything.size(), lost, lost == 0 ? "" : "  <-- DATA LOSS");
        out.printf("blocks differing after the resyncs (online verify after each): %d%s%n", differing,
                differing == 0 ? "" : "  <-- DIVERGED DISKS");
        out.flush();
        return lost == 0 && identical && differing == 0 ? 0 : 1;
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
