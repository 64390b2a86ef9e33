package io.sitepair.ops.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sitepair init --pair NAME --site a=HOST --site b=HOST --witness HOST}: a pair whose two sites and
 * witness run on machines of their own, at the hosts given, on the default ports (a second process on one host
 * takes the next ones), with data under {@link #DATA_ROOT}, a fresh secret and the pair's certificates naming
 * those hosts.
 */
public final class ThreeMachineConfig {
    /** Where each machine keeps its site's or the witness's data. */
    static final String DATA_ROOT = "/var/lib/sitepair/";
    private static final int CHANNEL = 7401;
    private static final int ADMIN = 7402;
    /** Where a test drill's clone serves, isolated from the service address. */
    private static final int TEST_SERVICE = 7403;
    /** Beside the channel, admin and test-service ports of one site, the next site on the same host. */
    private static final int SITE_STRIDE = 100;
    private static final int SERVICE = 6379;
    // ZooKeeper's own defaults.
    private static final int CLIENT = 2181;
    private static final int QUORUM = 2888;
    private static final int ELECTION = 3888;

    private ThreeMachineConfig() {}

    /**
     * Writes DIR/pair.yaml, DIR/pair.secret and the pair's CA and certificates in DIR/tls; returns the config
     * file. A bad pair name, site name or host is refused before anything is written.
     *
     * @param sites the two sites' names and hosts, the initial primary first
     */
    public static Path write(Path dir, String pair, Map<String, String> sites, String witnessHost) throws IOException {
        PairConfigParser.pairName(pair);
        if (sites.size() != 2) {
            throw new IllegalArgumentException("a pair has exactly two sites: give --site NAME=HOST twice, found "
                    + sites.size());
        }
        Map<String, Integer> onHost = new HashMap<>();
        List<ConfigTemplate.Site> siteLayout = new ArrayList<>();
        List<ConfigTemplate.Peer> peers = new ArrayList<>();
        for (var site : sites.entrySet()) {
            String name = site.getKey();
            if (!SitesParser.validName(name) || name.equals(CoordinationConfig.WITNESS)) {
                throw new IllegalArgumentException("--site " + name + "=...: " + SitesParser.SITE_NAME_RULE
                        + ", and not " + CoordinationConfig.WITNESS);
            }
            String host = host("--site " + name, site.getValue());
            int k = next(onHost, host);
            siteLayout.add(new ConfigTemplate.Site(name, host, CHANNEL + SITE_STRIDE * k, SERVICE + k,
                    ADMIN + SITE_STRIDE * k, DATA_ROOT + name, TEST_SERVICE + SITE_STRIDE * k, null));
            peers.add(new ConfigTemplate.Peer(name, host, CLIENT + k, QUORUM + k, ELECTION + k));
        }
        String witness = host("--witness", witnessHost);
        int k = next(onHost, witness);
        peers.add(new ConfigTemplate.Peer(CoordinationConfig.WITNESS, witness, CLIENT + k, QUORUM + k, ELECTION + k));
        ConfigTemplate.Layout layout = new ConfigTemplate.Layout(pair, """
                # sitepair site-pair configuration, written by `sitepair init --pair`: two sites and a witness,
                # each on a machine of its own. The same file goes to all three machines.
                """, siteLayout, peers, DATA_ROOT + CoordinationConfig.WITNESS, null);
        return ConfigTemplate.write(dir, layout, true);
    }

    private static String host(String option, String host) {
        boolean bracketed = host.startsWith("[") && host.endsWith("]"); // an IPv6 address as in HOST:PORT
        try {
            return Scalars.host(bracketed ? host.substring(1, host.length() - 1) : host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    /** How many processes of the pair {@code host} had before this one (names compared as written). */
    private static int next(Map<String, Integer> onHost, String host) {
        return onHost.merge(host.toLowerCase(Locale.ROOT), 1, Integer::sum) - 1;
    }
}
