package io.sitepair.ops.lab;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair demo}: the one-machine lab. The witness and both sites run as separate JVMs,
 * each with its ZooKeeper peer; Redis clients write to the KV guest; site a is killed under the
 * load, b goes live, a returns and is re-protected (its disks and VM state copied from b), a
 * planned switchover makes a live again, and a power-off shows both sites ending in the same
 * state. Every acknowledged write is checked after every change of site.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        subcommands = {DemoCommand.class},
        description = {"The one-machine lab: witness, site a, site b and the KV guest; a write workload, a kill -9"
                + " failover, the failed site's return and re-protection, a planned switchover back, and a clean"
                + " power-off; ends in a summary. Exits non-zero if any check fails.",
                "`sitepair demo replay` is the record/replay demonstration of a single VM."})
public final class PairDemo implements Callable<Integer> {
    private static final int WRITERS = 4;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Lab directory, kept afterwards (default: a temporary one, removed at the end).")
    Path dir;

    @Option(names = "--seconds", defaultValue = "3", description = "How long the workload writes before each change"
            + " of site (default ${DEFAULT-VALUE}).")
    int seconds;

    /** Network mode: nic when this machine can run it (root), else socket; either may be asked for. */
    @CommandLine.ArgGroup(exclusive = true)
    NetworkChoice network;

    static final class NetworkChoice {
        @Option(names = "--nic", description = "Network mode nic: the guest owns its TCP connections on a virtual NIC,"
                + " so clients keep them across the failover (needs root; the default when run as root).")
        boolean nic;

        @Option(names = "--socket", description = "Network mode socket: the host terminates TCP, so a failover closes"
                + " the clients' connections (the default when not run as root).")
        boolean socket;
    }

