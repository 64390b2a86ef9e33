package io.sitepair.ops.config;

import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.tiebreaker.QuorumMember;
import io.sitepair.tiebreaker.QuorumPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The ZooKeeper quorum that arbitrates go-live: either embedded peers (one in each site's
 * {@code sitepair up}, the third in {@code sitepair witness}) or an external ensemble.
 *
 * @param sessionTimeout the ZooKeeper session timeout of the sites' clients
 * @param members the ensemble: the embedded peers (sites first, then the witness), or the members of an
 *        external ensemble (named by their address, no peer ports)
 * @param witnessDataDir the witness's data directory, absolute; null for an external ensemble
 * @param goLiveHook a shell command run when a backup has gone live (moving a virtual IP, updating
 *        DNS); null: none
 * @param tls how clients speak to the quorum: {@link EnsembleTls#PAIR} for the embedded peers
 */
public record CoordinationConfig(Duration sessionTimeout, List<QuorumMember> members, Path witnessDataDir,
        String goLiveHook, EnsembleTls tls) {
    /**
     * The TLS of the link to the quorum: the pair's own certificates (each holder its own; the
     * embedded peers always, an external ensemble unless told otherwise), an external ensemble's own
     * CA and client certificate, or plaintext because the configuration says {@code tls: none}.
     */
    public sealed interface EnsembleTls {
        EnsembleTls PAIR = new PairCertificates();
        EnsembleTls NONE = new Plaintext();

        record PairCertificates() implements EnsembleTls {}

        /** The ensemble's CA and the one client certificate this pair's sites and commands present to it. */
        record OwnCertificate(TlsFiles files) implements EnsembleTls {}

        record Plaintext() implements EnsembleTls {}
    }

    public static final String WITNESS = "witness";
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(2);
    /** ZooKeeper's tick: sessions may last 2 to 20 ticks, and followers must sync within a few. */
    public static final Duration TICK = Duration.ofMillis(200);

    public CoordinationConfig {
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        members = List.copyOf(members);
        Objects.requireNonNull(tls, "tls");
        if (witnessDataDir != null && !tls.equals(EnsembleTls.PAIR)) {
            throw new IllegalArgumentException("the embedded peers use the pair's certificates, not " + tls);
        }
    }

    /**
     * Whether the link to the quorum is encrypted, given the pair's {@code tls:} section: not when the
     * configuration says {@code tls: none} for an external ensemble, nor when the pair's TLS is off.
     */
    public boolean encrypted(TlsConfig pairTls) {
        return switch (tls) {
            case EnsembleTls.PairCertificates p -> pairTls.on();
            case EnsembleTls.OwnCertificate o -> true;
            case EnsembleTls.Plaintext p -> false;
        };
    }

    /** Whether the sites and the witness run the peers themselves (else the ensemble is external). */
    public boolean embedded() {
        return witnessDataDir != null;
    }

    /** What clients connect to. */
    public String connectString() {
        return QuorumPeer.connectString(members);
    }

    /** The embedded peer that {@code name} (a site or the witness) runs. */
    public QuorumMember member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow(
                () -> new ConfigException("no embedded ZooKeeper peer for '" + name + "' (members: " + members + ")"));
    }
}
