package io.sitepair.replicator.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who a certificate of a pair's PKI says its holder is: a site, the witness, an operator or a monitor
 * of one pair. The pair's CA writes it into every certificate it issues, as a URI subject alternative name
 * ({@code urn:sitepair:<pair>:<kind>:<name>}, what ends check) and as the subject
 * ({@code CN=<name>,OU=<kind>,O=sitepair <pair>}, what people and ZooKeeper's x509 ACLs read).
 */
public record PairPrincipal(String pair, Kind kind, String name) {
    /**
     * What a holder may be, and so what it may do: a site runs the pair; the witness serves the
     * quorum only; an operator reads status and operates (switchover, verify, resync); a monitor
     * only reads status and metrics.
     */
    public enum Kind {
        SITE, WITNESS, OPERATOR, MONITOR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind of(String label) {
            for (Kind kind : values()) {
                if (kind.label().equals(label)) {
                    return kind;
                }
            }
            return null;
        }
    }

    private static final String URN = "urn:sitepair:";
    /** SAN type of a uniformResourceIdentifier (RFC 5280). */
    private static final int URI_SAN = 6;
    /** Pair and holder names: what a configuration key may be, and never a separator of the URN or DN. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public PairPrincipal {
        for (String part : List.of(pair, name)) {
            if (!NAME.matcher(part).matches()) {
                throw new IllegalArgumentException("'" + part + "' cannot name a pair or a certificate's holder"
                        + " (letters, digits, '.', '_' and '-', at most 63)");
            }
        }
    }

    public static PairPrincipal site(String pair, String name) {
        return new PairPrincipal(pair, Kind.SITE, name);
    }

    public static PairPrincipal witness(String pair, String name) {
        return new PairPrincipal(pair, Kind.WITNESS, name);
    }

    public static PairPrincipal operator(String pair, String name) {
        return new PairPrincipal(pair, Kind.OPERATOR, name);
    }

    public static PairPrincipal monitor(String pair, String name) {
        return new PairPrincipal(pair, Kind.MONITOR, name);
    }

    public String uri() {
        return URN + pair + ":" + kind.label() + ":" + name;
    }

    /** The subject's distinguished name, as {@link javax.security.auth.x500.X500Principal#getName()} writes it. */
    public String subject() {
        return "CN=" + name + ",OU=" + kind.label() + ",O=sitepair " + pair;
    }

    /** The principal {@code certificate} names, or null if it names none (it is no pair's certificate). */
    public static PairPrincipal of(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return null;
        }
        if (names == null) {
            return null;
        }
        for (List<?> san : names) {
            if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0)) && san.get(1) instanceof String uri
                    && uri.startsWith(URN)) {
                String[] parts = uri.substring(URN.length()).split(":", -1);
                Kind kind = parts.length == 3 ? Kind.of(parts[1]) : null;
                if (kind != null && NAME.matcher(parts[0]).matches() && NAME.matcher(parts[2]).matches()) {
                    return new PairPrincipal(parts[0], kind, parts[2]);
                }
            }
        }
        return null;
    }

    /** {@code site 'a' of pair 'lab'}: how logs and refusals name it. */
    @Override
    public String toString() {
        return kind.label() + " '" + name + "' of pair '" + pair + "'";
    }
}
