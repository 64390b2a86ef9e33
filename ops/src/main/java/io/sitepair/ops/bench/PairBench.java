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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair bench pair}: what protection costs a client. redis-benchmark runs against the KV
 * guest served alone ({@code guest run}) and against a pair on this machine, alternating test by
 * test so both see the same machine conditions, once per link: loopback, then through the
 * WAN-emulating proxy at each RTT given.
 */
@Command(name = "pair", mixinStandardHelpOptions = true,
        description = "redis-benchmark against the KV guest unprotected and protected (a pair on this machine), side"
                + " by side, on loopback and through the WAN proxy; prints throughput, latency, logging bandwidth,"
                + " compression and CPU per request.")
public final class PairBench implements Callable<Integer> {
    private static final Pattern SERVING = Pattern.compile("serving \\S+ on [^:]+:(\\d+)");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    RedisLoadOptions load;

    @Option(names = "--pipeline", defaultValue = "1,32", split = ",", description = "Pipelining depths (default ${DEFAULT-VALUE}).")
    List<Integer> pipelines;

    @Option(names = "--tests", defaultValue = "set,get", split = ",", description = "redis-benchmark tests (default ${DEFAULT-VALUE}).")
    List<String> tests;

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

    /** One row: the same redis-benchmark run against both, plus what the pair spent on it. */
    private record Row(String test, int pipeline, RedisBenchmark.Result unprotected, RedisBenchmark.Result pair,
            Logging logging, double unprotectedCpuMicros, double pairCpuMicros) {
        double ratio() {
            return pair.opsPerSecond() / unprotected.opsPerSecond();
        }

        double addedP50() {
            return pair.p50Millis() - unprotected.p50Millis();
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
        if (load.requests < 1 || load.clients < 1 || warmup < 0 || pipelines.stream().anyMatch(p -> p < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--requests, --clients and every --pipeline depth must be at least 1; --warmup at least 0");
        }
        RedisBenchmark.require("redis-benchmark");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench pair: KV guest unprotected (guest run) and protected (pair a -> b), redis-benchmark -n %d"
                + " -c %d, tests %s, pipelining %s, %d cores; everything on this machine%n", load.requests, load.clients, tests,
                pipelines, Runtime.getRuntime().availableProcessors());
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
        Process unprotected = SitepairProcess.start(dir.resolve("unprotected.out"), dir.resolve("unprotected.err"),
                "guest", "run", "--guest", "kv", "--disk", dir.resolve("unprotected/disk0.img").toString(),
                "--disk-size", "64M", "--listen", "127.0.0.1:0", "--quiet-guest");
        try (LocalPair pair = new LocalPair(dir.resolve("pair"), yaml -> yaml)) {
            if (!rtt.isZero()) {
                pair.routeThrough(WanProfile.rtt(rtt, rate));
            }
            Process backup = pair.start("b");
            Process primary = pair.start("a");
            int unprotectedPort = servingPort(dir.resolve("unprotected.out"), unprotected);
            pair.await("a", Duration.ofSeconds(60), SiteStatus::pairProtected);
            int protectedPort = pair.service("a").getPort();
            RedisBenchmark.awaitPong(unprotectedPort, unprotected, 30);
            RedisBenchmark.awaitPong(protectedPort, primary, 30);

            out.printf("  warming up both (JIT) ...%n");
            out.flush();
            int deepest = pipelines.stream().mapToInt(Integer::intValue).max().orElseThrow();
            for (String test : warmup > 0 ? tests : List.<String>of()) {
                RedisBenchmark.run(unprotectedPort, test, warmup, load.clients, deepest);
                RedisBenchmark.run(protectedPort, test, warmup, load.clients, deepest);
            }
            Thread.sleep(500); // let the last acks and replay reports arrive before sampling idle traffic
            LogCounters idleStart = LogCounters.of(pair.status("a"));
            Thread.sleep(idle.toMillis());
            Logging idleTraffic = LogCounters.of(pair.status("a")).since(idleStart);

            printHeader(out);
            List<Row> rows = new ArrayList<>();
            for (int pipeline : pipelines) {
                for (String test : tests) {
                    long cpu = cpuNanos(unprotected);
                    RedisBenchmark.Result u = RedisBenchmark.run(unprotectedPort, test, load.requests, load.clients, pipeline);
                    double uCpu = (cpuNanos(unprotected) - cpu) / 1e3 / load.requests;
                    cpu = cpuNanos(primary, backup);
                    LogCounters before = LogCounters.of(pair.status("a"));
                    RedisBenchmark.Result p = RedisBenchmark.run(protectedPort, test, load.requests, load.clients, pipeline);
                    Logging logging = LogCounters.of(pair.status("a")).since(before);
                    double pCpu = (cpuNanos(primary, backup) - cpu) / 1e3 / load.requests;
                    Row row = new Row(test.toUpperCase(), pipeline, u, p, logging, uCpu, pCpu);
                    rows.add(row);
                    printRow(out, row);
                }
            }
            PrimaryStatus.Logging whole = ((PrimaryStatus) pair.status("a")).logging();
            out.printf("  idle (no clients, %s): log traffic %.3f Mbit/s raw, %.3f Mbit/s on the wire%n",
                    Units.formatDuration(idle), idleTraffic.rawMbitPerSecond(), idleTraffic.wireMbitPerSecond());
            out.printf("  whole run: %,d bytes of log raw, %,d on the wire, compression ratio %.2f%n",
                    whole.rawBytes(), whole.wireBytes(), whole.compressionRatio());
            printTargets(out, rtt, rows);
            powerOff(out, pair, primary, backup);
        } finally {
            unprotected.destroy();
            unprotected.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void printHeader(PrintWriter out) {
        out.printf("  %-4s %3s %11s %11s %6s  %7s %7s %7s  %7s %7s  %8s %8s %6s  %8s %8s%n", "test", "P", "unprot/s",
                "pair/s", "ratio", "p50 u", "p50 p", "added", "p99 u", "p99 p", "log raw", "wire", "compr",
                "cpu u", "cpu pair");
        out.printf("  %-4s %3s %11s %11s %6s  %7s %7s %7s  %7s %7s  %8s %8s %6s  %8s %8s%n", "", "", "ops/s",
                "ops/s", "", "ms", "ms", "ms", "ms", "ms", "Mbit/s", "Mbit/s", "", "us/op", "us/op");
        out.flush();
    }

    private static void printRow(PrintWriter out, Row r) {
        out.printf("  %-4s %3d %,11.0f %,11.0f %6.2f  %7.3f %7.3f %7.3f  %7.3f %7.3f  %8.1f %8.1f %6.2f  %8.1f %8.1f%n",
                r.test(), r.pipeline(), r.unprotected().opsPerSecond(), r.pair().opsPerSecond(), r.ratio(),
                r.unprotected().p50Millis(), r.pair().p50Millis(), r.addedP50(), r.unprotected().p99Millis(),
                r.pair().p99Millis(), r.logging().rawMbitPerSecond(), r.logging().wireMbitPerSecond(),
                r.logging().compressionRatio(), r.unprotectedCpuMicros(), r.pairCpuMicros());
        out.flush();
    }

    /** The targets, row by row: met or missed, never hidden. */
    private void printTargets(PrintWriter out, Duration rtt, List<Row> rows) {
        out.println("  targets:");
        for (Row r : rows) {
            String name = r.test() + " P" + r.pipeline();
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
                        .formatted(latencyBound, latencyBound / r.unprotected().opsPerSecond()));
            }
        }
        out.flush();
    }

    private static void verdict(PrintWriter out, String target, boolean met, String measured) {
        out.printf("    %-44s %-6s measured %s%n", target, met ? "met" : "MISSED", measured);
    }

    /** A clean power-off of the primary; the backup must stop too, with the same VM and disk state. */
    private static void powerOff(PrintWriter out, LocalPair pair, Process primary, Process backup) throws Exception {
        primary.destroy(); // SIGTERM: the primary logs a power-off and waits for its acknowledgement
        boolean stopped = primary.waitFor(30, TimeUnit.SECONDS) && backup.waitFor(30, TimeUnit.SECONDS);
        if (!stopped) {
            throw new IllegalStateException("the pair did not power off within 30 s\n" + pair.log("a") + pair.log("b"));
        }
        String a = pair.finalState("a");
        String b = pair.finalState("b");
        out.printf("  power-off: both sites stopped; final states %s (%s)%n", a.equals(b) ? "equal" : "DIFFER",
                a.substring("state ".length(), "state ".length() + 16));
        if (!a.equals(b)) {
            throw new IllegalStateException("the backup's final state differs from the primary's: " + a + " vs " + b);
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
