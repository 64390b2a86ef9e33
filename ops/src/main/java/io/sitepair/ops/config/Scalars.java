package io.sitepair.ops.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Value syntax of the configuration file: sizes, durations and addresses, read and written. Errors are an
 * IllegalArgumentException whose message quotes the value; the caller adds file, line and key path.
 */
public final class Scalars {
    // The grammar of io.sitepair.ops.Sizes (binary units), which is package-private there: a config file
    // accepts exactly what the command line's --disk-size does.
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);
    private static final String[] SIZE_UNITS = {"", "K", "M", "G", "T"};

    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})\\s*(us|ms|s|m|h)");
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    // Largest unit first, so formatting picks the shortest exact spelling.
    private static final String[] DURATION_UNITS = {"h", "m", "s", "ms", "us"};
    private static final long[] DURATION_NANOS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};

    private Scalars() {}

    /** {@code 65536}, {@code 64K}, {@code 64M}, {@code 64MiB}, {@code 1G}: bytes. */
    public static long size(String value) {
        Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(quote(value) + " is not a size (examples: 4096, 64M, 1G)");
        }
        int shift = 10 * switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 1;
            case "M" -> 2;
            case "G" -> 3;
            case "T" -> 4;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(quote(value) + " is too large");
        }
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(quote(value) + " is too large");
        }
        return n << shift;
    }

    private static final Pattern BITS = Pattern.compile("(\\d{1,12})\\s*([kmg])bit(/s)?", Pattern.CASE_INSENSITIVE);

    /**
     * A rate in bytes per second: {@code 100M/s}, {@code 40MiB/s}, {@code 500mbit} (decimal bits),
     * or {@code unlimited} (0).
     */
    public static long rate(String value) {
        String v = value.trim();
        if (v.equals("unlimited")) {
            return 0;
        }
        Matcher bits = BITS.matcher(v);
        if (bits.matches()) {
            long scale = switch (bits.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 1_000L;
                case "m" -> 1_000_000L;
                default -> 1_000_000_000L;
            };
            long rate = Long.parseLong(bits.group(1)) * scale / 8;
            if (rate == 0) {
                throw new IllegalArgumentException(quote(value) + " is below one byte per second");
            }
            return rate;
        }
        if (!v.endsWith("/s")) {
            throw new IllegalArgumentException(quote(value) + " is not a rate (examples: 40M/s, 500mbit, unlimited)");
        }
        long rate = size(v.substring(0, v.length() - 2));
        if (rate == 0) {
            throw new IllegalArgumentException(quote(value) + ": a rate of 0 stops the resync; say unlimited for no limit");
        }
        return rate;
    }

    /** The shortest exact spelling {@link #size} reads back: 67108864 is {@code 64M}. */
    static String formatSize(long bytes) {
        int unit = 0;
        while (unit < SIZE_UNITS.length - 1 && bytes != 0 && bytes % (1L << (10 * (unit + 1))) == 0) {
            unit++;
        }
        return (bytes >> (10 * unit)) + SIZE_UNITS[unit];
    }

    /** {@code 250us}, {@code 100ms}, {@code 1s}, {@code 2m}, {@code 1h}; a bare number is refused (which unit?). */
    public static Duration duration(String value) {
        String v = value.trim();
        if (NUMBER.matcher(v).matches()) {
            throw new IllegalArgumentException(quote(value) + " needs a unit (examples: 250us, 100ms, 1s, 2m)");
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(quote(value) + " is not a duration (examples: 250us, 100ms, 1s, 2m)");
        }
        long n = Long.parseLong(m.group(1));
        for (int i = 0; i < DURATION_UNITS.length; i++) {
            if (DURATION_UNITS[i].equals(m.group(2))) {
                if (n > Long.MAX_VALUE / DURATION_NANOS[i]) {
                    throw new IllegalArgumentException(quote(value) + " is too long");
                }
                return Duration.ofNanos(n * DURATION_NANOS[i]);
            }
        }
        throw new AssertionError(m.group(2));
    }

    /** The shortest exact spelling {@link #duration} reads back: 1000ms is {@code 1s}. */
    static String formatDuration(Duration d) {
        long nanos = d.toNanos();
        for (int i = 0; i < DURATION_UNITS.length; i++) {
            if (nanos % DURATION_NANOS[i] == 0) {
                return nanos / DURATION_NANOS[i] + DURATION_UNITS[i];
            }
        }
        throw new IllegalArgumentException(d + " is not a whole number of microseconds");
    }

    /**
     * {@code HOST:PORT}, IPv6 as {@code [::1]:PORT}. Port 0 is refused (a peer must know where to connect).
     * IP literals resolve at once; a host name is looked up and may stay unresolved.
     */
    static InetSocketAddress address(String value) {
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        String host = colon > 0 ? v.substring(0, colon) : "";
        String port = colon > 0 ? v.substring(colon + 1) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = ""; // an IPv6 literal without brackets: which colon ends the host?
        }
        int p = port.matches("\\d{1,5}") ? Integer.parseInt(port) : 0;
        if (host.isEmpty() || host.contains("[") || host.contains("]") || p < 1 || p > 65535) {
            throw new IllegalArgumentException(quote(value) + " is not HOST:PORT (port must be 1-65535)");
        }
        return new InetSocketAddress(host, p);
    }

    /** Written back as the operator would: {@code 127.0.0.1:7401}, {@code [::1]:7401}. */
    static String formatAddress(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    static String quote(String value) {
        return "\"" + value + "\"";
    }
}
