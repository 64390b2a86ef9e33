package io.sitepair.ops.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A site-pair configuration as read by {@link PairConfigParser}: both sites' view of the pair, so the two
 * sites run from identical files. Immutable; paths are absolute.
 *
 * @param file the configuration file, absolute
 * @param pair the pair's name
 * @param secret the shared secret authenticating the two sites (a copy on every access)
 * @param guest a shipped guest name, or the absolute path of a {@code .wasm} module
 * @param diskSizes the guest's disks in bytes, disk 0 first
 * @param initialPrimary the site that starts as primary
 * @param logging logging channel tuning
 * @param sites the two sites, in file order
 * @param coordination the ZooKeeper quorum arbitrating go-live; null: none, so no site ever goes live by itself
 * @param resync how a returning site is resynced: rate limit and manual start
 * @param tls the pair's certificates, or {@link TlsConfig#OFF}
 * @param drills what drills are measured against and where they report; the defaults if the file says nothing
 * @param network how clients reach the guest: {@link NetworkConfig#SOCKET} if the file says nothing
 */
public record PairConfig(Path file, String pair, byte[] secret, String guest, List<Long> diskSizes,
        String initialPrimary, LoggingTuning logging, Map<String, SiteConfig> sites, CoordinationConfig coordination,
        io.sitepair.replicator.resync.ResyncPolicy resync, TlsConfig tls, DrillsConfig drills,
        NetworkConfig network) {

    public PairConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(resync, "resync");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(drills, "drills");
        Objects.requireNonNull(network, "network");
        secret = secret.clone();
        diskSizes = List.copyOf(diskSizes);
        // Map.copyOf would lose the file order that siteNames() promises.
        sites = Collections.unmodifiableMap(new LinkedHashMap<>(sites));
        if (sites.size() != 2 || !sites.containsKey(initialPrimary)) {
            throw new IllegalArgumentException("a pair has exactly two sites, one of them the initial primary");
        }
        for (SiteConfig site : sites.values()) {
            if (!Objects.equals(site.nic() == null ? null : site.nic().identity(), network.identity())) {
                throw new IllegalArgumentException("site " + site.name() + "'s NIC does not match network mode "
                        + network + ": " + site.nic());
            }
        }
    }

    /**
     * A pair made in code rather than read from a file: the default drills and network mode socket, as a file
     * without a drills: or network: section.
     */
    public PairConfig(Path file, String pair, byte[] secret, String guest, List<Long> diskSizes, String initialPrimary,
            LoggingTuning logging, Map<String, SiteConfig> sites, CoordinationConfig coordination,
            io.sitepair.replicator.resync.ResyncPolicy resync, TlsConfig tls) {
        this(file, pair, secret, guest, diskSizes, initialPrimary, logging, sites, coordination, resync, tls,
                DrillsConfig.defaults(sites.values().iterator().next().dataDir()), NetworkConfig.SOCKET);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** The named site; an unknown name is an operator's error that lists the valid names. */
    public SiteConfig site(String name) {
        SiteConfig site = sites.get(name);
        if (site == null) {
            throw new ConfigException(file + ": no site named \"" + name + "\" in pair " + pair + " (sites: "
                    + String.join(", ", sites.keySet()) + ")");
        }
        return site;
    }

    /** The other site of the pair. */
    public SiteConfig peerOf(String name) {
        site(name);
        return sites.values().stream().filter(s -> !s.name().equals(name)).findFirst().orElseThrow();
    }

    /** {@code file} as this configuration would name it: relative to its directory when inside it. */
    public String nameOf(Path other) {
        Path dir = file.getParent();
        return other.startsWith(dir) ? dir.relativize(other).toString() : other.toString();
    }

    /** Site names in file order. */
    public List<String> siteNames() {
        return List.copyOf(sites.keySet());
    }

    // Records compare arrays by identity; a config read twice from one file should be equal.
    @Override
    public boolean equals(Object o) {
        return o instanceof PairConfig p && file.equals(p.file) && pair.equals(p.pair) && Arrays.equals(secret, p.secret)
                && guest.equals(p.guest) && diskSizes.equals(p.diskSizes) && initialPrimary.equals(p.initialPrimary)
                && logging.equals(p.logging) && sites.equals(p.sites) && Objects.equals(coordination, p.coordination)
                && resync.equals(p.resync) && tls.equals(p.tls) && drills.equals(p.drills) && network.equals(p.network);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, pair, Arrays.hashCode(secret), guest, diskSizes, initialPrimary, logging, sites,
                coordination, resync, tls, drills, network);
    }

    /** Never prints the secret: configs end up in logs. */
    @Override
    public String toString() {
        return "PairConfig[file=" + file + ", pair=" + pair + ", secret=(" + secret.length + " bytes), guest=" + guest
                + ", diskSizes=" + diskSizes + ", initialPrimary=" + initialPrimary + ", logging=" + logging
                + ", sites=" + sites + ", coordination=" + coordination + ", resync=" + resync + ", tls=" + tls
                + ", drills=" + drills + ", network=" + network + "]";
    }
}
