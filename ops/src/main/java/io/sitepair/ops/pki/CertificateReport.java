package io.sitepair.ops.pki;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsHolder;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TlsException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code sitepair cert show} prints: the CA(s) in the CA file and each configured holder's
 * certificate, one row each, then a WARNING line for each one that expires within
 * {@link CertificateExpiry#WARN_AHEAD}, has expired, is missing, is not issued by a CA in the CA file, or names
 * another holder. The last four make a certificate unusable now.
 */
public final class CertificateReport {
    private static final List<String> HEADER = List.of("HOLDER", "SUBJECT", "SERIAL", "EXPIRES", "DAYS LEFT");

    private final PairConfig config;
    private final Instant now;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private boolean unusable;

    private CertificateReport(PairConfig config, Instant now) {
        this.config = config;
        this.now = now;
    }

    /** Reads the CA file and every holder's certificate the configuration names (never a key). */
    public static CertificateReport of(PairConfig config, Instant now) {
        PairCa.requireTls(config);
        CertificateReport report = new CertificateReport(config, now);
        report.read();
        return report;
    }

    private void read() {
        Path caFile = config.tls().ca();
        List<X509Certificate> cas = List.of();
        try {
            cas = PemFiles.readCertificates(caFile);
        } catch (TlsException e) {
            problem("ca: " + e.getMessage());
        }
        for (int i = 0; i < cas.size(); i++) {
            String label = i == 0 ? "ca" : "ca (old)";
            add(label, cas.get(i), "`sitepair cert rotate --ca`");
        }
        for (TlsHolder holder : TlsHolder.of(config)) {
            Path file = holder.files().certificate();
            X509Certificate certificate;
            try {
                certificate = PemFiles.readCertificates(file).getFirst();
            } catch (TlsException e) {
                problem(holder.key() + ": " + e.getMessage());
                rows.add(List.of(holder.key(), "-", "-", "-", "-"));
                continue;
            }
            add(holder.key(), certificate, "`sitepair cert rotate`");
            if (!cas.isEmpty() && cas.stream().noneMatch(ca -> PairAuthority.signed(ca, certificate))) {
                problem(holder.key() + ": " + config.nameOf(file) + " is not issued by a CA in "
                        + config.nameOf(caFile) + "; its issuer is " + certificate.getIssuerX500Principal().getName());
            }
            PairPrincipal named = PairPrincipal.of(certificate);
            if (!holder.principal().equals(named)) {
                problem(holder.key() + ": " + config.nameOf(file) + " names " + (named == null ? "no holder of a pair"
                        : named) + ", not " + holder.principal());
            }
        }
    }

    private void add(String label, X509Certificate certificate, String renew) {
        CertificateExpiry expiry = CertificateExpiry.of(certificate, now);
        rows.add(List.of(label, certificate.getSubjectX500Principal().getName(),
                certificate.getSerialNumber().toString(16), expiry.date().toString(),
                expiry.expired() ? "expired" : expiry.daysLeft() + ""));
        if (expiry.expired()) {
            problem(label + ": expired on " + expiry.date() + "; renew with " + renew);
        } else if (expiry.soon()) {
            warnings.add(label + ": expires in " + expiry.daysLeft() + " day(s), on " + expiry.date() + "; renew with "
                    + renew);
        }
    }

    private void problem(String warning) {
        warnings.add(warning);
        unusable = true;
    }

    /** Whether a certificate is missing, expired, of another CA or of another holder. */
    public boolean unusable() {
        return unusable;
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The table, then one {@code WARNING:} line per warning. */
    public void print(PrintWriter out) {
        int[] widths = new int[HEADER.size()];
        List<List<String>> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.addAll(rows);
        for (List<String> line : lines) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        out.println("pair " + config.pair() + ", CA file " + config.nameOf(config.tls().ca()));
        for (List<String> line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                String cell = line.get(i);
                text.append(i == widths.length - 1 ? cell : cell + " ".repeat(widths[i] - cell.length() + 2));
            }
            out.println(text.toString().stripTrailing());
        }
        for (String warning : warnings) {
            out.println("WARNING: " + warning);
        }
    }
}
