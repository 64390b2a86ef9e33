package io.sitepair.ops.site;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.pki.CertificateExpiry;
import io.sitepair.replicator.status.LinkSecurity;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Says how a pair's links are protected, from its configuration and the certificates its sites presented. */
public final class LinkSecurityReport {
    private LinkSecurityReport() {}

    /** After {@code admin} asked each site's status: what {@code sitepair status} reports of the links. */
    public static LinkSecurity of(PairConfig pair, AdminClient admin, Instant now) {
        List<String> warnings = new ArrayList<>();
        String links;
        if (pair.tls().on()) {
            links = "TLS 1.3, mutually authenticated with certificates of the CA of pair '" + pair.pair() + "': logging"
                    + " channel and admin API";
        } else {
            links = "NOT ENCRYPTED: " + pair.file() + " says tls: {mode: off} (a lab on loopback only)";
            warnings.add("the sites' links are not encrypted (tls: {mode: off})");
        }
        String coordination = null;
        if (pair.coordination() != null) {
            if (pair.coordination().encrypted(pair.tls())) {
                coordination = "TLS 1.3 to the ZooKeeper quorum";
            } else {
                coordination = "NOT ENCRYPTED: the link to the ZooKeeper quorum";
                warnings.add("the link to the ZooKeeper quorum is not encrypted");
            }
        }
        Map<String, String> certificates = new LinkedHashMap<>();
        for (String site : pair.siteNames()) {
            admin.presented(site).ifPresent(certificate -> {
                certificates.put(site, describe(certificate, now));
                expiring("site " + site + "'s certificate", certificate, now, warnings);
            });
        }
        if (admin.identity() != null) {
            expiring("this command's certificate (" + admin.identity().principal() + ")",
                    admin.identity().certificate(), now, warnings);
        }
        return new LinkSecurity(links, coordination, certificates, warnings);
    }

    private static String describe(X509Certificate certificate, Instant now) {
        CertificateExpiry expiry = CertificateExpiry.of(certificate, now);
        return "serial " + certificate.getSerialNumber().toString(16) + ", expires " + expiry.date() + " ("
                + expiry.daysLeft() + " days)";
    }

    private static void expiring(String what, X509Certificate certificate, Instant now, List<String> warnings) {
        CertificateExpiry expiry = CertificateExpiry.of(certificate, now);
        if (expiry.soon()) {
            warnings.add(what + " expires on " + expiry.date() + " (in " + expiry.daysLeft()
                    + " days): run `sitepair cert rotate`");
        }
    }
}
