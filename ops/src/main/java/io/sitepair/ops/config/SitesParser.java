package io.sitepair.ops.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/** The {@code sites} section: exactly two sites, no address used twice, a data directory each. */
final class SitesParser {
    static final List<String> SITE_KEYS = List.of("channel", "peer-channel", "service", "admin", "data-dir", "engine");
    private static final List<String> ADDRESS_KEYS = List.of("channel", "service", "admin");
    private static final Pattern SITE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");

    /** Where an address or directory was first seen, to name it when it is seen again. */
    private record Seen(Object value, String keyPath, int line) {}

    private SitesParser() {}

    static Map<String, SiteConfig> parse(YamlSection sites, Path dir) {
        if (sites.keys().size() != 2) {
            throw sites.fail("a pair has exactly two sites, found " + sites.keys().size()
                    + (sites.keys().isEmpty() ? "" : " (" + String.join(", ", sites.keys()) + ")"));
        }
        Map<String, SiteConfig> result = new LinkedHashMap<>();
        // Both sites may run on one machine (a lab), so any repeated address would be a bind conflict.
        List<Seen> addresses = new ArrayList<>();
        List<Seen> dataDirs = new ArrayList<>();
        for (String name : sites.keys()) {
            if (!SITE_NAME.matcher(name).matches()) {
                throw ConfigException.at(sites.file(), sites.lineOf(name), sites.key(name),
                        "a site name is a lower-case letter followed by up to 30 lower-case letters, digits or '-'");
            }
            YamlSection site = sites.section(name, SITE_KEYS);
            InetSocketAddress[] at = new InetSocketAddress[ADDRESS_KEYS.size()];
            for (int i = 0; i < at.length; i++) {
                String key = ADDRESS_KEYS.get(i);
                at[i] = site.required(key, Scalars::address);
                distinct(site, key, at[i], addresses, "address");
            }
            Path dataDir = site.required("data-dir", v -> dir.resolve(v).normalize());
            distinct(site, "data-dir", dataDir, dataDirs, "data directory");
            String engine = site.optional("engine", SitesParser::engine, SiteConfig.COMPILED);
            InetSocketAddress peerChannel = site.optional("peer-channel", Scalars::address, null);
            result.put(name, new SiteConfig(name, at[0], at[1], at[2], dataDir, engine, peerChannel));
        }
        return result;
    }

    private static void distinct(YamlSection site, String key, Object value, List<Seen> seen, String what) {
        for (Seen s : seen) {
            if (same(s.value(), value)) {
                throw site.error(key, "the same " + what + " as " + s.keyPath() + " (line " + s.line() + ")");
            }
        }
        seen.add(new Seen(value, site.key(key), site.lineOf(key)));
    }

    /** Resolved addresses compare by IP (localhost is 127.0.0.1); unresolved ones by host name. */
    private static boolean same(Object a, Object b) {
        if (a instanceof InetSocketAddress x && b instanceof InetSocketAddress y) {
            return x.getPort() == y.getPort() && (x.isUnresolved() || y.isUnresolved()
                    ? x.getHostString().equalsIgnoreCase(y.getHostString())
                    : x.getAddress().equals(y.getAddress()));
        }
        return Objects.equals(a, b);
    }

    private static String engine(String v) {
        if (!v.equals(SiteConfig.COMPILED) && !v.equals(SiteConfig.INTERPRETER)) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is not an engine (compiled or interpreter)");
        }
        return v;
    }
}
