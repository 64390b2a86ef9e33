package io.sitepair.ops.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optional {@code drills} section: the objectives a drill is measured against, its check of the recovered
 * service, where its reports go, and each site's isolated address for a test drill's clone. Its addresses go
 * to the report, where {@link PortClashes} checks them with the pair's others.
 */
final class DrillsParser {
    static final List<String> KEYS = List.of("rto", "rpo", "check", "reports", "test-service", "return-within");
    private static final String RPO_IS_ZERO = ": sitepair's recovery point is zero, and only zero: the backup holds every log"
            + " entry before the output it produced leaves the primary (the Output Rule), so a failover loses nothing"
            + " that anyone outside saw; a larger RPO is not a weaker promise sitepair can make. Write rpo: 0, or"
            + " leave the key out";

    private DrillsParser() {}

    /**
     * The section, defaults for what it leaves out; null if it has a problem (reported) or the sites do.
     *
     * @param sites the sites that read without a problem, null if the sites section itself was refused
     * @param siteNames the sites in file order
     */
    static DrillsConfig parse(YamlSection s, Map<String, SiteConfig> sites, List<String> siteNames, Path dir) {
        if (s.broken()) {
            return null;
        }
        Duration rto = s.optional("rto", PairConfigParser::positive, DrillsConfig.DEFAULT_RTO);
        Duration rpo = s.optional("rpo", DrillsParser::rpo, Duration.ZERO);
        String check = s.optional("check", v -> {
            if (v.isBlank()) {
                throw new IllegalArgumentException("an empty command; leave the key out for no check");
            }
            return v;
        }, null);
        if (check != null) {
            s.report().drillCheck(check);
        }
        Path reports = s.optional("reports", v -> dir.resolve(v).normalize(), null);
        Map<String, InetSocketAddress> testService = testService(s, sites == null ? null : siteNames);
        Duration returnWithin = s.optional("return-within", PairConfigParser::positive,
                DrillsConfig.DEFAULT_RETURN_WITHIN);
        SiteConfig first = sites == null ? null : sites.get(siteNames.getFirst());
        boolean refused = rto == null || rpo == null || (s.has("check") && check == null)
                || (s.has("reports") && reports == null) || testService == null || returnWithin == null;
        if (refused || first == null) {
            return null;
        }
        Path reportsDir = reports != null ? reports : first.dataDir().resolve(DrillsConfig.REPORTS_UNDER_DATA_DIR);
        return new DrillsConfig(rto, check, reportsDir, testService, returnWithin);
    }

    /** Only zero, however it is written as a duration. */
    private static Duration rpo(String v) {
        Duration rpo;
        try {
            rpo = Units.duration(v);
        } catch (IllegalArgumentException notADuration) {
            rpo = null;
        }
        if (rpo == null || !rpo.isZero()) {
            throw new IllegalArgumentException(Scalars.quote(v) + RPO_IS_ZERO);
        }
        return rpo;
    }

    /**
     * Each site's test-service address; empty if the file gives none, null if one is refused (reported).
     *
     * @param siteNames the pair's sites; null if they are unknown (the sites section was refused), and then
     *        the addresses are read but not who they belong to
     */
    private static Map<String, InetSocketAddress> testService(YamlSection s, List<String> siteNames) {
        if (!s.has("test-service")) {
            return Map.of();
        }
        YamlSection section = s.optionalSection("test-service", siteNames);
        if (section.broken()) {
            return null;
        }
        Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (String site : siteNames == null ? section.keys() : siteNames) {
            InetSocketAddress address = section.required(site, Scalars::address);
            SitesParser.endpoint(section, site, address, true);
            if (address != null) {
                addresses.put(site, address);
            }
        }
        return siteNames != null && addresses.size() == siteNames.size() ? addresses : null;
    }
}
