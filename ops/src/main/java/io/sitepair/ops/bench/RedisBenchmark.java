package io.sitepair.ops.bench;

import io.sitepair.ops.config.Executables;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/** Runs Debian's {@code redis-benchmark} against a server (on loopback unless given) and parses its CSV figures. */
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
        return run(new InetSocketAddress("127.0.0.1", port), test, requests, clients, pipeline);
    }

    public static Result run(InetSocketAddress server, String test, int requests, int clients, int pipeline)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("redis-benchmark", "-h", server.getHostString(), "-p",
                String.valueOf(server.getPort()), "-t", test,
                "-n", String.valueOf(requests), "-c", String.valueOf(clients), "-P", String.valueOf(pipeline), "--csv")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("redis-benchmark failed against " + server + ":\n" + output);
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
        awaitPong(new InetSocketAddress("127.0.0.1", port), server, timeoutSeconds);
    }

    /** Waits until the Redis-protocol server at {@code address} answers PING, or fails naming it. */
    public static void awaitPong(InetSocketAddress address, Process server, long timeoutSeconds)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (pong(address)) {
                return;
            }
            if (server != null && !server.isAlive()) {
                throw new IOException("the server for " + address + " exited with " + server.exitValue());
            }
            Thread.sleep(50);
        }
        throw new IOException("nothing at " + address + " answered PING within " + timeoutSeconds + " s");
    }

    private static boolean pong(InetSocketAddress address) {
        try (Jedis client = new Jedis(address.getHostString(), address.getPort(), 1000)) {
            return client.ping().equals("PONG");
        } catch (JedisException e) {
            return false;
        }
    }
}
