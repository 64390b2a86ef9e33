package io.sitepair.ops.pki;

import io.sitepair.ops.config.ConfigReport;
import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.TlsConfig;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TlsException;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.replicator.tls.TlsIdentity;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * {@code sitepair validate}'s check of the certificate files the {@code tls} section names: each holder's
 * files pass what its process checks when it loads them ({@link TlsIdentity}: present and readable, the key
 * owner-only and matching the certificate, issued by the pair's CA, valid now), its certificate names that
 * holder, and none expires within {@link CertificateExpiry#WARN_AHEAD} (a warning). Run where every file
 * is, as on the machine {@code init} ran on.
 */
public final class CertificateFilesCheck {
    private CertificateFilesCheck() {}

    public static void run(ConfigReport report, Instant now) {
        Map<String, TlsFiles> holders = report.certificates();
        if (report.pair() == null || holders.isEmpty()) {
            return; // no valid pair name to check the certificates against, or no files named
        }
        Path caFile = holders.values().iterator().next().ca();
        List<X509Certificate> authorities;
        try {
            authorities = PemFiles.readCertificates(caFile);
        } catch (TlsException e) {
            report.error("tls.ca", e.getMessage()); // every holder would fail on it: said once
            return;
        }
        warnIfExpiring(report, "tls.ca", authorities.getFirst(), now, "`sitepair cert rotate --ca`");
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        for (var holder : holders.entrySet()) {
            String name = holder.getKey();
            TlsFiles files = holder.getValue();
            try {
                TlsIdentity identity = TlsIdentity.load(report.pair(), files, clock);
                PairPrincipal named = identity.principal();
                if (!holds(name, named, report.pair())) {
                    report.error("tls." + name + ".cert", files.certificate() + " names " + named + ", not "
                            + describe(name) + " (`sitepair cert rotate` issues each holder its own)");
                }
                warnIfExpiring(report, "tls." + name + ".cert", identity.certificate(), now, "`sitepair cert rotate`");
            } catch (TlsException e) {
                report.error(keyOf(name, files, e.getMessage()), e.getMessage());
            }
        }
    }

    private static void warnIfExpiring(ConfigReport report, String key, X509Certificate certificate, Instant now,
            String renew) {
        CertificateExpiry expiry = CertificateExpiry.of(certificate, now);
        if (expiry.soon() && !expiry.expired()) {
            report.warning(key, "expires in " + expiry.daysLeft() + " day(s), on " + expiry.date() + "; renew with "
                    + renew);
        }
    }

    /** Whether the certificate of {@code holder} (a site, the witness, the operator) names it. */
    private static boolean holds(String holder, PairPrincipal named, String pair) {
        return switch (holder) {
            case CoordinationConfig.WITNESS -> named.equals(PairPrincipal.witness(pair, holder));
            case TlsConfig.OPERATOR -> named.kind() == PairPrincipal.Kind.OPERATOR
                    || named.kind() == PairPrincipal.Kind.MONITOR;
            default -> named.equals(PairPrincipal.site(pair, holder));
        };
    }

    private static String describe(String holder) {
        return switch (holder) {
            case CoordinationConfig.WITNESS -> "the witness";
            case TlsConfig.OPERATOR -> "an operator or monitor";
            default -> "site " + holder;
        };
    }

    /**
     * The key naming the file a refusal is about: the one its message names first (they begin with it; of
     * two names there, such as a.crt and a.crt.key, the longer).
     */
    private static String keyOf(String holder, TlsFiles files, String message) {
        String key = "tls." + holder;
        int first = Integer.MAX_VALUE;
        int length = 0;
        for (var candidate : Map.of("tls.ca", files.ca(), key + ".cert", files.certificate(), key + ".key", files.key())
                .entrySet()) {
            String file = candidate.getValue().toString();
            int at = message.indexOf(file);
            if (at >= 0 && (at < first || (at == first && file.length() > length))) {
                first = at;
                length = file.length();
                key = candidate.getKey();
            }
        }
        return key;
    }
}
