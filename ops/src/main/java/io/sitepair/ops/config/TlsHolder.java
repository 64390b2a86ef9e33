package io.sitepair.ops.config;

import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TlsException;
import io.sitepair.replicator.tls.TlsFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A holder of a certificate that the {@code tls} section names (a site, the witness, the operator):
 * who its certificate says it is, the host names and addresses it carries, and where its files are.
 *
 * @param key its key in the {@code tls} section: a site's name, {@code witness} or {@code operator}
 * @param hosts the hosts of every address the configuration gives it, then loopback (a lab's
 *        ZooKeeper clients dial {@code 127.0.0.1} and check host names)
 */
public record TlsHolder(String key, PairPrincipal principal, List<String> hosts, TlsFiles files) {
    public static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1");
    /** The operator certificate {@code init} writes. */
    public static final String OPERATOR_NAME = "operator";
    /** The CA's key, beside the configuration in the lab layout; it stays where {@code init} ran. */
    public static final String CA_KEY = LabConfig.TLS_DIR + "/ca.key";

    public TlsHolder {
        hosts = List.copyOf(hosts);
    }

    /**
     * The holders {@code config} names: the sites in file order, then the witness and the operator if
     * present. The operator keeps the name and kind (operator or monitor) of its current certificate,
     * if there is a readable one, so a rotation re-issues the same identity.
     */
    public static List<TlsHolder> of(PairConfig config) {
        TlsConfig tls = config.tls();
        List<TlsHolder> holders = new ArrayList<>();
        for (String site : config.siteNames()) {
            SiteConfig s = config.site(site);
            holders.add(new TlsHolder(site, PairPrincipal.site(config.pair(), site),
                    hosts(config, site, s.channel(), s.service(), s.admin()), tls.files(site)));
        }
        String witness = CoordinationConfig.WITNESS;
        if (tls.has(witness)) {
            holders.add(new TlsHolder(witness, PairPrincipal.witness(config.pair(), witness), hosts(config, witness),
                    tls.files(witness)));
        }
        if (tls.has(TlsConfig.OPERATOR)) {
            TlsFiles files = tls.files(TlsConfig.OPERATOR);
            holders.add(new TlsHolder(TlsConfig.OPERATOR, currentOperator(config.pair(), files), LOOPBACK, files));
        }
        return holders;
    }

    /**
     * A new CA for the pair (its key at {@link #defaultCaKey}) and a certificate for every holder the
     * configuration names; every file must be new: a CA's key, and a holder's, are never overwritten.
     */
    public static void createPki(PairConfig config, Instant now) throws IOException {
        List<Path> files = new ArrayList<>(List.of(config.tls().ca(), defaultCaKey(config)));
        of(config).forEach(holder -> files.addAll(List.of(holder.files().certificate(), holder.files().key())));
        for (Path file : files) {
            if (Files.exists(file)) {
                throw new ConfigException(file + " already exists; not overwriting it (`sitepair cert rotate`"
                        + " replaces the certificates of a pair that has them)");
            }
        }
        PairAuthority ca = PairAuthority.create(config.pair(), now, PairAuthority.CA_VALIDITY);
        ca.write(config.tls().ca(), defaultCaKey(config));
        for (TlsHolder holder : of(config)) {
            holder.issueFrom(ca, now);
        }
    }

    /** The CA key's place when none is named: {@code tls/ca.key} beside the configuration file. */
    public static Path defaultCaKey(PairConfig config) {
        return config.file().resolveSibling(CA_KEY);
    }

    /** A new certificate and key from {@code ca}, written whole over the holder's files (key first). */
    public PairAuthority.Issued issueFrom(PairAuthority ca, Instant now) throws IOException {
        PairAuthority.Issued issued = ca.issue(principal, hosts, now, PairAuthority.CERTIFICATE_VALIDITY);
        issued.write(files.certificate(), files.key());
        return issued;
    }

    /** Which machine holds this holder's key: {@code site a's machine}. */
    public String machine() {
        return switch (key) {
            case CoordinationConfig.WITNESS -> "the witness's machine";
            case TlsConfig.OPERATOR -> "the operator's machine";
            default -> "site " + key + "'s machine";
        };
    }

    private static List<String> hosts(PairConfig config, String holder, InetSocketAddress... addresses) {
        Set<String> hosts = new LinkedHashSet<>();
        for (InetSocketAddress a : addresses) {
            hosts.add(a.getHostString());
        }
        CoordinationConfig coordination = config.coordination();
        if (coordination != null && coordination.embedded()) {
            hosts.add(coordination.member(holder).client().getHostString());
        }
        hosts.addAll(LOOPBACK);
        return List.copyOf(hosts);
    }

    private static PairPrincipal currentOperator(String pair, TlsFiles files) {
        if (Files.isRegularFile(files.certificate())) {
            try {
                PairPrincipal current = PairPrincipal.of(PemFiles.readCertificates(files.certificate()).getFirst());
                if (current != null && current.pair().equals(pair) && (current.kind() == PairPrincipal.Kind.OPERATOR
                        || current.kind() == PairPrincipal.Kind.MONITOR)) {
                    return current;
                }
            } catch (TlsException unreadable) {
                // replaced by the default operator's certificate
            }
        }
        return PairPrincipal.operator(pair, OPERATOR_NAME);
    }
}
