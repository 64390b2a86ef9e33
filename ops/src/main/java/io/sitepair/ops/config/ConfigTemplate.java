package io.sitepair.ops.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A new pair's files as {@code sitepair init} writes them: a commented pair.yaml for a {@link Layout}, every
 * logging key and drill objective spelt out with its default so the file documents itself, a fresh secret
 * and, with TLS on, the pair's CA and a certificate for each site, the witness and an operator. Never over an existing file: an
 * operator's configuration, the secret the other site shares and a CA's key are not to be lost.
 */
final class ConfigTemplate {
    /** Where the comments start, so they line up. */
    private static final int COMMENT_COLUMN = 29;

    /**
     * One site's addresses, data directory and port for a test drill's clone (on the same host).
     *
     * @param service the client service's port, in network mode socket
     * @param nic where the site's TAP goes, in network mode nic; null in mode socket
     */
    record Site(String name, String host, int channel, int service, int admin, String dataDir, int testService,
            SiteNic nic) {}

    /** In network mode nic, the bridge a site's TAP joins, and the TAP's name. */
    record SiteNic(String bridge, String tap) {}

    /** Network mode nic: the guest's address with the service network's prefix length, and the port it serves. */
    record NicNetwork(String address, int port) {}

    /** One embedded ZooKeeper peer: a site's or the witness's. */
    record Peer(String name, String host, int client, int quorum, int election) {}

    /**
     * What to write.
     *
     * @param header the comment at the top: what wrote the file and for what
     * @param sites the two sites, the initial primary first
     * @param peers the quorum: a site's peer each, then the witness's
     * @param nic the guest's identity in network mode nic, each site then giving its {@link SiteNic}; null: mode
     *        socket, and the file shows mode nic commented out
     */
    record Layout(String pair, String header, List<Site> sites, List<Peer> peers, String witnessDataDir,
            NicNetwork nic) {}

    private ConfigTemplate() {}

