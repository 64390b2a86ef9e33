package io.sitepair.ops.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code sites} section: exactly two sites, a data directory each. Their addresses go to the report,
 * where {@link PortClashes} checks them together with the quorum's.
 */
final class SitesParser {
    static final List<String> SITE_KEYS = List.of("channel", "peer-channel", "service", "admin", "data-dir", "engine");
    private static final List<String> ADDRESS_KEYS = List.of("channel", "service", "admin");
    private static final Pattern SITE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    static final String SITE_NAME_RULE = "a site name is a lower-case letter followed by up to 30 lower-case letters,"
            + " digits or '-'";

    private SitesParser() {}

    /**
     * The sites that read without a problem; null if the section is not two validly named sites (reported),
     * so that nothing is said about which site is meant elsewhere.
     */
    static Map<String, SiteConfig> parse(YamlSection sites, Path dir) {
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
            InetSocketAddress[] at = new InetSocketAddress[ADDRESS_KEYS.size()];
            for (int i = 0; i < at.length; i++) {
                at[i] = site.required(ADDRESS_KEYS.get(i), Scalars::address);
                endpoint(site, ADDRESS_KEYS.get(i), at[i], true);
            }
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
            if (at[0] != null && at[1] != null && at[2] != null && dataDir != null && engine != null) {
                result.put(name, new SiteConfig(name, at[0], at[1], at[2], dataDir, engine, peerChannel));
            }
        }
        return named ? result : null;
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
