package io.sitepair.ops.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.ops.lab.CountingConnection;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.NicLab;
import io.sitepair.ops.lab.WriteLoad;
import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.SiteStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network mode nic with real processes: the guest owns its TCP connections, so clients keep them
 * through a kill -9 failover and a planned switchover. 50 redis-benchmark connections, four
 * ledger writers and one connection counting with INCR run throughout; afterwards the same
 * client ports are connected, nobody reconnected, the count has no gap and no repeat, and every
 * acknowledged write is there.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NicPairProcessTest {
    private static final int BENCH_CLIENTS = 50;

    @TempDir
    Path dir;

    @Test
    void clientConnectionsSurviveAFailoverAndASwitchover() throws Exception {
        assumeTrue(NicLab.missingPrerequisite() == null, "needs root: " + NicLab.missingPrerequisite());
        try (NicLab network = NicLab.create(); LocalPair lab = LocalPair.nic(dir, yaml -> yaml)) {
            Map<String, Process> sites = lab.startProtected();
            InetSocketAddress service = lab.service("a");
            assertEquals(service, lab.service("b"), "one service address for both sites");
            Process bench = redisBenchmark(service, dir.resolve("redis-benchmark.out"));
            try (CountingConnection counter = CountingConnection.open(service, "nic:count");
                 WriteLoad writers = new WriteLoad(4, "nic", Map.of("a", service), "a", 60_000)) {
                writers.awaitAcknowledged(500, 60);
                awaitCount(counter, 100);
                Set<Integer> ports = clientPorts(service);
                assertEquals(BENCH_CLIENTS + 4 + 1, ports.size(), "connected clients: " + ports);

                // kill -9 of the primary: b goes live with a's connections
                sites.get("a").destroyForcibly();
                sites.get("a").waitFor(10, TimeUnit.SECONDS);
                long countAtKill = counter.count();
                lab.await("b", 30, s -> s.role() == Role.LIVE_ALONE);
                awaitCount(counter, countAtKill + 100);
                writers.awaitAcknowledged(writers.acknowledged().size() + 300, 60);
                assertSameClients(ports, service, counter, writers, "the failover");
                System.out.printf("failover: the counting connection waited at most %.0f ms; %d increments%n",
                        counter.longestWaitMillis(), counter.count());

                // a returns as b's backup, then a planned switchover back to a
                sites.put("a", lab.start("a"));
                lab.await("b", 90, SiteStatus::pairProtected);
                AdminAnswer switched = lab.admin().post("b", "switchover", Duration.ofSeconds(60));
                assertTrue(switched.ok(), switched.text());
                lab.await("a", 30, s -> s.role() == Role.LIVE_ALONE || s.role() == Role.PRIMARY);
                long countAtSwitch = counter.count();
                awaitCount(counter, countAtSwitch + 100);
                assertSameClients(ports, service, counter, writers, "the switchover");
            }
            bench.destroy();
            bench.waitFor(10, TimeUnit.SECONDS);
            String benchOutput = Files.readString(dir.resolve("redis-benchmark.out"));
            assertFalse(benchOutput.toLowerCase().contains("error"), "redis-benchmark saw errors: " + benchOutput);
        }
    }

    private static void assertSameClients(Set<Integer> ports, InetSocketAddress service, CountingConnection counter,
                                          WriteLoad writers, String after) throws Exception {
        assertNull(counter.problem(), "the counting connection after " + after);
        assertEquals(0, writers.reconnections(), "writers reconnected after " + after);
        assertEquals(ports, clientPorts(service), "the clients' connections after " + after);
        assertEquals(0, WriteLoad.missing(writers.acknowledged(), service), "acknowledged writes lost by " + after);
    }

    private static void awaitCount(CountingConnection counter, long count) {
        WriteLoad.await(() -> counter.count() >= count || counter.problem() != null, 60,
                "the counting connection to reach " + count);
        assertNull(counter.problem());
    }

    /** redis-benchmark's SETs over 50 connections until stopped. */
    private static Process redisBenchmark(InetSocketAddress service, Path output) throws IOException {
        return new ProcessBuilder("redis-benchmark", "-h", service.getHostString(), "-p",
                String.valueOf(service.getPort()), "-c", String.valueOf(BENCH_CLIENTS), "-n", "1000000000", "-t", "set",
                "-r", "100000", "-q").redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** The local ports of this machine's established connections to the service. */
    private static Set<Integer> clientPorts(InetSocketAddress service) throws Exception {
        Process ss = new ProcessBuilder("ss", "-tnH", "state", "established", "dst",
                service.getHostString() + ":" + service.getPort()).redirectErrorStream(true).start();
        String text = new String(ss.getInputStream().readAllBytes());
        ss.waitFor();
        Set<Integer> ports = new TreeSet<>();
        for (String line : text.strip().split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2) { // ... local-address:port peer-address:port
                String local = fields[fields.length - 2];
                ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }
}