    /**
     * Writes DIR/pair.yaml, DIR/pair.secret and, with {@code tls}, the pair's CA and certificates in DIR/tls;
     * returns the config file. Refuses, naming the file, if any of these exists.
     */
    static Path write(Path dir, Layout layout, boolean tls) throws IOException {
        Path config = dir.resolve(LabConfig.CONFIG_FILE);
        Path secret = dir.resolve(LabConfig.SECRET_FILE);
        List<String> siteNames = layout.sites().stream().map(Site::name).toList();
        List<Path> files = new ArrayList<>(List.of(config, secret));
        if (tls) {
            files.add(dir.resolve(TlsHolder.CA_KEY));
            for (String holder : holders(siteNames)) {
                files.add(dir.resolve(LabConfig.TLS_DIR).resolve(holder + ".key"));
            }
        }
        for (Path existing : files) {
            if (Files.exists(existing)) {
                throw new ConfigException(existing + " already exists; not overwriting it (remove it or choose another"
                        + " directory)");
            }
        }
        Files.createDirectories(dir);
        String text = render(layout, tls ? tlsSection(siteNames) : tlsOff());
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

    /** Who gets a certificate: the sites, the witness and the operator, each as {@code tls/<holder>.crt}. */
    private static List<String> holders(List<String> siteNames) {
        List<String> holders = new ArrayList<>(siteNames);
        holders.addAll(List.of(CoordinationConfig.WITNESS, TlsConfig.OPERATOR));
        return holders;
    }

    /** The {@code tls} section naming DIR/tls/ca.crt and each holder's {@code tls/<holder>.crt} and {@code .key}. */
    static String tlsSection(List<String> siteNames) {
        StringBuilder y = new StringBuilder();
        line(y, 0, "tls", "", "every link: mutual TLS 1.3 with certificates of the pair's CA");
        line(y, 2, "ca", LabConfig.TLS_DIR + "/ca.crt", "the pair CA's certificate: on every machine");
        for (String holder : holders(siteNames)) {
            String where = holder.equals(TlsConfig.OPERATOR) ? "who the CLI acts as; on the operator's machine"
                    : "on " + (holder.equals(CoordinationConfig.WITNESS) ? "the witness's" : "site " + holder + "'s")
                    + " machine only";
            line(y, 2, holder, "{cert: " + LabConfig.TLS_DIR + "/" + holder + ".crt, key: " + LabConfig.TLS_DIR + "/"
                    + holder + ".key}", where);
        }
        return y.toString();
    }

    private static String tlsOff() {
        StringBuilder y = new StringBuilder();
        line(y, 0, "tls", "{mode: off}", "the links are NOT encrypted: for a lab on loopback only");
        return y.toString();
    }

    private static String render(Layout layout, String tlsSection) {
        LoggingTuning d = LoggingTuning.DEFAULTS;
        StringBuilder y = new StringBuilder(layout.header());
        y.append("# Relative paths are relative to this file's directory. Format: docs/config.md.\n\n");
        line(y, 0, "pair", layout.pair(), "name of the pair");
        line(y, 0, "secret-file", LabConfig.SECRET_FILE, "shared secret of the two sites (hex); keep it private");
        line(y, 0, "guest", "kv", "a shipped guest (stress, kv) or a path to a .wasm module");
        line(y, 0, "disks", "", "the guest's disks; the same sizes on both sites");
        line(y, 2, "- size", "64M", "disk 0");
        line(y, 0, "initial-primary", layout.sites().getFirst().name(), "the site that starts as primary");
        y.append('\n').append(layout.nic() == null ? nicExample() : networkSection(layout.pair(), layout.nic()));
        y.append('\n');
        line(y, 0, "logging", "", "all optional; these are the defaults");
        line(y, 2, "buffer", Units.formatBytes(d.bufferBytes()), "bound on unsent + unacknowledged log bytes (primary)"
                + " and on the backup's receive buffer");
        line(y, 2, "lag-target", Units.formatDuration(d.lagTarget()), "the primary slows event delivery when the"
                + " backup lags by more");
        line(y, 2, "heartbeat-interval", Units.formatDuration(d.heartbeatInterval()), "UDP heartbeats to the peer");
        line(y, 2, "suspect-after", Units.formatDuration(d.suspectAfter()), "this long without heartbeats or log"
                + " traffic: peer reported suspected; at least " + LoggingTuning.HEARTBEATS_PER_TIMEOUT + " heartbeats");
        line(y, 2, "state-check-interval", Units.formatDuration(d.stateCheckInterval()), "the primary logs a VM"
                + " state hash this often; the backup compares");
        line(y, 2, "logged-reads", String.valueOf(d.loggedReads()), "true: disk reads travel in the log, not just"
                + " a checksum");
        y.append('\n');
        line(y, 0, "sites", "", "exactly two");
        for (Site site : layout.sites()) {
            line(y, 2, site.name(), "", null);
            line(y, 4, "channel", address(site.host(), site.channel()), "logging channel, TCP; heartbeats on UDP, same"
                    + " port");
            if (site.nic() == null) {
                line(y, 4, "service", address(site.host(), site.service()), "client service, served only while primary");
            } else {
                line(y, 4, "nic", "{bridge: " + site.nic().bridge() + ", tap: " + site.nic().tap() + "}",
                        "this site's TAP for the guest's NIC, on that bridge");
            }
            line(y, 4, "admin", address(site.host(), site.admin()), "admin API, /metrics, dashboard");
            line(y, 4, "data-dir", site.dataDir(), "this site's disks and state");
            line(y, 4, "engine", SiteConfig.COMPILED, "compiled or interpreter");
        }
        y.append('\n').append(tlsSection).append('\n');
        line(y, 0, "coordination", "", "the ZooKeeper quorum that decides who goes live");
        line(y, 2, "session-timeout", Units.formatDuration(CoordinationConfig.DEFAULT_SESSION_TIMEOUT),
                "ZooKeeper session of each site");
        line(y, 2, "zookeeper", "", "a peer inside each `sitepair up`, the third in `sitepair witness`");
        for (Peer peer : layout.peers()) {
            boolean witness = peer.name().equals(CoordinationConfig.WITNESS);
            line(y, 4, peer.name(), "", witness ? "`sitepair witness`, at a third site" : null);
            line(y, 6, "client", address(peer.host(), peer.client()), "ZooKeeper clients");
            line(y, 6, "quorum-port", String.valueOf(peer.quorum()), "followers to the leader");
            line(y, 6, "election-port", String.valueOf(peer.election()), "leader election");
            if (witness) {
                line(y, 6, "data-dir", layout.witnessDataDir(), "the witness's ZooKeeper data");
            }
        }
        y.append('\n').append(drillsSection(layout.sites()));
        return y.toString();
    }

    /** Network mode nic, with the guest's MAC commented out at its default, which it documents. */
    private static String networkSection(String pair, NicNetwork nic) {
        byte[] mac = ByteBuffer.allocate(Long.BYTES).putLong(NetworkParser.defaultMac(pair)).array();
        StringBuilder y = new StringBuilder();
        line(y, 0, "network", "", "how clients reach the guest (docs/config.md#network)");
        line(y, 2, "mode", "nic", "a virtual NIC: one address and MAC at both sites; clients keep their"
                + " connections across a failover");
        line(y, 2, "address", nic.address(), "the guest's address and the service network's prefix length");
        line(y, 2, "port", String.valueOf(nic.port()), "the TCP port the guest serves");
        line(y, 2, "# mac", HexFormat.ofDelimiter(":").formatHex(mac, 2, Long.BYTES), "the default, derived from the"
                + " pair's name");
        return y.toString();
    }

    /** Network mode socket, with mode nic commented out: its address and bridges are the network's to give. */
    private static String nicExample() {
        StringBuilder y = new StringBuilder();
        line(y, 0, "# network", "", "optional; the default, mode socket: each site serves at its own service address");
        line(y, 0, "#   mode", "nic", "the guest's own NIC: one address and MAC at both sites, so clients keep"
                + " their connections across a failover");
        line(y, 0, "#   address", "10.20.0.10/24", "the guest's address and the prefix of the service network, which"
                + " both sites reach");
        line(y, 0, "#   port", String.valueOf(NetworkParser.DEFAULT_PORT), "the TCP port the guest serves");
        y.append("# and in each site, in place of service: nic: {bridge: br-svc, tap: sp-a}; needs root at each site"
                + " (docs/config.md#network)\n");
        return y.toString();
    }

    /** What `sitepair drill` is held to, with a test-service address for each site and a check to fill in. */
    private static String drillsSection(List<Site> sites) {
        StringBuilder y = new StringBuilder();
        line(y, 0, "drills", "", "what `sitepair drill` is measured against, and where it reports");
        line(y, 2, "rto", Units.formatDuration(DrillsConfig.DEFAULT_RTO), "recovery time objective");
        line(y, 2, "rpo", "0", "recovery point objective: 0, the only one there is (the Output Rule)");
        line(y, 2, "reports", sites.getFirst().dataDir() + "/" + DrillsConfig.REPORTS_UNDER_DATA_DIR,
                "each drill's report.json and report.html, under here");
        line(y, 2, "return-within", Units.formatDuration(DrillsConfig.DEFAULT_RETURN_WITHIN),
                "a failover drill waits this long for the failed site to return");
        y.append("  # An optional check of the recovered service (sh -c, in this file's directory; exit 0: healthy):\n");
        line(y, 2, "# check", "redis-cli -h \"$SITEPAIR_DRILL_HOST\" -p \"$SITEPAIR_DRILL_PORT\" ping", null);
        line(y, 2, "test-service", "", "a test drill's clone serves here, never on the service address");
        for (Site site : sites) {
            line(y, 4, site.name(), address(site.host(), site.testService()), null);
        }
        return y.toString();
    }

    /** {@code host:port}, an IPv6 host in brackets and the whole quoted (YAML reads a bare '[' as a list). */
    private static String address(String host, int port) {
        String a = Addresses.format(InetSocketAddress.createUnresolved(host, port));
        return a.startsWith("[") ? "\"" + a + "\"" : a;
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
