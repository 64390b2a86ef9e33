package io.sitepair.ops.site;

import io.sitepair.tiebreaker.PairMac;
import java.util.HexFormat;

/**
 * Authenticates operator requests that change a site (a switchover) on its admin endpoint: the
 * request carries a timestamp and an HMAC-SHA256 of the operation, the pair and the timestamp
 * under the pair's secret, which only holders of the configuration know. A request older than
 * {@link #MAX_AGE_MS} (or from a clock that far off) is refused.
 */
public final class AdminAuth {
    public static final String HEADER = "Sitepair-Auth";
    static final long MAX_AGE_MS = 60_000;

    private AdminAuth() {}

    /** The header value for {@code operation} now: {@code <millis> <hex mac>}. */
    static String sign(byte[] secret, String pair, String operation) {
        long now = System.currentTimeMillis();
        return now + " " + HexFormat.of().formatHex(mac(secret, pair, operation, now));
    }

    /** Why {@code header} does not authorize {@code operation}, or null if it does. */
    public static String refusal(byte[] secret, String pair, String operation, String header) {
        if (header == null) {
            return "missing " + HEADER + " header";
        }
        String[] parts = header.trim().split(" ");
        try {
            long millis = Long.parseLong(parts[0]);
            if (Math.abs(System.currentTimeMillis() - millis) > MAX_AGE_MS) {
                return "request timestamp is more than " + MAX_AGE_MS / 1000 + " s away from this site's clock";
            }
            byte[] given = HexFormat.of().parseHex(parts[1]);
            return PairMac.matches(mac(secret, pair, operation, millis), given) ? null
                    : "the request does not prove it knows the pair's secret";
        } catch (RuntimeException e) {
            return "malformed " + HEADER + " header";
        }
    }

    private static byte[] mac(byte[] secret, String pair, String operation, long millis) {
        return PairMac.of(secret, "sitepair admin " + operation + " " + pair + " " + millis);
    }
}
