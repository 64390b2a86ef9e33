package io.sitepair.ops.bench;

import io.sitepair.ops.config.UnitConverters;
import io.sitepair.ops.config.Units;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.Scratch;
import io.sitepair.ops.lab.SitepairProcess;
import io.sitepair.ops.wan.WanProfile;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair bench pair}: what protection costs a client, and what TLS on the pair's links
 * adds to it. redis-benchmark runs against the KV guest served alone ({@code guest run}) and
 * against a pair on this machine with TLS on and one with TLS off, all three up at once and taken
 * in turn test by test, so they see the same machine conditions; once per link: loopback, then
 * through the WAN-emulating proxy at each RTT given.
 */
@Command(name = "pair", mixinStandardHelpOptions = true,
        description = "redis-benchmark against the KV guest unprotected and protected (a pair on this machine, with TLS"
                + " on and off), side by side, on loopback and through the WAN proxy; prints throughput, latency,"
                + " logging bandwidth, compression and CPU per request, and what TLS costs.")
public final class PairBench implements Callable<Integer> {
    private static final Pattern SERVING = Pattern.compile("serving \\S+ on [^:]+:(\\d+)");
    /** The aims for TLS: throughput with it at least this fraction of without ... */
    private static final double TLS_THROUGHPUT_AIM = 0.97;
    /** ... and at most this much added to the median latency. */
    private static final double TLS_ADDED_P50_AIM_MS = 0.05;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    RedisLoadOptions load;

    @Option(names = "--pipeline", defaultValue = "1,32", split = ",", description = "Pipelining depths (default ${DEFAULT-VALUE}).")
    List<Integer> pipelines;

    @Option(names = "--tests", defaultValue = "set,get", split = ",", description = "redis-benchmark tests (default ${DEFAULT-VALUE}).")
    List<String> tests;

    @picocli.CommandLine.Mixin
    TlsModes tlsOption;
    private List<String> tlsModes;

    @Option(names = "--rounds", defaultValue = "1", description = "Rounds of every test against every server, each"
            + " round in the other order; the tables show medians (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--rtt", defaultValue = "0,10ms", split = ",", converter = UnitConverters.Durations.class,
            paramLabel = "DURATION", description = "Links to measure: 0 is loopback without the proxy, anything else the"
                    + " proxy with this round-trip time (default ${DEFAULT-VALUE}).")
    List<Duration> rtts;

    @Option(names = "--rate", defaultValue = "1gbit", converter = UnitConverters.BitsPerSecond.class, paramLabel = "RATE",
            description = "The proxy's bandwidth in each direction (default ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--warmup", defaultValue = "300000", description = "Requests per test against each server before"
            + " measuring, at the deepest pipelining: the JIT compiles the guest's generated classes for a while"
            + " (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--idle", defaultValue = "3s", converter = UnitConverters.Durations.class, paramLabel = "DURATION",
            description = "How long to sample log traffic with no clients (default ${DEFAULT-VALUE}).")
    Duration idle;

    /** A server redis-benchmark is pointed at: the unprotected guest, or the primary of a pair. */
    private record Server(String name, int port, LocalPair pair, List<Process> processes) {
        boolean isPair() {
            return pair != null;
        }
    }

    /** One redis-benchmark run against one server, with what the server spent on it (logging: pairs only). */
    private record Sample(RedisBenchmark.Result result, double cpuMicros, Logging logging) {
        /** Each figure's median over rounds (a run's figures are not kept together: each is compared alone). */
        static Sample median(List<Sample> samples) {
            RedisBenchmark.Result result = new RedisBenchmark.Result(of(samples, s -> s.result.opsPerSecond()),
                    of(samples, s -> s.result.p50Millis()), of(samples, s -> s.result.p99Millis()));
            Logging logging = samples.getFirst().logging == null ? null : new Logging(
                    of(samples, s -> s.logging.rawMbitPerSecond()), of(samples, s -> s.logging.wireMbitPerSecond()),
                    of(samples, s -> s.logging.compressionRatio()));
            return new Sample(result, of(samples, Sample::cpuMicros), logging);
        }

