package io.sitepair.ops.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sitepair init --lab DIR}: a pair named {@code lab} with both sites and the witness on this machine, on
 * free loopback ports, with a fresh secret, their data directories and, unless TLS is off, the pair's CA and a
 * certificate for each site, the witness and an operator in {@code DIR/tls}.
 */
public final class LabConfig {
    public static final String CONFIG_FILE = "pair.yaml";
    public static final String SECRET_FILE = "pair.secret";
    /** The pair's certificates and keys, beside the configuration. */
    public static final String TLS_DIR = "tls";
    static final List<String> SITES = List.of("a", "b");
    private static final String LOOPBACK = "127.0.0.1";

    private LabConfig() {}

    /** {@link #write(Path, boolean)} with TLS on. */
    public static Path write(Path dir) throws IOException {
        return write(dir, true);
    }

    /**
     * Writes DIR/pair.yaml, DIR/pair.secret, the data directories DIR/a, DIR/b and DIR/witness and, with
     * {@code tls}, the pair's CA and certificates in DIR/tls; returns the config file. Refuses if DIR already
     * holds any of these files.
     */
    public static Path write(Path dir, boolean tls) throws IOException {
        // The channels (TCP and UDP) first, then each site's service and admin, then three ports for
        // each ZooKeeper peer, then each site's test service (TCP).
        int peers = SITES.size() + 1;
        List<Integer> ports = LoopbackPorts.pick(SITES.size(), 2 * SITES.size() + 3 * peers + SITES.size());
        int zookeeper = 3 * SITES.size();
        int testService = zookeeper + 3 * peers;
        List<ConfigTemplate.Site> sites = new ArrayList<>();
        List<ConfigTemplate.Peer> quorum = new ArrayList<>();
        for (int i = 0; i < SITES.size(); i++) {
            String name = SITES.get(i);
            sites.add(new ConfigTemplate.Site(name, LOOPBACK, ports.get(i), ports.get(SITES.size() + 2 * i),
                    ports.get(SITES.size() + 2 * i + 1), name, ports.get(testService + i)));
        }
        List<String> members = new ArrayList<>(SITES);
        members.add(CoordinationConfig.WITNESS);
        for (int i = 0; i < members.size(); i++) {
            quorum.add(new ConfigTemplate.Peer(members.get(i), LOOPBACK, ports.get(zookeeper + 3 * i),
                    ports.get(zookeeper + 3 * i + 1), ports.get(zookeeper + 3 * i + 2)));
        }
        ConfigTemplate.Layout lab = new ConfigTemplate.Layout("lab", """
                # sitepair site-pair configuration, written by `sitepair init --lab`: both sites and the witness on
                # this machine, on loopback.
                """, sites, quorum, CoordinationConfig.WITNESS);
        Path config = ConfigTemplate.write(dir, lab, tls);
        for (String name : members) {
            Files.createDirectories(dir.resolve(name));
        }
        return config;
    }

    /**
     * The {@code tls} section naming DIR/tls/ca.crt and, for sites a and b, the witness and the operator,
     * {@code tls/<holder>.crt} and {@code .key}: what {@code init} writes, for labs that write their own file.
     */
    public static String tlsSection() {
        return ConfigTemplate.tlsSection(SITES);
    }
}
