package io.sitepair.ops.config;

import io.sitepair.ops.config.CoordinationConfig.EnsembleTls;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.tiebreaker.QuorumMember;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The optional {@code coordination} section. Absent, the pair has no tiebreaker and no site ever
 * goes live on its own; present, it names either the embedded quorum ({@code zookeeper}: one peer
 * per site plus the witness) or an external {@code ensemble}.
 */
final class CoordinationParser {
    static final List<String> KEYS = List.of("session-timeout", "zookeeper", "ensemble", "go-live-hook", "tls");
    static final List<String> ENSEMBLE_TLS_KEYS = List.of("ca", "cert", "key");
    static final String NO_TLS = "none";
    static final List<String> MEMBER_KEYS = List.of("client", "quorum-port", "election-port", "data-dir");

    private CoordinationParser() {}

    /** The section, or null if it has a problem (reported). */
    static CoordinationConfig parse(YamlSection s, List<String> siteNames, Path dir) {
        if (s.broken()) {
            return null;
        }
        Duration session = s.optional("session-timeout", v -> {
            Duration d = Units.duration(v);
            Duration min = CoordinationConfig.TICK.multipliedBy(2);
            Duration max = CoordinationConfig.TICK.multipliedBy(20);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(Scalars.quote(v) + " is outside ZooKeeper's session bounds of "
                        + Units.formatDuration(min) + " to " + Units.formatDuration(max));
            }
            return d;
        }, CoordinationConfig.DEFAULT_SESSION_TIMEOUT);
        String hook = s.optional("go-live-hook", v -> {
            if (v.isBlank()) {
                throw new IllegalArgumentException("an empty command; leave the key out for no hook");
            }
            return v;
        }, null);
        boolean hookRefused = s.has("go-live-hook") && hook == null;
        if (s.has("ensemble") == s.has("zookeeper")) {
            s.problem("needs exactly one of zookeeper (the embedded quorum: each site and the witness) or"
                    + " ensemble (an external ZooKeeper ensemble)");
            return null;
        }
        if (s.has("ensemble")) {
            List<QuorumMember> members = s.required("ensemble", CoordinationParser::ensemble);
            if (members != null) {
                members.forEach(m -> s.report().endpoint(s.key("ensemble"), s.lineOf("ensemble"), m.client(), false));
            }
            EnsembleTls tls = ensembleTls(s, dir);
            return members == null || tls == null || session == null || hookRefused ? null
                    : new CoordinationConfig(session, members, null, hook, tls);
        }
        if (s.has("tls")) {
            s.problem("tls", "applies to an external ensemble only: the embedded peers use the pair's own"
                    + " certificates (the top-level tls: section)");
        }
        List<String> names = new ArrayList<>(siteNames);
        names.add(CoordinationConfig.WITNESS);
        YamlSection zk = s.section("zookeeper", names);
        if (zk.broken()) {
            return null;
        }
        List<QuorumMember> members = new ArrayList<>();
        Path witnessDir = null;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!zk.has(name)) {
                zk.problem(name, "required key is missing (every site and the witness runs a ZooKeeper peer)");
                continue;
            }
            boolean witness = name.equals(CoordinationConfig.WITNESS);
            YamlSection peer = zk.section(name, witness ? MEMBER_KEYS : MEMBER_KEYS.subList(0, 3));
            QuorumMember member = member(peer, i + 1, name);
            if (witness) {
                witnessDir = peer.required("data-dir", v -> dir.resolve(v).normalize());
            }
            if (member != null) {
                members.add(member);
            }
        }
        boolean complete = members.size() == names.size() && witnessDir != null && !s.has("tls");
        return complete && session != null && !hookRefused
                ? new CoordinationConfig(session, members, witnessDir, hook, EnsembleTls.PAIR) : null;
    }

    /** One embedded peer; its three ports listen on its client address's host. */
    private static QuorumMember member(YamlSection m, int id, String name) {
        InetSocketAddress client = m.required("client", Scalars::address);
        Integer quorum = m.required("quorum-port", Scalars::port);
        Integer election = m.required("election-port", Scalars::port);
        SitesParser.endpoint(m, "client", client, true);
        if (client == null || quorum == null || election == null) {
            return null;
        }
        SitesParser.endpoint(m, "quorum-port", sameHost(client, quorum), true);
        SitesParser.endpoint(m, "election-port", sameHost(client, election), true);
        return new QuorumMember(id, name, client, quorum, election);
    }

    private static InetSocketAddress sameHost(InetSocketAddress address, int port) {
        return address.isUnresolved() ? InetSocketAddress.createUnresolved(address.getHostString(), port)
                : new InetSocketAddress(address.getAddress(), port);
    }

    /**
     * An external ensemble's TLS: absent, the pair's own certificates; {@code none}, plaintext (said
     * in words, as the ensemble may serve no TLS port); else its CA and this pair's client certificate;
     * null if refused (reported).
     */
    private static EnsembleTls ensembleTls(YamlSection s, Path dir) {
        if (!s.has("tls")) {
            return EnsembleTls.PAIR;
        }
        if (s.isScalar("tls")) {
            return s.required("tls", v -> {
                if (!v.equals(NO_TLS)) {
                    throw new IllegalArgumentException(Scalars.quote(v) + " is not a TLS setting: give {ca: FILE,"
                            + " cert: FILE, key: FILE} for the ensemble's CA and client certificate, or none for"
                            + " plaintext; leave the key out to use the pair's own certificates");
                }
                return EnsembleTls.NONE;
            });
        }
        YamlSection tls = s.section("tls", ENSEMBLE_TLS_KEYS);
        Path ca = tls.required("ca", v -> dir.resolve(v).normalize());
        Path cert = tls.required("cert", v -> dir.resolve(v).normalize());
        Path key = tls.required("key", v -> dir.resolve(v).normalize());
        return ca == null || cert == null || key == null ? null
                : new EnsembleTls.OwnCertificate(new TlsFiles(ca, cert, key));
    }

    /** External members have no peer ports here: their own configuration holds those. */
    private static List<QuorumMember> ensemble(String v) {
        List<QuorumMember> members = new ArrayList<>();
        for (String part : v.split(",")) {
            InetSocketAddress a = Scalars.address(part.trim());
            members.add(new QuorumMember(members.size() + 1, a.getHostString() + ":" + a.getPort(), a, 0, 0));
        }
        if (members.size() < 3 || members.size() % 2 == 0) {
            throw new IllegalArgumentException("an ensemble of " + members.size() + " cannot outvote a partition;"
                    + " give an odd number of at least 3 HOST:PORT members, separated by commas");
        }
        return members;
    }
}
