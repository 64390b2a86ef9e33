package io.sitepair.ops.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sitepair init --lab DIR}: a pair named {@code lab} with both sites and the witness on this machine, on
 * free loopback ports, with a fresh secret, their data directories and, unless TLS is off, the pair's CA and a
 * certificate for each site, the witness and an operator in {@code DIR/tls}. With {@code --nic}, in network
 * mode nic on the lab's service network: each site's TAP on a bridge of its own, {@code splab-a} and
 * {@code splab-b}, which the nic lab's network joins to its clients.
 */
public final class LabConfig {
    public static final String CONFIG_FILE = "pair.yaml";
    public static final String SECRET_FILE = "pair.secret";
    /** The pair's certificates and keys, beside the configuration. */
    public static final String TLS_DIR = "tls";
    static final List<String> SITES = List.of("a", "b");
    private static final String LOOPBACK = "127.0.0.1";
    /** The guest's address on the nic lab's service network, whose host side is 10.77.0.1. */
    static final String NIC_ADDRESS = "10.77.0.10/24";
    static final int NIC_PORT = 6379;
    /** The nic lab's bridges are {@code splab-SITE}; each site's TAP on it {@code splab-SITE-tap}. */
    private static final String NIC_PREFIX = "splab-";

    private LabConfig() {}

    /** {@link #write(Path, boolean)} with TLS on. */
    public static Path write(Path dir) throws IOException {
        return write(dir, true);
    }

    /** {@link #write(Path, boolean, boolean)} in network mode socket. */
    public static Path write(Path dir, boolean tls) throws IOException {
        return write(dir, tls, false);
    }

    /**
     * Writes DIR/pair.yaml, DIR/pair.secret, the data directories DIR/a, DIR/b and DIR/witness and, with
     * {@code tls}, the pair's CA and certificates in DIR/tls; returns the config file. Refuses if DIR already
     * holds any of these files.
     *
     * @param nic network mode nic on the nic lab's service network, rather than mode socket on loopback
     */
    public static Path write(Path dir, boolean tls, boolean nic) throws IOException {
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
            ConfigTemplate.SiteNic siteNic = nic ? new ConfigTemplate.SiteNic(NIC_PREFIX + name, NIC_PREFIX + name + "-tap")
                    : null;
            sites.add(new ConfigTemplate.Site(name, LOOPBACK, ports.get(i), ports.get(SITES.size() + 2 * i),
                    ports.get(SITES.size() + 2 * i + 1), name, ports.get(testService + i), siteNic));
        }
        List<String> members = new ArrayList<>(SITES);
        members.add(CoordinationConfig.WITNESS);
        for (int i = 0; i < members.size(); i++) {
            quorum.add(new ConfigTemplate.Peer(members.get(i), LOOPBACK, ports.get(zookeeper + 3 * i),
                    ports.get(zookeeper + 3 * i + 1), ports.get(zookeeper + 3 * i + 2)));
        }
        ConfigTemplate.Layout lab = new ConfigTemplate.Layout("lab", """
                # sitepair site-pair configuration, written by `sitepair init --lab`: both sites and the witness on
                # this machine, on loopback%s.
                """.formatted(nic ? "; clients reach the guest on the nic lab's service network" : ""), sites, quorum,
                CoordinationConfig.WITNESS, nic ? new ConfigTemplate.NicNetwork(NIC_ADDRESS, NIC_PORT) : null);
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
