package io.sitepair.ops.config;

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
 */
public record CoordinationConfig(Duration sessionTimeout, List<QuorumMember> members, Path witnessDataDir,
        String goLiveHook) {
    public static final String WITNESS = "witness";
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(2);
    /** ZooKeeper's tick: sessions may last 2 to 20 ticks, and followers must sync within a few. */
    public static final Duration TICK = Duration.ofMillis(200);

    public CoordinationConfig {
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        members = List.copyOf(members);
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