    private PrintWriter out;
    private final List<String> summary = new ArrayList<>();
    private final Map<String, String> everything = new HashMap<>();
    private boolean failed;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be at least 1");
        }
        out = spec.commandLine().getOut();
        String missing = NicLab.missingPrerequisite();
        boolean nic = network != null ? network.nic : missing == null;
        if (nic && missing != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nic: " + missing
                    + " (--socket runs the demo in network mode socket)");
        }
        if (!nic && network == null) {
            out.println("network mode socket: clients reconnect after a failover. For network mode nic, where they"
                    + " keep their connections: " + missing);
        }
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sitepair-demo");
        Path reports = null;
        try (NicLab serviceNetwork = nic ? NicLab.create() : null;
             LocalPair lab = nic ? LocalPair.nic(work, yaml -> yaml) : new LocalPair(work, yaml -> yaml)) {
            reports = lab.pair().drills().reports();
            run(lab, nic);
        } catch (RuntimeException | HostNetwork.Busy e) {
            fail("lab", e.getMessage());
        }
        if (dir == null && reports != null && Files.isDirectory(reports)) {
            keepReports(reports);
        }
        out.println();
        out.println("summary:");
        summary.forEach(line -> out.println("  " + line));
        out.println(failed ? "RESULT: FAIL" : "RESULT: PASS: a test drill and a failover drill met their objectives;"
                + " every acknowledged write survived a kill -9 failover, the re-protection and a switchover; both"
                + " sites ended in the same state");
        if (dir == null) {
            Scratch.deleteTree(work);
        } else {
            out.println("lab kept in " + work + " (pair.yaml, each process's .out and .err, the sites' data)");
        }
        out.flush();
        return failed ? 1 : 0;
    }

    /**
     * The drills' reports outlive the temporary lab: they move to a directory of their own, and
     * the summary names them there.
     */
    private void keepReports(Path reports) throws IOException {
        Path kept = Files.createTempDirectory("sitepair-demo-drills");
        Files.move(reports, kept.resolve("drills"));
        summary.replaceAll(line -> line.replace(reports.toString(), kept.resolve("drills").toString()));
        summary.add(String.format("%-10s %s", "reports", "kept in " + kept.resolve("drills")
                + " (open report.html in a browser)"));
    }

    /** What {@code sitepair status --json} says of the links, as an operator's script would read it: into the summary. */
    private void links(LocalPair lab) throws IOException, InterruptedException {
        LocalPair.Cli status = lab.cli(Duration.ofSeconds(30), "status", "--json");
        LinkSecurity security;
        try {
            security = StatusJson.readPair(status.out()).security();
        } catch (IllegalArgumentException e) {
            fail("links", "sitepair status --json said nothing of the links: " + e.getMessage() + ": " + status.text());
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add("links: " + security.links());
        if (security.coordination() != null) {
            lines.add("coordination: " + security.coordination());
        }
        security.warnings().forEach(warning -> lines.add("WARNING: " + warning));
        lines.forEach(this::say);
        summary.add(String.format("%-10s %s", "links", String.join("; ", lines).substring("links: ".length())));
    }

    private void run(LocalPair lab, boolean nic) throws Exception {
        Map<String, InetSocketAddress> sites = Map.of("a", lab.service("a"), "b", lab.service("b"));
        step(1, "sitepair init --lab " + (nic ? "--nic " : "") + lab.dir() + "; start the witness, site b and site a"
                + " (separate JVMs, each with its ZooKeeper peer)" + (nic ? "; the guest owns its TCP connections on a"
                + " virtual NIC at " + Addresses.hostPort(lab.service("a")) + ", one address for both sites" : ""));
        lab.startWitness();
        Process b = lab.start("b");
        Process a = lab.start("a");
        lab.await("a", 120, SiteStatus::pairProtected);
        say("site a is primary in epoch 1, protected by site b; clients on " + lab.endpoint());
        say("dashboard, live while the demo runs: " + AdminClient.uri(lab.pair(), "a", "") + " or "
                + AdminClient.uri(lab.pair(), "b", "") + (lab.pair().tls().on()
                        ? " (the browser presents a client certificate of the pair: README, Dashboard)" : ""));
        links(lab);

        step(2, "test drill: sitepair drill --config pair.yaml (b boots a clone of its replica on its isolated test"
                + " service; production is not disturbed)");
        drill(lab, "test drill", "--kind", "test");

        if (nic) {
            survivingConnections(lab, a, sites);
        } else {
            failover(lab, a, sites);
        }

        step(4, "site a returns (sitepair up --site a): it rejoins as b's backup and is re-protected under the load");
        try (WriteLoad load = new WriteLoad(WRITERS, "phase2", sites, "b")) {
            a = lab.start("a");
            PrimaryStatus reprotected = (PrimaryStatus) lab.await("b", 120, SiteStatus::pairProtected);
            pause(seconds);
            load.close();
            check("resync", load.acknowledged(), sites.get("b"), "b protected again by a: re-protection "
                    + reprotected.lastReprotection());
        }

        step(5, "planned switchover back under the load: sitepair failover --config pair.yaml --to a");
        try (WriteLoad load = new WriteLoad(WRITERS, "phase3", sites, "b")) {
            pause(1);
            String switchover = failoverTo(lab, "a");
            say(switchover);
            lab.await("a", 60, SiteStatus::pairProtected);
            pause(seconds);
            load.close();
            check("switchover", load.acknowledged(), sites.get("a"), "a live again and protected by b ("
                    + lastLine(switchover) + ")");
        }

        step(6, "failover drill: sitepair drill --kind failover --restart --failback (site a's daemon halts as if"
                + " its site lost power; b goes live; the drill restarts a, which is re-protected; then back to a)");
        drill(lab, "failover drill", "--kind", "failover", "--restart", "--failback");

        step(7, "clean power-off: SIGTERM to site a; its backup stops at exactly the same state");
        long missing = WriteLoad.missing(everything, sites.get("a"));
        // The drill restarted site a's daemon: the lab holds only its process handle.
        ProcessHandle siteA = lab.daemon("a").orElseThrow(() -> new IllegalStateException("site a is not running"));
        siteA.destroy();
        boolean stopped = siteA.onExit().completeOnTimeout(null, 60, TimeUnit.SECONDS).join() != null
                & b.waitFor(60, TimeUnit.SECONDS);
        String stateA = lab.finalState("a");
        String stateB = lab.finalState("b");
        boolean equal = stopped && stateA.equals(stateB);
        String line = String.format("%-10s %s; all %d acknowledged writes present: %s", "power-off",
                equal ? "both sites ended in " + stateA : "states differ: a " + stateA + ", b " + stateB,
                everything.size(), missing == 0 ? "yes" : "NO, " + missing + " missing");
        say(line.substring(11));
        summary.add(line);
        if (!equal || missing != 0) {
            failed = true;
        }
    }

    /** Step 3 in network mode socket: clients lose their connections and follow the endpoint to b. */
    private void failover(LocalPair lab, Process a, Map<String, InetSocketAddress> sites) throws Exception {
        step(3, WRITERS + " Redis clients write for " + seconds + " s; then site a is killed (kill -9) under the load");
        try (WriteLoad load = new WriteLoad(WRITERS, "phase1", sites, "a")) {
            pause(seconds);
            load.markFailure();
            a.destroyForcibly();
            a.waitFor();
            WriteLoad.await(() -> load.acknowledgedBy("b"), 60, "a write acknowledged by b");
            SiteStatus live = lab.await("b", 20, s -> s.failover() != null && s.failover().startsWith("live in epoch"));
            double unavailable = load.unavailableMillis("b");
            check("failover", load.acknowledged(), sites.get("b"), String.format(
                    "b %s; clients saw %.0f ms without service", live.failover(), unavailable));
        }
        say("sitepair endpoint now prints " + lab.endpoint());
    }

    /**
     * Step 3 in network mode nic: the same kill -9, but the clients' connections carry on at b,
     * which took over the guest's address and its TCP state; one connection counts with INCR to
     * show that each increment was applied exactly once, with no client retry.
     */
    private void survivingConnections(LocalPair lab, Process a, Map<String, InetSocketAddress> sites)
            throws Exception {
        InetSocketAddress service = sites.get("a");
        step(3, WRITERS + " Redis clients write for " + seconds + " s, and one more connection counts with INCR; then"
                + " site a is killed (kill -9) under the load, and nobody reconnects");
        try (CountingConnection counter = CountingConnection.open(service, "sitepair:demo:count");
             WriteLoad load = new WriteLoad(WRITERS, "phase1", sites, "a", 60_000)) {
            pause(seconds);
            load.pauses().open();
            long counted = counter.count();
            a.destroyForcibly();
            a.waitFor();
            SiteStatus live = lab.await("b", 30, s -> s.failover() != null && s.failover().startsWith("live in epoch"));
            WriteLoad.await(() -> counter.count() > counted + 50 || counter.problem() != null, 60,
                    "the counting connection to go on at b");
            pause(1);
            double pause = load.pauses().close(System.nanoTime());
            check("failover", load.acknowledged(), service, String.format("b %s; clients paused %.0f ms at most",
                    live.failover(), pause));
            String kept = counter.problem() != null ? "FAILED: " + counter.problem()
                    : load.reconnections() != 0 ? "FAILED: " + load.reconnections() + " reconnections"
                    : String.format("all %d connections kept (0 reconnections); one connection counted 1..%d with INCR,"
                            + " no gap and no repeat, from client port %d throughout; its longest wait %.0f ms",
                            WRITERS + 1, counter.count(), counter.localPort(), counter.longestWaitMillis());
            say(kept);
            summary.add(String.format("%-10s %s", "connections", kept));
            if (kept.startsWith("FAILED")) {
                failed = true;
            }
        }
        say("sitepair endpoint prints " + lab.endpoint() + ", the same address: b answers for it now");
    }

    /** Runs a drill as an operator would; its verdict line and its report's path go to the summary. */
    private void drill(LocalPair lab, String what, String... options) throws IOException, InterruptedException {
        LocalPair.Cli drill = lab.cli(Duration.ofMinutes(5), "drill", options);
        List<String> lines = drill.out().lines().toList();
        String verdict = lines.stream().filter(l -> l.startsWith("drill ")).findFirst().orElse("no verdict");
        String report = lines.stream().filter(l -> l.startsWith("report: ")).findFirst().orElse("no report");
        lines.stream().filter(l -> l.startsWith("[")).forEach(this::say);
        say(verdict);
        say(report);
        if (drill.exit() != 0) {
            fail(what, "exit " + drill.exit() + ": " + verdict + " " + drill.err().strip());
            return;
        }
        summary.add(String.format("%-10s %s; %s", "drill", verdict.substring("drill ".length()), report));
    }

    /** Every write of {@code ledger} must be on {@code site}. */
    private void check(String what, Map<String, String> ledger, InetSocketAddress site, String detail)
            throws Exception {
        long missing = WriteLoad.missing(ledger, site);
        everything.putAll(ledger);
        String line = String.format("%-10s %d acknowledged writes, %s; %s", what, ledger.size(),
                missing == 0 ? "none lost" : missing + " LOST", detail);
        say(line.substring(11));
        summary.add(line);
        if (missing != 0) {
            failed = true;
        }
    }

    private static String failoverTo(LocalPair lab, String site) throws Exception {
        LocalPair.Cli failover = lab.cli(Duration.ofSeconds(90), "failover", "--to", site);
        if (failover.exit() != 0) {
            throw new IllegalStateException("sitepair failover failed: " + failover.err());
        }
        return failover.out().trim();
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines.length < 2 ? text : lines[1].trim();
    }

    private void fail(String what, String why) {
        failed = true;
        summary.add(String.format("%-10s FAILED: %s", what, why));
        out.println("  FAILED: " + why);
    }

    private void step(int n, String what) {
        out.println();
        out.println("[" + n + "] " + what);
        out.flush();
    }

    private void say(String line) {
        out.println("    " + line);
        out.flush();
    }

    private static void pause(int seconds) throws InterruptedException {
        Thread.sleep(seconds * 1000L);
    }
}
