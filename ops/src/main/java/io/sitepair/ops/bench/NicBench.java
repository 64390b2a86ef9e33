package io.sitepair.ops.bench;

import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.NicLab;
import io.sitepair.ops.lab.NicLabQueue;
import io.sitepair.ops.lab.Scratch;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair bench nic}: network mode nic against network mode socket, both pairs up at once
 * and taken in turn test by test. First protected (each primary streaming to its backup, every
 * output under the Output Rule), then unprotected: both backups killed with kill -9, so each
 * primary serves live alone, releasing outputs at once.
 */
@Command(name = "nic", mixinStandardHelpOptions = true,
        description = {"redis-benchmark against a pair in network mode nic and a pair in network mode socket, side by"
                + " side on this machine, protected and then unprotected (each backup killed, the primary live alone);"
                + " prints throughput, p50/p99, the nic/socket ratio against the target, and log entries and bytes per"
                + " request from the primaries' status. Needs root (the nic lab's network)."})
public final class NicBench implements Callable<Integer> {
    /** The target: nic mode's throughput at least this fraction of socket mode's. */
    private static final double TARGET_RATIO = 0.6;
    private static final List<String> MODES = List.of("socket", "nic");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    RedisLoadOptions load;

    @Option(names = "--pipeline", defaultValue = "1,32", split = ",", description = "Pipelining depths (default ${DEFAULT-VALUE}).")
    List<Integer> pipelines;

    @Option(names = "--tests", defaultValue = "set,get", split = ",", description = "redis-benchmark tests (default ${DEFAULT-VALUE}).")
    List<String> tests;

    @Option(names = "--rounds", defaultValue = "1", description = "Rounds of every test against both pairs, each round"
            + " in the other order; the tables show medians (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", defaultValue = "100000", description = "Requests per test against each pair before"
            + " measuring, at the deepest pipelining, for the JIT (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--wait-for-lab", defaultValue = "10", description = "Minutes to wait while another run holds this"
            + " machine's nic lab (default ${DEFAULT-VALUE}).")
    int waitForLab;

    /** A pair redis-benchmark is pointed at, through its primary, site a. */
    private record Server(String mode, LocalPair pair, InetSocketAddress service, Map<String, Process> processes) {}

    /** What a primary logged for a run's requests; raw: entries framed, wire: after compression. */
    private record LogUse(double entries, double rawBytes, double wireBytes) {}

    /** The primary's cumulative log counters: entries from its log position, bytes from its logging figures. */
    private record LogCounters(long entries, long rawBytes, long wireBytes) {
        static LogCounters of(SiteStatus status) {
            PrimaryStatus primary = (PrimaryStatus) status;
            return new LogCounters(primary.positions().logged(), primary.logging().rawBytes(),
                    primary.logging().wireBytes());
        }

        LogUse perRequestSince(LogCounters before, int requests) {
            return new LogUse((double) (entries - before.entries) / requests,
                    (double) (rawBytes - before.rawBytes) / requests, (double) (wireBytes - before.wireBytes) / requests);
        }
    }

    /** One redis-benchmark run; {@code log} null when the primary served alone. */
    private record Sample(RedisBenchmark.Result result, LogUse log) {
        static Sample median(List<Sample> samples) {
            RedisBenchmark.Result result = new RedisBenchmark.Result(of(samples, s -> s.result.opsPerSecond()),
                    of(samples, s -> s.result.p50Millis()), of(samples, s -> s.result.p99Millis()));
            LogUse log = samples.getFirst().log == null ? null : new LogUse(of(samples, s -> s.log.entries()),
                    of(samples, s -> s.log.rawBytes()), of(samples, s -> s.log.wireBytes()));
            return new Sample(result, log);
        }

