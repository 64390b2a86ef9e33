package io.sitepair.ops.config;

import io.sitepair.ops.config.CoordinationConfig.EnsembleTls;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.tiebreaker.QuorumMember;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    static CoordinationConfig parse(YamlSection s, List<String> siteNames, Path dir) {
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
        if (s.has("ensemble") == s.has("zookeeper")) {
            throw s.fail("needs exactly one of zookeeper (the embedded quorum: each site and the witness) or"
                    + " ensemble (an external ZooKeeper ensemble)");
        }
        if (s.has("ensemble")) {
            return new CoordinationConfig(session, s.required("ensemble", CoordinationParser::ensemble), null, hook,
                    ensembleTls(s, dir));
        }
        if (s.has("tls")) {
            throw s.error("tls", "applies to an external ensemble only: the embedded peers use the pair's own"
                    + " certificates (the top-level tls: section)");
        }
        List<String> names = new ArrayList<>(siteNames);
        names.add(CoordinationConfig.WITNESS);
        YamlSection zk = s.section("zookeeper", names);
        List<QuorumMember> members = new ArrayList<>();
        Set<String> ports = new HashSet<>();
        Path witnessDir = null;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!zk.has(name)) {
                throw ConfigException.at(zk.file(), zk.line(), zk.key(name), "required key is missing (every site"
                        + " and the witness runs a ZooKeeper peer)");
            }
            boolean witness = name.equals(CoordinationConfig.WITNESS);
            YamlSection m = zk.section(name, witness ? MEMBER_KEYS : MEMBER_KEYS.subList(0, 3));
            InetSocketAddress client = m.required("client", Scalars::address);
            int quorum = m.required("quorum-port", CoordinationParser::port);
            int election = m.required("election-port", CoordinationParser::port);
            for (var key : List.of("client", "quorum-port", "election-port")) {
                int port = key.equals("client") ? client.getPort() : key.equals("quorum-port") ? quorum : election;
                if (!ports.add(client.getHostString() + ":" + port)) {
                    throw m.error(key, client.getHostString() + ":" + port + " is already used by another peer");
                }
            }
            if (witness) {
                witnessDir = m.required("data-dir", v -> dir.resolve(v).normalize());
            }
            members.add(new QuorumMember(i + 1, name, client, quorum, election));
        }
        return new CoordinationConfig(session, members, witnessDir, hook, EnsembleTls.PAIR);
    }

    /**
     * An external ensemble's TLS: absent, the pair's own certificates; {@code none}, plaintext (said
     * in words, as the ensemble may serve no TLS port); else its CA and this pair's client certificate.
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
        return new EnsembleTls.OwnCertificate(new TlsFiles(ca, cert, key));
    }

    private static int port(String v) {
        try {
            int port = Integer.parseInt(v);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(Scalars.quote(v) + " is not a port (1-65535)");
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
