package io.sitepair.ops.bench;

import io.sitepair.ops.config.Executables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/** Runs Debian's {@code redis-benchmark} against a server on loopback and parses its CSV figures. */
public final class RedisBenchmark {
    /** One run's figures: requests per second and latency percentiles in milliseconds. */
    public record Result(double opsPerSecond, double p50Millis, double p99Millis) {}

    private RedisBenchmark() {}

    /** Fails with what to install if the tools are missing. */
    public static void require(String... tools) {
        for (String tool : tools) {
            if (Executables.onPath(tool) == null) {
                throw new IllegalArgumentException(tool + " not found: install Debian's redis-tools and redis-server");
            }
        }
    }

    public static Result run(int port, String test, int requests, int clients, int pipeline)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", String.valueOf(port), "-t", test,
                "-n", String.valueOf(requests), "-c", String.valueOf(clients), "-P", String.valueOf(pipeline), "--csv")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("redis-benchmark failed against port " + port + ":\n" + output);
        }
        // --csv: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",...
        for (String line : output.split("\n")) {
            if (line.toUpperCase().startsWith("\"" + test.toUpperCase() + "\"")) {
                List<Double> f = List.of(line.replace("\"", "").split(",")).subList(1, 7).stream()
                        .map(Double::parseDouble).toList();
                return new Result(f.get(0), f.get(3), f.get(5));
            }
        }
        throw new IOException("no result for " + test + " in redis-benchmark output:\n" + output);
    }

    /** Waits until a Redis-protocol server on loopback answers PING, or fails naming the port. */
    public static void awaitPong(int port, Process server, long timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (pong(port)) {
                return;
            }
            if (server != null && !server.isAlive()) {
                throw new IOException("the server for port " + port + " exited with " + server.exitValue());
            }
            Thread.sleep(50);
        }
        throw new IOException("nothing on port " + port + " answered PING within " + timeoutSeconds + " s");
    }

    private static boolean pong(int port) {
        try (Jedis client = new Jedis("127.0.0.1", port, 1000)) {
            return client.ping().equals("PONG");
        } catch (JedisException e) {
            return false;
        }
    }
}