        private static double of(List<Sample> samples, ToDoubleFunction<Sample> figure) {
            return Scratch.median(samples.stream().mapToDouble(figure).toArray());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (load.requests < 1 || load.clients < 1 || warmup < 0 || rounds < 1 || waitForLab < 0
                || pipelines.stream().anyMatch(p -> p < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--requests, --clients, --rounds and every"
                    + " --pipeline depth must be at least 1; --warmup and --wait-for-lab at least 0");
        }
        String missing = NicLab.missingPrerequisite();
        if (missing != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "bench nic: " + missing);
        }
        RedisBenchmark.require("redis-benchmark");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench nic: KV guest in a pair (a -> b, TLS on) in network mode nic and one in network mode socket,"
                + " both up at once; redis-benchmark -n %d -c %d, tests %s, pipelining %s, %d round(s), %d cores;"
                + " everything on this machine%n", load.requests, load.clients, tests, pipelines, rounds,
                Runtime.getRuntime().availableProcessors());
        out.flush();
        Path work = Files.createTempDirectory("sitepair-bench-nic");
        try (NicLab network = NicLabQueue.create(Duration.ofMinutes(waitForLab), note -> say(out, note));
             LocalPair socket = new LocalPair(work.resolve("socket"), yaml -> yaml);
             LocalPair nic = LocalPair.nic(work.resolve("nic"), yaml -> yaml)) {
            List<Server> servers = List.of(start(socket, "socket"), start(nic, "nic"));
            say(out, "  warming up both pairs (JIT) ...");
            int deepest = pipelines.stream().mapToInt(Integer::intValue).max().orElseThrow();
            for (String test : warmup > 0 ? tests : List.<String>of()) {
                for (Server server : servers) {
                    RedisBenchmark.run(server.service(), test, warmup, load.clients, deepest);
                }
            }
            Map<String, List<Sample>> protectedSamples = measureRounds(out, "protected", servers);

            for (Server server : servers) {
                server.processes().get("b").destroyForcibly(); // kill -9 of the backup
            }
            for (Server server : servers) {
                server.processes().get("b").waitFor(10, TimeUnit.SECONDS);
                server.pair().await("a", 60, s -> s.role() == Role.LIVE_ALONE);
            }
            say(out, "  both backups killed (kill -9); both primaries serve live alone");
            Map<String, List<Sample>> unprotectedSamples = measureRounds(out, "unprotected", servers);

            printComparison(out, "protected (primary and backup, the Output Rule on every output)", protectedSamples);
            printComparison(out, "unprotected (the primary live alone after kill -9 of its backup)", unprotectedSamples);
            printProtectionCost(out, protectedSamples, unprotectedSamples);
            printLogUse(out, protectedSamples);
            return 0;
        } finally {
            Scratch.deleteTree(work);
        }
    }

    private Server start(LocalPair pair, String mode) throws IOException, InterruptedException {
        Map<String, Process> processes = pair.startProtected();
        InetSocketAddress service = pair.service("a");
        RedisBenchmark.awaitPong(service, processes.get("a"), 30);
        return new Server(mode, pair, service, processes);
    }

    /**
     * Every test at every depth against both pairs, round by round; the order of the two flips
     * from one measurement to the next, so neither mode always runs first.
     */
    private Map<String, List<Sample>> measureRounds(PrintWriter out, String phase, List<Server> servers)
            throws IOException, InterruptedException {
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        int measurement = 0;
        for (int round = 1; round <= rounds; round++) {
            for (int pipeline : pipelines) {
                for (String test : tests) {
                    List<Server> order = measurement++ % 2 == 0 ? servers : servers.reversed();
                    StringBuilder line = new StringBuilder("  %s round %d %-4s P%-3d".formatted(phase, round,
                            test.toUpperCase(), pipeline));
                    for (Server server : order) {
                        Sample sample = measure(server, test, pipeline, phase.equals("protected"));
                        samples.computeIfAbsent(key(test, pipeline, server.mode()), k -> new ArrayList<>()).add(sample);
                        line.append("  %s %,.0f/s p50 %.3f ms".formatted(server.mode(),
                                sample.result().opsPerSecond(), sample.result().p50Millis()));
                    }
                    say(out, line.toString());
                }
            }
        }
        return samples;
    }

    private Sample measure(Server server, String test, int pipeline, boolean logged)
            throws IOException, InterruptedException {
        LogCounters before = logged ? LogCounters.of(server.pair().status("a")) : null;
        RedisBenchmark.Result result = RedisBenchmark.run(server.service(), test, load.requests, load.clients, pipeline);
        LogUse log = logged ? LogCounters.of(server.pair().status("a")).perRequestSince(before, load.requests) : null;
        return new Sample(result, log);
    }

    private static String key(String test, int pipeline, String mode) {
        return test + "/" + pipeline + "/" + mode;
    }

    private Sample median(Map<String, List<Sample>> samples, String test, int pipeline, String mode) {
        return Sample.median(samples.get(key(test, pipeline, mode)));
    }

    /** nic against socket, row by row, with the target's verdict. */
    private void printComparison(PrintWriter out, String phase, Map<String, List<Sample>> samples) {
        out.printf("%n%s: nic against socket%n", phase);
        out.printf("  %-4s %3s %12s %12s %7s %-12s %8s %8s %8s  %8s %8s%n", "test", "P", "socket ops/s", "nic ops/s",
                "nic/soc", "target 0.6", "p50 soc", "p50 nic", "added", "p99 soc", "p99 nic");
        for (int pipeline : pipelines) {
            for (String test : tests) {
                RedisBenchmark.Result s = median(samples, test, pipeline, "socket").result();
                RedisBenchmark.Result n = median(samples, test, pipeline, "nic").result();
                double ratio = n.opsPerSecond() / s.opsPerSecond();
                out.printf("  %-4s %3d %,12.0f %,12.0f %7.2f %-12s %8.3f %8.3f %8.3f  %8.3f %8.3f%n",
                        test.toUpperCase(), pipeline, s.opsPerSecond(), n.opsPerSecond(), ratio,
                        ratio >= TARGET_RATIO ? "met" : "MISSED", s.p50Millis(), n.p50Millis(),
                        n.p50Millis() - s.p50Millis(), s.p99Millis(), n.p99Millis());
            }
        }
        out.println("  (latencies in ms; added: nic's p50 minus socket's)");
        out.flush();
    }

    /** What protection costs in each mode: protected throughput over unprotected, and the p50 it adds. */
    private void printProtectionCost(PrintWriter out, Map<String, List<Sample>> protectedSamples,
                                     Map<String, List<Sample>> unprotectedSamples) {
        out.printf("%nprotection's cost in each mode (protected against the same primary live alone)%n");
        out.printf("  %-4s %3s %-6s %12s %12s %6s %9s%n", "test", "P", "mode", "unprot ops/s", "prot ops/s", "ratio",
                "added p50");
        for (int pipeline : pipelines) {
            for (String test : tests) {
                for (String mode : MODES) {
                    RedisBenchmark.Result u = median(unprotectedSamples, test, pipeline, mode).result();
                    RedisBenchmark.Result p = median(protectedSamples, test, pipeline, mode).result();
                    out.printf("  %-4s %3d %-6s %,12.0f %,12.0f %6.2f %9.3f%n", test.toUpperCase(), pipeline, mode,
                            u.opsPerSecond(), p.opsPerSecond(), p.opsPerSecond() / u.opsPerSecond(),
                            p.p50Millis() - u.p50Millis());
                }
            }
        }
        out.flush();
    }

    /** Log entries and bytes per request, from the primary's status before and after each protected run. */
    private void printLogUse(PrintWriter out, Map<String, List<Sample>> samples) {
        out.printf("%nlogged per request, protected (the primary's status: positions.logged for entries,"
                + " logging.rawBytes and logging.wireBytes for bytes, read before and after each run)%n");
        out.printf("  %-4s %3s %-6s %12s %12s %12s%n", "test", "P", "mode", "entries/req", "raw B/req", "wire B/req");
        for (int pipeline : pipelines) {
            for (String test : tests) {
                for (String mode : MODES) {
                    LogUse log = median(samples, test, pipeline, mode).log();
                    out.printf("  %-4s %3d %-6s %12.2f %12.1f %12.1f%n", test.toUpperCase(), pipeline, mode,
                            log.entries(), log.rawBytes(), log.wireBytes());
                }
            }
        }
        out.flush();
    }

    private static void say(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }
}
