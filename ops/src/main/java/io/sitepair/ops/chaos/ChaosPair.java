package io.sitepair.ops.chaos;

import io.sitepair.ops.config.LabConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.ops.lab.SitepairProcess;
import io.sitepair.ops.pki.PairCa;
import io.sitepair.ops.pki.Rotation;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.SiteStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pair under test: site a, site b and the witness, each a {@code sitepair} JVM inside its own
 * namespace on fixed ports (each namespace has its own port space), output appended to
 * {@code DIR/<node>.out} and {@code .err} across restarts.
 */
final class ChaosPair implements AutoCloseable {
    static final List<String> SITES = List.of("a", "b");
    static final List<String> NODES = List.of("witness", "b", "a"); // the order they start in
    static final int CHANNEL_PORT = 7000;
    private static final int SERVICE_PORT = 6379;
    private static final int ADMIN_PORT = 7001;

    final Path dir;
    final Path config;
    final PairConfig pair;
    /** The sites' admin endpoints, as the configuration's operator. */
    final AdminClient admin;
    private final NetworkLab network;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    /** Where each node's stderr stood when its current process started: what it logged since is this run's. */
    private final Map<String, Long> errOffsets = new LinkedHashMap<>();
    private final Map<String, Long> outOffsets = new LinkedHashMap<>();

    ChaosPair(Path dir, NetworkLab network) throws IOException {
        this.dir = dir;
        this.network = network;
        this.config = LabConfig.write(dir); // for its secret, directories and CA; the file is ours
        Files.writeString(config, yaml() + LabConfig.tlsSection());
        this.pair = PairConfigParser.load(config);
        // The lab's certificates name loopback; these name each node's address in its namespace.
        Rotation.reissue(pair, PairCa.load(pair, PairCa.keyFile(pair, null)), Instant.now());
        this.admin = AdminClient.of(pair);
    }

    private static String yaml() {
        StringBuilder y = new StringBuilder("""
                # written by `sitepair bench chaos`: each node in its own network namespace
                pair: chaos
                secret-file: pair.secret
                guest: kv
                disks:
                  - size: 64M
                initial-primary: a
                logging:
                  suspect-after: 1s
                sites:
                """);
        for (String site : SITES) {
            String ip = NetworkLab.ADDRESSES.get(site);
            y.append("  ").append(site).append(":\n")
                    .append("    channel: ").append(ip).append(':').append(CHANNEL_PORT).append('\n')
                    .append("    service: ").append(ip).append(':').append(SERVICE_PORT).append('\n')
                    .append("    admin: ").append(ip).append(':').append(ADMIN_PORT).append('\n')
                    .append("    data-dir: ").append(site).append('\n');
        }
        y.append("coordination:\n  zookeeper:\n");
        for (String node : List.of("a", "b", "witness")) {
            y.append("    ").append(node).append(":\n")
                    .append("      client: ").append(NetworkLab.ADDRESSES.get(node)).append(":2181\n")
                    .append("      quorum-port: 2888\n")
                    .append("      election-port: 3888\n");
            if (node.equals("witness")) {
                y.append("      data-dir: witness\n");
            }
        }
        return y.toString();
    }

    /** The ZooKeeper connect string of the three peers. */
    String zookeeper() {
        return pair.coordination().connectString();
    }

    InetSocketAddress service(String site) {
        return pair.site(site).service();
    }

    /** Starts {@code node} ({@code a}, {@code b} or {@code witness}) in its namespace. */
    void start(String node) throws IOException {
        String[] args = node.equals("witness") ? new String[] {"witness", "--config", config.toString()}
                : new String[] {"up", "--config", config.toString(), "--site", node};
        errOffsets.put(node, Files.exists(log(node, "err")) ? Files.size(log(node, "err")) : 0L);
        outOffsets.put(node, Files.exists(log(node, "out")) ? Files.size(log(node, "out")) : 0L);
        processes.put(node, SitepairProcess.startAppendingWithin(network.inside(node), log(node, "out"),
                log(node, "err"), args));
    }

