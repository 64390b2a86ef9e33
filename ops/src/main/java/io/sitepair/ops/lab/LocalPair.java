package io.sitepair.ops.lab;

import io.sitepair.ops.config.LabConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.wan.WanProfile;
import io.sitepair.ops.wan.WanProxy;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A pair on this machine, for tests and benchmarks: the configuration {@code sitepair init --lab}
 * writes (optionally edited), and each site a real {@code sitepair up} process whose output is added
 * to {@code DIR/<site>.out} and {@code DIR/<site>.err}, run after run.
 */
public final class LocalPair implements AutoCloseable {
    /** A JVM stopped by SIGTERM exits with 128 + 15 once its shutdown (here: the power-off) is done. */
    public static final int EXIT_ON_SIGTERM = 143;

    private final Path dir;
    private final Path config;
    private final List<Process> processes = new ArrayList<>();
    private final List<WanProxy> proxies = new ArrayList<>();
    private PairConfig pair;
    private AdminClient admin;

    public LocalPair(Path dir, UnaryOperator<String> edit) throws IOException {
        this(dir, true, edit);
    }

    /** With {@code tls} false, the pair's links run without TLS ({@code init --lab --tls off}). */
    public LocalPair(Path dir, boolean tls, UnaryOperator<String> edit) throws IOException {
        this(dir, tls, false, edit);
    }

    /**
     * A pair in network mode nic ({@code init --lab --nic}): the guest owns its TCP connections on
     * the service network of a {@link NicLab}, which the caller creates first.
     */
    public static LocalPair nic(Path dir, UnaryOperator<String> edit) throws IOException {
        return new LocalPair(dir, true, true, edit);
    }

    private LocalPair(Path dir, boolean tls, boolean nic, UnaryOperator<String> edit) throws IOException {
        this.dir = dir;
        this.config = LabConfig.write(dir, tls, nic);
        Files.writeString(config, edit.apply(Files.readString(config)));
        this.pair = PairConfigParser.load(config);
        this.admin = AdminClient.of(pair);
    }

    /**
     * Starts a WAN-emulating proxy to site b's logging channel and makes site a dial it, so the
     * link can be delayed, limited or cut. Call before starting the sites.
     */
    public WanProxy routeThrough(WanProfile profile) throws IOException {
        WanProxy proxy = WanProxy.start(new InetSocketAddress("127.0.0.1", 0), pair.site("b").channel(), profile);
        proxies.add(proxy);
        Files.writeString(config, Files.readString(config).replaceFirst("(?m)^(    data-dir: a.*)$",
                "$1\n    peer-channel: 127.0.0.1:" + proxy.address().getPort()));
        pair = PairConfigParser.load(config);
        admin = AdminClient.of(pair);
        return proxy;
    }

    /** Starts {@code sitepair up} for the site as a separate JVM. */
    public Process start(String site) throws IOException {
        return start(site, config);
    }

    /** Starts the site with its own view of the pair ({@code siteConfig}: the same pair, other addresses). */
    public Process start(String site, Path siteConfig) throws IOException {
        Process process = SitepairProcess.startAppending(dir.resolve(site + ".out"), dir.resolve(site + ".err"),
                "up", "--config", siteConfig.toString(), "--site", site);
        processes.add(process);
        return process;
    }

    /** Starts {@code sitepair witness}, the third ZooKeeper peer. */
    public Process startWitness() throws IOException {
        Process process = SitepairProcess.startAppending(dir.resolve("witness.out"), dir.resolve("witness.err"),
                "witness", "--config", config.toString());
        processes.add(process);
        return process;
    }

    /**
     * Starts the witness, site b, then site a, and waits until a is protected; the processes by
     * name ("witness", "a", "b").
     */
    public Map<String, Process> startProtected() throws IOException, InterruptedException {
        Map<String, Process> sites = new java.util.HashMap<>();
        sites.put("witness", startWitness());
        sites.put("b", start("b"));
        sites.put("a", start("a"));
        await("a", 60, SiteStatus::pairProtected);
        return sites;
    }

    /** The lab directory: the configuration, each process's output and the sites' data. */
    public Path dir() {
        return dir;
    }

    /** The pair's configuration file. */
    public Path config() {
        return config;
    }

    /** The pair's configuration, as last written (a {@link #routeThrough} changes site a's peer channel). */
    public PairConfig pair() {
        return pair;
    }

    /** The sites' admin endpoints, as the configuration's operator. */
    public AdminClient admin() {
        return admin;
    }

    /** Every process started so far, in order. */
    public List<Process> processes() {
        return List.copyOf(processes);
    }

    /** What a {@code sitepair} command printed and how it exited. */
    public record Cli(int exit, String out, String err) {
        /** Both outputs, for a message. */
        public String text() {
            return out + err;
        }
    }

    /**
     * Runs {@code sitepair <command> --config <this pair's file> <options>} as a separate JVM;
     * fails if it has not ended within {@code timeout}. A command with a subcommand is given with
     * a space: {@code "cert rotate"}.
     */
    public Cli cli(Duration timeout, String command, String... options) throws IOException, InterruptedException {
        return finish(startCli(command, options), command, timeout);
    }