        private static double of(List<Sample> samples, ToDoubleFunction<Sample> figure) {
            return Scratch.median(samples.stream().mapToDouble(figure).toArray());
        }
    }

    /** One test against the unprotected guest and one pair: what protection (with or without TLS) costs. */
    private record Row(String test, int pipeline, String pairName, Sample unprotected, Sample pair) {
        double ratio() {
            return pair.result.opsPerSecond() / unprotected.result.opsPerSecond();
        }

        double addedP50() {
            return pair.result.p50Millis() - unprotected.result.p50Millis();
        }
    }

    /** Log traffic over an interval, from the primary's counters. */
    private record Logging(double rawMbitPerSecond, double wireMbitPerSecond, double compressionRatio) {}

    /** The primary's cumulative log byte counters at one instant. */
    private record LogCounters(long rawBytes, long wireBytes, long nanos) {
        static LogCounters of(SiteStatus status) {
            PrimaryStatus.Logging logging = ((PrimaryStatus) status).logging();
            return new LogCounters(logging.rawBytes(), logging.wireBytes(), System.nanoTime());
        }

        Logging since(LogCounters before) {
            double seconds = (nanos - before.nanos) / 1e9;
            long raw = rawBytes - before.rawBytes;
            long wire = wireBytes - before.wireBytes;
            return new Logging(raw * 8 / seconds / 1e6, wire * 8 / seconds / 1e6, wire == 0 ? 0 : (double) raw / wire);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (load.requests < 1 || load.clients < 1 || warmup < 0 || rounds < 1 || pipelines.stream().anyMatch(p -> p < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--requests, --clients, --rounds and every"
                    + " --pipeline depth must be at least 1; --warmup at least 0");
        }
        tlsModes = tlsOption.checked(spec);
        RedisBenchmark.require("redis-benchmark");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench pair: KV guest unprotected (guest run) and protected (pair a -> b, TLS %s),"
                + " redis-benchmark -n %d -c %d, tests %s, pipelining %s, %d round(s), %d cores; everything on this"
                + " machine%n", String.join(" and ", tlsModes), load.requests, load.clients, tests, pipelines, rounds,
                Runtime.getRuntime().availableProcessors());
        Path work = Files.createTempDirectory("sitepair-bench-pair");
        try {
            for (Duration rtt : rtts) {
                measureLink(out, work.resolve(rtt.isZero() ? "loopback" : "rtt-" + rtt.toMillis() + "ms"), rtt);
            }
            return 0;
        } finally {
            Scratch.deleteTree(work);
        }
    }