    Path log(String node, String stream) {
        return dir.resolve(node + "." + stream);
    }

    boolean alive(String node) {
        Process p = processes.get(node);
        return p != null && p.isAlive();
    }

    /** The exit code of a node's process that has ended, or null while it runs (or never ran). */
    Integer exitCode(String node) {
        Process p = processes.get(node);
        return p == null || p.isAlive() ? null : p.exitValue();
    }

    /** kill -9, and waits until the process is gone. */
    void kill(String node) throws InterruptedException {
        Process p = processes.get(node);
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Sends a signal ({@code STOP}, {@code CONT}, {@code TERM}) to the node's JVM. */
    void signal(String node, String signal) throws InterruptedException {
        Process p = processes.get(node);
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed: " + e.getMessage(), e);
        }
    }

    /** Waits for the node's process to end; whether it did within {@code timeout}. */
    boolean awaitExit(String node, Duration timeout) throws InterruptedException {
        Process p = processes.get(node);
        return p == null || p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Why the node's current (ended) process ended: the one line a halted site prints ({@code site X
     * halted: why}, on its standard output), else its last {@code sitepair ...: error:} line, else
     * its last line.
     */
    String exitReason(String node) throws IOException {
        List<String> out = linesSince(node, "out", outOffsets);
        List<String> err = linesSince(node, "err", errOffsets);
        return out.stream().filter(l -> l.matches("site \\S+ halted: .*")).reduce((x, y) -> y)
                .or(() -> err.stream().filter(l -> l.contains("sitepair") && l.contains(": error: ")).reduce((x, y) -> y))
                .or(() -> err.stream().reduce((x, y) -> y)).orElse("(no output)")
                .replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ", "");
    }

    /** What the node's current process wrote to {@code stream} since it started. */
    private List<String> linesSince(String node, String stream, Map<String, Long> offsets) throws IOException {
        Path file = log(node, stream);
        if (!Files.exists(file)) {
            return List.of();
        }
        byte[] bytes = Files.readAllBytes(file);
        int from = (int) Math.min(bytes.length, offsets.getOrDefault(node, 0L));
        return new String(bytes, from, bytes.length - from, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    }

    SiteStatus status(String site) {
        return admin.status(site);
    }

    /**
     * The site that is primary and protected in the eyes of both sites: it says so, and the other
     * site is its backup in the same epoch (an isolated old primary may still believe it is
     * protected); null otherwise.
     */
    String protectedPrimary() {
        for (String site : SITES) {
            SiteStatus s = status(site);
            if (s.role() == Role.PRIMARY && s.pairProtected()) {
                SiteStatus other = status(Campaign.other(site));
                return other.role() == Role.BACKUP && s.epoch() != null && s.epoch().equals(other.epoch()) ? site : null;
            }
        }
        return null;
    }

    /** Polls until a site is primary and protected; that site, or null after {@code timeout}. */
    String awaitProtected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String primary = protectedPrimary();
            if (primary != null) {
                return primary;
            }
            Thread.sleep(200);
        }
        return null;
    }

    /** Each site's role and protection (or why it does not answer), for a report. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (String site : SITES) {
            SiteStatus s = status(site);
            text.append(text.isEmpty() ? "" : "; ").append(site).append(": ")
                    .append(s instanceof NoAnswer ? (alive(site) ? "not answering" : "not running")
                            : s.role().label() + " " + s.protection() + " (" + s.reason() + ")");
        }
        return text.toString();
    }

    /** How many {@code state <hex>} lines the site printed (one per run that ended cleanly). */
    long stateLines(String site) throws IOException {
        return Files.readAllLines(log(site, "out")).stream().filter(l -> l.startsWith("state ")).count();
    }

    /** The last {@code state <hex>} line the site printed, or null. */
    String finalState(String site) throws IOException {
        return Files.readAllLines(log(site, "out")).stream().filter(l -> l.startsWith("state "))
                .reduce((first, second) -> second).orElse(null);
    }

    /** Kills every process this pair started. */
    @Override
    public void close() {
        for (Process p : processes.values()) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