    /** Starts {@code sitepair <command> --config <this pair's file> <options>}; {@link #finish} collects it. */
    public Process startCli(String command, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of("--config", config.toString()));
        args.addAll(List.of(options));
        return SitepairProcess.start(output(command, ".out"), output(command, ".err"), args.toArray(String[]::new));
    }

    /** Waits for a command {@link #startCli started} earlier; fails if it has not ended within {@code timeout}. */
    public Cli finish(Process p, String command, Duration timeout) throws IOException, InterruptedException {
        if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("sitepair " + command + " did not end within " + timeout);
        }
        return new Cli(p.exitValue(), Files.readString(output(command, ".out")),
                Files.readString(output(command, ".err")));
    }

    /** Where a command's output goes: {@code DIR/cert-rotate.out} for {@code cert rotate}. */
    private Path output(String command, String suffix) {
        return dir.resolve(command.replace(' ', '-') + suffix);
    }

    /** What {@code sitepair endpoint} prints for this pair (the live site's address, from ZooKeeper). */
    public String endpoint() throws IOException, InterruptedException {
        Cli endpoint = cli(Duration.ofSeconds(30), "endpoint");
        if (endpoint.exit() != 0) {
            throw new IllegalStateException("sitepair endpoint failed: " + endpoint.err());
        }
        return endpoint.out().trim();
    }

    public SiteStatus status(String site) {
        return admin.status(site);
    }

    /** Polls {@code site}'s status until {@code condition} holds; fails with the last status after {@code timeout}. */
    public SiteStatus await(String site, Duration timeout, Predicate<SiteStatus> condition)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SiteStatus status = status(site);
        while (!safely(condition, status)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("site " + site + " never reached the expected state within " + timeout
                        + "; last status: " + StatusJson.write(status) + "\n" + log(site));
            }
            Thread.sleep(100);
            status = status(site);
        }
        return status;
    }

    public SiteStatus await(String site, int seconds, Predicate<SiteStatus> condition)
            throws IOException, InterruptedException {
        return await(site, Duration.ofSeconds(seconds), condition);
    }

    private static boolean safely(Predicate<SiteStatus> condition, SiteStatus status) {
        try {
            return !(status instanceof NoAnswer) && condition.test(status);
        } catch (RuntimeException e) {
            return false;
        }
    }

    public String log(String site) throws IOException {
        return "--- " + site + ".out\n" + Files.readString(dir.resolve(site + ".out")) + "--- " + site + ".err\n"
                + Files.readString(dir.resolve(site + ".err"));
    }

    /**
     * For a failure report: each site's status and the last {@code lines} lines of its log, since
     * a test's or benchmark's lab directory is gone once it ends.
     */
    public String postMortem(int lines) {
        StringBuilder report = new StringBuilder();
        for (String site : pair.siteNames()) {
            report.append("--- status of site ").append(site).append(": ").append(StatusJson.write(status(site)))
                    .append('\n');
            try {
                List<String> log = Files.readAllLines(dir.resolve(site + ".err"));
                report.append("--- the last ").append(Math.min(lines, log.size())).append(" lines of ").append(site)
                        .append(".err\n");
                log.subList(Math.max(0, log.size() - lines), log.size()).forEach(l -> report.append(l).append('\n'));
            } catch (IOException e) {
                report.append("--- ").append(site).append(".err: ").append(e).append('\n');
            }
        }
        return report.toString();
    }

    /** The last {@code state <hex>} line a site printed (a site that rejoined printed one per run). */
    public String finalState(String site) throws IOException {
        return Files.readAllLines(dir.resolve(site + ".out")).stream().filter(l -> l.startsWith("state "))
                .reduce((first, second) -> second).orElseThrow(() -> new IllegalStateException("site " + site + " printed no final state\n"
                        + logQuietly(site)));
    }

    private String logQuietly(String site) {
        try {
            return log(site);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * With the system property {@code sitepair.lab-logs} set (the build sets it for tests), copies
     * every process's output there, so a failed test's sites can be read afterwards.
     */
    private void keepLogs() {
        String keep = System.getProperty("sitepair.lab-logs");
        if (keep == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            Path target = Files.createDirectories(Path.of(keep).resolve(
                    java.time.LocalDateTime.now().toString().replace(':', '-') + "-" + dir.getFileName()));
            for (Path file : files.filter(f -> f.toString().endsWith(".out") || f.toString().endsWith(".err")).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            System.err.println("sitepair: keeping the lab's logs failed: " + e);
        }
    }

    public InetSocketAddress service(String site) {
        return pair.site(site).service();
    }

    /**
     * The running {@code sitepair up} of {@code site} for this pair, whoever started it (a failover
     * drill with {@code --restart} starts one this lab does not hold). Read from /proc: the JDK's
     * own view of a command line stops at 4096 bytes, and a JVM's class path is longer.
     */
    public java.util.Optional<ProcessHandle> daemon(String site) {
        List<String> wanted = List.of("up", "--config", config.toString(), "--site", site);
        return ProcessHandle.allProcesses().filter(p -> java.util.Collections.indexOfSubList(arguments(p), wanted) >= 0)
                .findFirst();
    }

    private static List<String> arguments(ProcessHandle process) {
        try {
            String cmdline = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline"),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            return List.of(cmdline.split("\0"));
        } catch (IOException | java.io.UncheckedIOException gone) {
            return List.of(); // ended meanwhile, or not ours to read
        }
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        for (String site : pair.siteNames()) {
            daemon(site).ifPresent(ProcessHandle::destroyForcibly);
        }
        keepLogs();
        for (WanProxy proxy : proxies) {
            proxy.close();
        }
    }
}