    private void measureLink(PrintWriter out, Path dir, Duration rtt) throws Exception {
        String link = rtt.isZero() ? "loopback" : "WAN proxy, RTT " + Units.formatDuration(rtt) + ", "
                + Units.formatBitsPerSecond(rate) + " each way";
        out.printf("%nlink: %s%n", link);
        out.flush();
        Files.createDirectories(dir.resolve("unprotected"));
        Process guest = SitepairProcess.start(dir.resolve("unprotected.out"), dir.resolve("unprotected.err"),
                "guest", "run", "--guest", "kv", "--disk", dir.resolve("unprotected/disk0.img").toString(),
                "--disk-size", "64M", "--listen", "127.0.0.1:0", "--quiet-guest");
        List<LocalPair> pairs = new ArrayList<>();
        try {
            Server unprotected = new Server("unprotected", servingPort(dir.resolve("unprotected.out"), guest), null,
                    List.of(guest));
            RedisBenchmark.awaitPong(unprotected.port(), guest, 30);
            List<Server> pairServers = new ArrayList<>();
            for (String mode : tlsModes) {
                LocalPair pair = new LocalPair(dir.resolve("pair-tls-" + mode), mode.equals("on"), yaml -> yaml);
                pairs.add(pair);
                if (!rtt.isZero()) {
                    pair.routeThrough(WanProfile.rtt(rtt, rate));
                }
                // One pair at a time, with its witness: without it the two peers of a TLS pair did not form a quorum within 60 s here.
                pair.startWitness();
                Process backup = pair.start("b");
                Process primary = pair.start("a");
                pair.await("a", Duration.ofSeconds(120), SiteStatus::pairProtected);
                Server server = new Server("TLS " + mode, pair.service("a").getPort(), pair, List.of(primary, backup));
                RedisBenchmark.awaitPong(server.port(), primary, 30);
                pairServers.add(server);
            }
            List<Server> servers = new ArrayList<>(List.of(unprotected));
            servers.addAll(pairServers);

            out.printf("  warming up every server (JIT) ...%n");
            out.flush();
            int deepest = pipelines.stream().mapToInt(Integer::intValue).max().orElseThrow();
            for (String test : warmup > 0 ? tests : List.<String>of()) {
                for (Server server : servers) {
                    RedisBenchmark.run(server.port(), test, warmup, load.clients, deepest);
                }
            }
            Thread.sleep(500); // let the last acks and replay reports arrive before sampling idle traffic
            Map<Server, Logging> idleTraffic = idleTraffic(pairServers);

            Map<String, List<Sample>> samples = measureRounds(out, servers);
            List<Row> rows = new ArrayList<>();
            printHeader(out);
            for (int pipeline : pipelines) {
                for (String test : tests) {
                    Sample u = Sample.median(samples.get(key(test, pipeline, unprotected)));
                    for (Server server : pairServers) {
                        Row row = new Row(test.toUpperCase(), pipeline, server.name(), u,
                                Sample.median(samples.get(key(test, pipeline, server))));
                        rows.add(row);
                        printRow(out, row);
                    }
                }
            }
            for (Server server : pairServers) {
                PrimaryStatus.Logging whole = ((PrimaryStatus) server.pair().status("a")).logging();
                Logging idle = idleTraffic.get(server);
                out.printf("  %s: idle (no clients, %s): log traffic %.3f Mbit/s raw, %.3f Mbit/s on the wire;"
                        + " whole run: %,d bytes of log raw, %,d on the wire, compression ratio %.2f%n", server.name(),
                        Units.formatDuration(this.idle), idle.rawMbitPerSecond(), idle.wireMbitPerSecond(),
                        whole.rawBytes(), whole.wireBytes(), whole.compressionRatio());
            }
            printTls(out, rows);
            printTargets(out, rtt, rows);
            for (Server server : pairServers) {
                powerOff(out, server);
            }
        } finally {
            pairs.forEach(LocalPair::close);
            guest.destroy();
            guest.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Every pair's log traffic with no clients, sampled over the same interval. */
    private Map<Server, Logging> idleTraffic(List<Server> pairServers) throws InterruptedException {
        Map<Server, LogCounters> start = new LinkedHashMap<>();
        pairServers.forEach(s -> start.put(s, LogCounters.of(s.pair().status("a"))));
        Thread.sleep(idle.toMillis());
        Map<Server, Logging> traffic = new LinkedHashMap<>();
        pairServers.forEach(s -> traffic.put(s, LogCounters.of(s.pair().status("a")).since(start.get(s))));
        return traffic;
    }

    /**
     * Every test at every depth against every server, round by round; each round takes the servers
     * in the opposite order to the last, so neither pair always runs right after the unprotected guest.
     */
    private Map<String, List<Sample>> measureRounds(PrintWriter out, List<Server> servers)
            throws IOException, InterruptedException {
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            List<Server> order = new ArrayList<>(servers);
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            for (int pipeline : pipelines) {
                for (String test : tests) {
                    StringBuilder line = new StringBuilder("  round %d %-4s P%-3d".formatted(round, test.toUpperCase(),
                            pipeline));
                    for (Server server : order) {
                        Sample sample = measure(server, test, pipeline);
                        samples.computeIfAbsent(key(test, pipeline, server), k -> new ArrayList<>()).add(sample);
                        line.append("  %s %,.0f/s p50 %.3f ms".formatted(server.name(), sample.result().opsPerSecond(),
                                sample.result().p50Millis()));
                    }
                    out.println(line);
                    out.flush();
                }
            }
        }
        return samples;
    }

    private Sample measure(Server server, String test, int pipeline) throws IOException, InterruptedException {
        Process[] processes = server.processes().toArray(Process[]::new);
        long cpu = cpuNanos(processes);
        LogCounters before = server.isPair() ? LogCounters.of(server.pair().status("a")) : null;
        RedisBenchmark.Result result = RedisBenchmark.run(server.port(), test, load.requests, load.clients, pipeline);
        Logging logging = server.isPair() ? LogCounters.of(server.pair().status("a")).since(before) : null;
        return new Sample(result, (cpuNanos(processes) - cpu) / 1e3 / load.requests, logging);
    }

    private static String key(String test, int pipeline, Server server) {
        return test + "/" + pipeline + "/" + server.name();
    }

    private static void printHeader(PrintWriter out) {
        out.printf("  %-4s %3s %-7s %11s %11s %6s  %7s %7s %7s  %7s %7s  %8s %8s %6s  %8s %8s%n", "test", "P", "pair",
                "unprot/s", "pair/s", "ratio", "p50 u", "p50 p", "added", "p99 u", "p99 p", "log raw", "wire", "compr",
                "cpu u", "cpu pair");
        out.printf("  %-4s %3s %-7s %11s %11s %6s  %7s %7s %7s  %7s %7s  %8s %8s %6s  %8s %8s%n", "", "", "", "ops/s",
                "ops/s", "", "ms", "ms", "ms", "ms", "ms", "Mbit/s", "Mbit/s", "", "us/op", "us/op");
        out.flush();
    }

    private static void printRow(PrintWriter out, Row r) {
        RedisBenchmark.Result u = r.unprotected().result();
        RedisBenchmark.Result p = r.pair().result();
        Logging logging = r.pair().logging();
        out.printf("  %-4s %3d %-7s %,11.0f %,11.0f %6.2f  %7.3f %7.3f %7.3f  %7.3f %7.3f  %8.1f %8.1f %6.2f  %8.1f %8.1f%n",
                r.test(), r.pipeline(), r.pairName(), u.opsPerSecond(), p.opsPerSecond(), r.ratio(), u.p50Millis(),
                p.p50Millis(), r.addedP50(), u.p99Millis(), p.p99Millis(), logging.rawMbitPerSecond(),
                logging.wireMbitPerSecond(), logging.compressionRatio(), r.unprotected().cpuMicros(),
                r.pair().cpuMicros());
        out.flush();
    }

    /** With both pairs measured: the pair with TLS against the pair without, test by test, and the aims. */
    private void printTls(PrintWriter out, List<Row> rows) {
        List<Row> on = rows.stream().filter(r -> r.pairName().equals("TLS on")).toList();
        List<Row> off = rows.stream().filter(r -> r.pairName().equals("TLS off")).toList();
        if (on.isEmpty() || off.isEmpty()) {
            return;
        }
        out.printf("  TLS on against off:%n");
        out.printf("  %-4s %3s %11s %11s %7s  %8s %8s %8s  %8s %8s  %8s %8s%n", "test", "P", "off ops/s", "on ops/s",
                "on/off", "p50 off", "p50 on", "added", "p99 off", "p99 on", "cpu off", "cpu on");
        for (int i = 0; i < on.size(); i++) {
            Sample with = on.get(i).pair();
            Sample without = off.get(i).pair();
            out.printf("  %-4s %3d %,11.0f %,11.0f %7.3f  %8.3f %8.3f %8.3f  %8.3f %8.3f  %8.1f %8.1f%n",
                    on.get(i).test(), on.get(i).pipeline(), without.result().opsPerSecond(),
                    with.result().opsPerSecond(), with.result().opsPerSecond() / without.result().opsPerSecond(),
                    without.result().p50Millis(), with.result().p50Millis(),
                    with.result().p50Millis() - without.result().p50Millis(), without.result().p99Millis(),
                    with.result().p99Millis(), without.cpuMicros(), with.cpuMicros());
        }
        out.println("  TLS aims:");
        for (int i = 0; i < on.size(); i++) {
            String name = on.get(i).test() + " P" + on.get(i).pipeline();
            double ratio = on.get(i).pair().result().opsPerSecond() / off.get(i).pair().result().opsPerSecond();
            double added = on.get(i).pair().result().p50Millis() - off.get(i).pair().result().p50Millis();
            verdict(out, name + ": TLS on/off throughput >= %.2f".formatted(TLS_THROUGHPUT_AIM),
                    ratio >= TLS_THROUGHPUT_AIM, "%.3f".formatted(ratio));
            verdict(out, name + ": TLS added p50 <= %.2f ms".formatted(TLS_ADDED_P50_AIM_MS),
                    added <= TLS_ADDED_P50_AIM_MS, "%.3f ms".formatted(added));
        }
        out.flush();
    }

    /** The targets for protection, row by row: met or missed, never hidden. */
    private void printTargets(PrintWriter out, Duration rtt, List<Row> rows) {
        out.println("  targets (protected against unprotected):");
        for (Row r : rows) {
            String name = r.test() + " P" + r.pipeline() + " " + r.pairName();
            if (rtt.isZero() && r.pipeline() == 1) {
                verdict(out, name + ": throughput ratio >= 0.90", r.ratio() >= 0.9, "%.2f".formatted(r.ratio()));
                verdict(out, name + ": added p50 < 1 ms", r.addedP50() < 1, "%.3f ms".formatted(r.addedP50()));
            } else if (!rtt.isZero() && r.pipeline() == 1) {
                double bound = rtt.toNanos() / 1e6 + 1;
                verdict(out, name + ": added p50 <= RTT + 1 ms = %.1f ms".formatted(bound), r.addedP50() <= bound,
                        "%.3f ms".formatted(r.addedP50()));
            } else if (!rtt.isZero() && r.pipeline() >= 32) {
                // A closed-loop client waits one RTT per round of P requests, so no system can do better.
                double latencyBound = (double) load.clients * r.pipeline() / (rtt.toNanos() / 1e9);
                verdict(out, name + ": throughput ratio >= 0.80", r.ratio() >= 0.8, "%.2f (%d clients x %d in flight"
                        .formatted(r.ratio(), load.clients, r.pipeline()) + " per RTT bound it to %,.0f ops/s = %.2f of unprotected)"
                        .formatted(latencyBound, latencyBound / r.unprotected().result().opsPerSecond()));
            }
        }
        out.flush();
    }

    private static void verdict(PrintWriter out, String target, boolean met, String measured) {
        out.printf("    %-52s %-6s measured %s%n", target, met ? "met" : "MISSED", measured);
    }

    /** A clean power-off of the primary; the backup must stop too, with the same VM and disk state. */
    private static void powerOff(PrintWriter out, Server server) throws Exception {
        LocalPair pair = server.pair();
        Process primary = server.processes().get(0);
        Process backup = server.processes().get(1);
        primary.destroy(); // SIGTERM: the primary logs a power-off and waits for its acknowledgement
        boolean stopped = primary.waitFor(30, TimeUnit.SECONDS) && backup.waitFor(30, TimeUnit.SECONDS);
        if (!stopped) {
            throw new IllegalStateException("the pair (" + server.name() + ") did not power off within 30 s\n"
                    + pair.log("a") + pair.log("b"));
        }
        String a = pair.finalState("a");
        String b = pair.finalState("b");
        out.printf("  power-off, pair %s: both sites stopped; final states %s (%s)%n", server.name(),
                a.equals(b) ? "equal" : "DIFFER", a.substring("state ".length(), "state ".length() + 16));
        if (!a.equals(b)) {
            throw new IllegalStateException("the backup's final state differs from the primary's (" + server.name()
                    + "): " + a + " vs " + b);
        }
    }

    private static int servingPort(Path stdout, Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = SERVING.matcher(Files.readString(stdout));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive()) {
                throw new IOException("the unprotected guest exited with " + process.exitValue() + ": "
                        + Files.readString(stdout.resolveSibling("unprotected.err")));
            }
            Thread.sleep(50);
        }
        throw new IOException("the unprotected guest did not start serving within 60 s");
    }

    /** CPU time the processes have used so far (Linux reports it for any process of ours). */
    private static long cpuNanos(Process... processes) {
        long total = 0;
        for (Process p : processes) {
            total += p.info().totalCpuDuration().orElseThrow(
                    () -> new IllegalStateException("no CPU time for process " + p.pid())).toNanos();
        }
        return total;
    }
}
