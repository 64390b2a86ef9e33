package io.sitepair.ops.config;

import io.sitepair.ops.config.NetworkConfig.Mode;
import io.sitepair.replicator.nic.NicIdentity;
import io.sitepair.replicator.nic.NicSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code sites} section: exactly two sites, a data directory each, and in network mode nic the bridge and
 * TAP of each. Their addresses go to the report, where {@link PortClashes} checks them together with the
 * quorum's.
 */
final class SitesParser {
    static final List<String> SITE_KEYS =
            List.of("channel", "peer-channel", "service", "admin", "data-dir", "engine", "nic");
    private static final Pattern SITE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    static final String SITE_NAME_RULE = "a site name is a lower-case letter followed by up to 30 lower-case letters,"
            + " digits or '-'";

    private SitesParser() {}

    /**
     * The sites that read without a problem; null if the section is not two validly named sites (reported),
     * so that nothing is said about which site is meant elsewhere.
     *
     * @param mode the pair's network mode, null if refused (then neither a site's service nor its nic is required)
     * @param identity the guest's identity in mode nic, null if refused or in mode socket
     */
    static Map<String, SiteConfig> parse(YamlSection sites, Path dir, Mode mode, NicIdentity identity) {
        if (sites.broken()) {
            return null;
        }
        if (sites.keys().size() != 2) {
            sites.problem("a pair has exactly two sites, found " + sites.keys().size()
                    + (sites.keys().isEmpty() ? "" : " (" + String.join(", ", sites.keys()) + ")"));
            return null;
        }
        Map<String, SiteConfig> result = new LinkedHashMap<>();
        Map<Path, String> dataDirs = new HashMap<>();
        boolean named = true;
        for (String name : sites.keys()) {
            if (!validName(name)) {
                sites.problemWithKey(name, SITE_NAME_RULE);
                named = false;
                continue;
            }
            YamlSection site = sites.section(name, SITE_KEYS);
            InetSocketAddress channel = listening(site, "channel");
            InetSocketAddress service = service(site, mode, identity);
            InetSocketAddress admin = listening(site, "admin");
            Path dataDir = site.required("data-dir", v -> dir.resolve(v).normalize());
            if (dataDir != null) {
                String first = dataDirs.putIfAbsent(dataDir, site.key("data-dir") + " (line " + site.lineOf("data-dir") + ")");
                if (first != null) {
                    site.problem("data-dir", "the same data directory as " + first);
                }
            }
            String engine = site.optional("engine", SitesParser::engine, SiteConfig.COMPILED);
            InetSocketAddress peerChannel = site.optional("peer-channel", Scalars::address, null);
            endpoint(site, "peer-channel", peerChannel, false);
            NicSettings nic = null;
            if (mode == Mode.NIC) {
                nic = NetworkParser.siteNic(site, name, identity);
            } else if (mode == Mode.SOCKET) {
                NetworkParser.refuseSiteNic(site);
            }
            if (channel != null && service != null && admin != null && dataDir != null && engine != null
                    && (mode != Mode.NIC || nic != null)) {
                result.put(name, new SiteConfig(name, channel, service, admin, dataDir, engine, peerChannel, nic));
            }
        }
        if (named && result.size() == 2) {
            tapsApart(sites, List.copyOf(result.values()));
        }
        return named ? result : null;
    }

    private static InetSocketAddress listening(YamlSection site, String key) {
        InetSocketAddress address = site.required(key, Scalars::address);
        endpoint(site, key, address, true);
        return address;
    }

    /**
     * The client service address. In mode nic it is the guest's, network.address and network.port at both sites:
     * no process of the pair binds it, so it is no listening address of theirs, and a site's {@code service} may
     * only repeat it. Null if refused (reported) or unknown (the mode or the identity was refused).
     */
    private static InetSocketAddress service(YamlSection site, Mode mode, NicIdentity identity) {
        if (mode == Mode.SOCKET) {
            return listening(site, "service");
        }
        InetSocketAddress given = site.optional("service", Scalars::address, null);
        if (mode == null || identity == null) {
            return null;
        }
        InetSocketAddress guest = NetworkConfig.serviceOf(identity);
        if (given != null && !(given.getPort() == guest.getPort() && PortClashes.sameHost(given, guest))) {
            site.problem("service", Scalars.quote(Addresses.format(given)) + " is not the guest's address: in network"
                    + " mode nic the guest itself owns the service address, network.address and network.port ("
                    + Addresses.format(guest) + ") at both sites; leave service out");
            return null;
        }
        return guest;
    }

    /** Two sites on one host need TAPs of their own: Linux has one interface of a name per network namespace. */
    private static void tapsApart(YamlSection sites, List<SiteConfig> both) {
        SiteConfig first = both.get(0);
        SiteConfig second = both.get(1);
        if (first.nic() != null && second.nic() != null && first.nic().tap().equals(second.nic().tap())
                && PortClashes.sameHost(first.channel(), second.channel())) {
            String firstTap = sites.key(first.name() + ".nic.tap");
            sites.report().error(sites.key(second.name() + ".nic.tap"), "the same TAP name as " + firstTap + " (line "
                    + sites.report().lineOf(firstTap) + ", " + Scalars.quote(first.nic().tap()) + ") while both sites"
                    + " are on host " + first.channel().getHostString() + " (their channels): on one host each site"
                    + " needs a TAP of its own");
        }
    }

    static boolean validName(String name) {
        return SITE_NAME.matcher(name).matches();
    }

    /** Records an address that was read (null: it was not) for the port and reachability checks. */
    static void endpoint(YamlSection section, String key, InetSocketAddress address, boolean listens) {
        if (address != null) {
            section.report().endpoint(section.key(key), section.lineOf(key), address, listens);
        }
    }

    private static String engine(String v) {
        if (!v.equals(SiteConfig.COMPILED) && !v.equals(SiteConfig.INTERPRETER)) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is not an engine (compiled or interpreter)");
        }
        return v;
    }
}
