package io.sitepair.ops.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * When a certificate expires, seen at {@code now}: what {@code cert show} lists and {@code status}
 * reports, with the one rule for when to warn ({@link #WARN_AHEAD} before).
 *
 * @param date the day it expires (UTC)
 * @param daysLeft whole days from now to its expiry (negative once expired)
 * @param expired whether it has expired
 * @param soon whether it expires within {@link #WARN_AHEAD}, or has expired
 */
public record CertificateExpiry(LocalDate date, long daysLeft, boolean expired, boolean soon) {
    public static final Duration WARN_AHEAD = Duration.ofDays(30);

    public static CertificateExpiry of(X509Certificate certificate, Instant now) {
        Instant expires = expires(certificate);
        return new CertificateExpiry(LocalDate.ofInstant(expires, ZoneOffset.UTC), Duration.between(now, expires).toDays(),
                now.isAfter(expires), now.plus(WARN_AHEAD).isAfter(expires));
    }

    /** The instant {@code certificate} expires (its notAfter). */
    public static Instant expires(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant();
    }
}
