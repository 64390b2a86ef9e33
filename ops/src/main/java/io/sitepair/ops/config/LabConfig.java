package io.sitepair.ops.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sitepair init --lab DIR}: a pair named {@code lab} with both sites on this machine, on free loopback
 * ports, with a fresh secret and, unless TLS is off, the pair's CA and a certificate for each site, the witness
 * and an operator in {@code DIR/tls}. Every logging key is written out with its default and a comment, so the
 * file documents itself and is a starting point for a real pair.
 */
public final class LabConfig {
    public static final String CONFIG_FILE = "pair.yaml";
    public static final String SECRET_FILE = "pair.secret";
    /** The pair's certificates and keys, beside the configuration. */
    public static final String TLS_DIR = "tls";
    static final List<String> SITES = List.of("a", "b");
    /** Who gets a certificate: the sites, the witness and the operator, each as {@code tls/<holder>.crt}. */
    private static final List<String> HOLDERS = List.of("a", "b", CoordinationConfig.WITNESS, TlsConfig.OPERATOR);
    /** Where the comments start, so they line up. */
    private static final int COMMENT_COLUMN = 29;

    private LabConfig() {}

    /** {@link #write(Path, boolean)} with TLS on. */
    public static Path write(Path dir) throws IOException {
        return write(dir, true);
    }

