package io.sitepair.ops.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code drills} section: what a disaster-recovery drill is measured against and where it reports.
 * There is no RPO here: sitepair's is always zero (the Output Rule), and the file may only say so.
 *
 * @param rto the recovery time objective a drill's measured recovery is held to
 * @param check a shell command line checking the recovered service (exit 0: healthy), run with
 *        {@code /bin/sh -c} in the configuration file's directory, where a relative program path was
 *        checked ({@link CheckProgram}); null: no check
 * @param reports the directory drills write their reports under, absolute
 * @param testService each site's address for a test drill's clone, isolated from the service address, in
 *        file order; empty when the file gives none, and then there is no test drill
 * @param returnWithin how long a failover drill waits for the failed site to return; later, its
 *        re-protection is not measured
 */
public record DrillsConfig(Duration rto, String check, Path reports, Map<String, InetSocketAddress> testService,
        Duration returnWithin) {
    public static final Duration DEFAULT_RTO = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RETURN_WITHIN = Duration.ofSeconds(60);
    /** Where reports go, under the first site's data directory, unless the file says otherwise. */
    static final String REPORTS_UNDER_DATA_DIR = "drills";

    public DrillsConfig {
        Objects.requireNonNull(rto, "rto");
        Objects.requireNonNull(reports, "reports");
        Objects.requireNonNull(returnWithin, "returnWithin");
        testService = Collections.unmodifiableMap(new LinkedHashMap<>(testService));
    }

    /** What a file without a {@code drills} section reads as, its first site keeping its data in {@code dataDir}. */
    static DrillsConfig defaults(Path dataDir) {
        return new DrillsConfig(DEFAULT_RTO, null, dataDir.resolve(REPORTS_UNDER_DATA_DIR), Map.of(),
                DEFAULT_RETURN_WITHIN);
    }

    /** Where a test drill's clone at {@code site} serves; refused, naming the key, if the file gives none. */
    public InetSocketAddress testServiceOf(String site) {
        InetSocketAddress address = testService.get(site);
        if (address == null) {
            throw new ConfigException("no drills.test-service address for site " + site + ": a test drill serves its"
                    + " clone there, isolated from the service address; add `test-service: {NAME: HOST:PORT}` for"
                    + " each site to the drills: section (docs/config.md)");
        }
        return address;
    }
}
