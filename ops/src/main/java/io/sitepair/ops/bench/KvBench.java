package io.sitepair.ops.bench;

import io.sitepair.ops.config.Guests;
import io.sitepair.ops.lab.Scratch;
import io.sitepair.replicator.service.ClientNetwork;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.VmOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair bench kv}: redis-benchmark against the KV guest (LIVE, served on this machine)
 * and against Debian's native redis-server, in the same run, round-robin, so the ratios are fair.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
        description = "redis-benchmark SET and GET against the KV guest and native redis-server side by side;"
                + " prints ops/s and ratios.")
final class KvBench implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    RedisLoadOptions load;

    @Option(names = "--pipeline", defaultValue = "1,16", split = ",", description = "Pipelining depths (default ${DEFAULT-VALUE}).")
    List<Integer> pipelines;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; the median is reported (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--interpreter", description = "Run the guest interpreted.")
    boolean interpreter;

    /** A server under test. */
    private record Target(String name, int port) {}

    @Override
    public Integer call() throws Exception {
        RedisBenchmark.require("redis-benchmark", "redis-server");
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory("sitepair-bench-kv");
        List<Process> servers = new ArrayList<>();
        ServedRun guest = null;
        try {
            VmOptions options = VmOptions.defaults().withConsole((m, l) -> {})
                    .withEngine(interpreter ? VmOptions.Engine.INTERPRETED : VmOptions.Engine.COMPILED);
            guest = ServedRun.start(Guests.load("kv"), options, List.of(work.resolve("kv.img")), 256L << 20,
                    new ClientNetwork.Socket(new InetSocketAddress("127.0.0.1", 0)), null);
            List<Target> targets = List.of(
                    new Target("kv guest", guest.address().getPort()),
                    new Target("redis", startRedis(work, servers, false)),
                    new Target("redis fsync", startRedis(work, servers, true)));
            out.printf("bench kv: redis-benchmark -n %d -c %d, pipelining %s, %d rounds; guest %s (%s)%n", load.requests,
                    load.clients, pipelines, rounds, options.engine(), guest.usesEpoll() ? "epoll" : "nio");
            out.println("  redis: Debian redis-server, no persistence; redis fsync: appendonly yes, appendfsync always"
                    + " (the guest's durability: a write is acknowledged after its fsync)");
            out.flush();

            Map<String, List<Double>> results = new LinkedHashMap<>();
            for (int round = 1; round <= rounds; round++) {
                for (int pipeline : pipelines) {
                    for (String test : List.of("set", "get")) {
                        for (Target target : targets) {
                            double rps = RedisBenchmark.run(target.port(), test, load.requests, load.clients, pipeline).opsPerSecond();
                            results.computeIfAbsent(key(test, pipeline, target.name()), k -> new ArrayList<>()).add(rps);
                        }
                    }
                }
                out.printf("  round %d done%n", round);
                out.flush();
            }
            out.printf("%n%-6s %-3s %14s %14s %14s %9s %13s%n", "test", "P", "kv guest", "redis", "redis fsync",
                    "kv/redis", "kv/redis-fsync");
            for (int pipeline : pipelines) {
                for (String test : List.of("set", "get")) {
                    double kv = median(results.get(key(test, pipeline, "kv guest")));
                    double redis = median(results.get(key(test, pipeline, "redis")));
                    double fsync = median(results.get(key(test, pipeline, "redis fsync")));
                    out.printf("%-6s %-3d %,14.0f %,14.0f %,14.0f %9.2f %13.2f%n", test.toUpperCase(), pipeline, kv,
                            redis, fsync, kv / redis, kv / fsync);
                }
            }
            out.flush();
            return 0;
        } finally {
            if (guest != null) {
                guest.stop();
            }
            for (Process p : servers) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            Scratch.deleteTree(work);
        }
    }

    private static String key(String test, int pipeline, String target) {
        return test + "/" + pipeline + "/" + target;
    }

    private static int startRedis(Path work, List<Process> servers, boolean fsyncEveryWrite) throws Exception {
        int port = freePort();
        Path dir = Files.createDirectories(work.resolve("redis-" + port));
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind",
                "127.0.0.1", "--save", "", "--dir", dir.toString(), "--daemonize", "no", "--logfile", ""));
        command.addAll(fsyncEveryWrite ? List.of("--appendonly", "yes", "--appendfsync", "always")
                : List.of("--appendonly", "no"));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true).start();
        servers.add(process);
        RedisBenchmark.awaitPong(port, process, 10);
        return port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double median(List<Double> values) {
        return Scratch.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