    /**
     * Writes DIR/pair.yaml, DIR/pair.secret, the data directories DIR/a and DIR/b and, with {@code tls}, the
     * pair's CA and certificates in DIR/tls; returns the config file. Refuses if DIR already holds any of
     * these files: an operator's config, the secret the other site shares and a CA's key are never overwritten.
     */
    public static Path write(Path dir, boolean tls) throws IOException {
        Path config = dir.resolve(CONFIG_FILE);
        Path secret = dir.resolve(SECRET_FILE);
        List<Path> files = new ArrayList<>(List.of(config, secret));
        if (tls) {
            files.add(dir.resolve(TlsHolder.CA_KEY));
            for (String holder : HOLDERS) {
                files.add(dir.resolve(TLS_DIR).resolve(holder + ".key"));
            }
        }
        for (Path existing : files) {
            if (Files.exists(existing)) {
                throw new ConfigException(existing + " already exists; not overwriting it (remove it or choose another"
                        + " directory)");
            }
        }
        for (String site : SITES) {
            Files.createDirectories(dir.resolve(site));
        }
        Files.createDirectories(dir.resolve(CoordinationConfig.WITNESS));
        // The channels (TCP and UDP) first, then each site's service and admin, then three ports for
        // each ZooKeeper peer (TCP).
        int peers = SITES.size() + 1;
        List<Integer> ports = LoopbackPorts.pick(SITES.size(), 2 * SITES.size() + 3 * peers);
        List<Integer> channels = ports.subList(0, SITES.size());
        List<Integer> others = ports.subList(SITES.size(), 3 * SITES.size());
        List<Integer> zookeeper = ports.subList(3 * SITES.size(), ports.size());
        String text = render(channels, others, zookeeper, tls ? tlsSection() : tlsOff());
        try {
            SecretFile.create(secret);
            Files.writeString(config, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException(e.getFile() + " already exists; not overwriting it");
        }
        if (tls) {
            TlsHolder.createPki(PairConfigParser.load(config), Instant.now());
        }
        return config;
    }

    /**
     * The {@code tls} section naming DIR/tls/ca.crt and, for sites a and b, the witness and the operator,
     * {@code tls/<holder>.crt} and {@code .key}: what {@code init} writes, for labs that write their own file.
     */
    public static String tlsSection() {
        StringBuilder y = new StringBuilder();
        line(y, 0, "tls", "", "every link: mutual TLS 1.3 with certificates of the pair's CA");
        line(y, 2, "ca", TLS_DIR + "/ca.crt", "the pair CA's certificate: on every machine");
        for (String holder : HOLDERS) {
            String where = holder.equals(TlsConfig.OPERATOR) ? "who the CLI acts as; on the operator's machine"
                    : "on " + (holder.equals(CoordinationConfig.WITNESS) ? "the witness's" : "site " + holder + "'s")
                    + " machine only";
            line(y, 2, holder, "{cert: " + TLS_DIR + "/" + holder + ".crt, key: " + TLS_DIR + "/" + holder + ".key}",
                    where);
        }
        return y.toString();
    }

    private static String tlsOff() {
        StringBuilder y = new StringBuilder();
        line(y, 0, "tls", "{mode: off}", "the links are NOT encrypted: for a lab on loopback only");
        return y.toString();
    }

    private static String render(List<Integer> channels, List<Integer> others, List<Integer> zookeeper,
            String tlsSection) {
        LoggingTuning d = LoggingTuning.DEFAULTS;
        StringBuilder y = new StringBuilder();
        y.append("""
                # sitepair site-pair configuration, written by `sitepair init --lab`: both sites on this machine,
                # on loopback. Relative paths are relative to this file's directory. Format: docs/config.md.

                """);
        line(y, 0, "pair", "lab", "name of the pair");
        line(y, 0, "secret-file", SECRET_FILE, "shared secret of the two sites (hex); keep it private");
        line(y, 0, "guest", "kv", "a shipped guest (stress, kv) or a path to a .wasm module");
        line(y, 0, "disks", "", "the guest's disks; the same sizes on both sites");
        line(y, 2, "- size", "64M", "disk 0");
        line(y, 0, "initial-primary", SITES.getFirst(), "the site that starts as primary");
        y.append('\n');
        line(y, 0, "logging", "", "all optional; these are the defaults");
        line(y, 2, "buffer", Units.formatBytes(d.bufferBytes()), "bound on unsent + unacknowledged log bytes (primary)"
                + " and on the backup's receive buffer");
        line(y, 2, "lag-target", Units.formatDuration(d.lagTarget()), "the primary slows event delivery when the"
                + " backup lags by more");
        line(y, 2, "heartbeat-interval", Units.formatDuration(d.heartbeatInterval()), "UDP heartbeats to the peer");
        line(y, 2, "suspect-after", Units.formatDuration(d.suspectAfter()), "this long without heartbeats or log"
                + " traffic: peer reported suspected");
        line(y, 2, "state-check-interval", Units.formatDuration(d.stateCheckInterval()), "the primary logs a VM"
                + " state hash this often; the backup compares");
        line(y, 2, "logged-reads", String.valueOf(d.loggedReads()), "true: disk reads travel in the log, not just"
                + " a checksum");
        y.append('\n');
        line(y, 0, "sites", "", "exactly two");
        for (int i = 0; i < SITES.size(); i++) {
            String site = SITES.get(i);
            line(y, 2, site, "", null);
            line(y, 4, "channel", "127.0.0.1:" + channels.get(i), "logging channel, TCP; heartbeats on UDP, same port");
            line(y, 4, "service", "127.0.0.1:" + others.get(2 * i), "client service, served only while primary");
            line(y, 4, "admin", "127.0.0.1:" + others.get(2 * i + 1), "status endpoint, HTTP");
            line(y, 4, "data-dir", site, "this site's disks and state");
            line(y, 4, "engine", SiteConfig.COMPILED, "compiled or interpreter");
        }
        y.append('\n').append(tlsSection).append('\n');
        line(y, 0, "coordination", "", "the ZooKeeper quorum that decides who goes live");
        line(y, 2, "session-timeout", Units.formatDuration(CoordinationConfig.DEFAULT_SESSION_TIMEOUT),
                "ZooKeeper session of each site");
        line(y, 2, "zookeeper", "", "a peer inside each `sitepair up`, the third in `sitepair witness`");
        List<String> members = new java.util.ArrayList<>(SITES);
        members.add(CoordinationConfig.WITNESS);
        for (int i = 0; i < members.size(); i++) {
            String name = members.get(i);
            line(y, 4, name, "", name.equals(CoordinationConfig.WITNESS) ? "at a third site in a real deployment" : null);
            line(y, 6, "client", "127.0.0.1:" + zookeeper.get(3 * i), "ZooKeeper clients");
            line(y, 6, "quorum-port", String.valueOf(zookeeper.get(3 * i + 1)), "followers to the leader");
            line(y, 6, "election-port", String.valueOf(zookeeper.get(3 * i + 2)), "leader election");
            if (name.equals(CoordinationConfig.WITNESS)) {
                line(y, 6, "data-dir", CoordinationConfig.WITNESS, "the witness's ZooKeeper data");
            }
        }
        return y.toString();
    }

    private static void line(StringBuilder y, int indent, String key, String value, String comment) {
        String entry = " ".repeat(indent) + key + ":" + (value.isEmpty() ? "" : " " + value);
        y.append(entry);
        if (comment != null) {
            y.append(" ".repeat(Math.max(1, COMMENT_COLUMN - entry.length()))).append("# ").append(comment);
        }
        y.append('\n');
    }
}
