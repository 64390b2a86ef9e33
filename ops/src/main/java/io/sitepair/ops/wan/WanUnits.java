package io.sitepair.ops.wan;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parsing and printing of the proxy's units: durations ({@code 5ms}, {@code 250us}, {@code 1.5s},
 * {@code 0}), rates in decimal bits per second as tc writes them ({@code 100mbit}, {@code 1gbit},
 * {@code 0} = unlimited) and {@code HOST:PORT}. The parsers throw IllegalArgumentException; the
 * nested picocli converters turn that into a usage error.
 */
public final class WanUnits {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|min)?",
            Pattern.CASE_INSENSITIVE);
    // "bps" is deliberately not accepted: tc reads it as bytes per second, others as bits.
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(bit|bit/s)?",
            Pattern.CASE_INSENSITIVE);

    private WanUnits() {}

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 5ms, 250us, 1s, 0)");
        }
        BigDecimal n = new BigDecimal(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        if (unit.isEmpty() && n.signum() != 0) {
            throw new IllegalArgumentException("'" + text + "' needs a unit (ns, us, ms, s, m)");
        }
        long nanosPerUnit = switch (unit) {
            case "ns", "" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            default -> 60_000_000_000L; // m, min
        };
        return Duration.ofNanos(exactLong(n.multiply(BigDecimal.valueOf(nanosPerUnit)), text));
    }

    /** Bits per second; 0 (or "unlimited") means no cap. */
    static long parseRate(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("unlimited")) {
            return 0;
        }
        Matcher m = RATE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a rate (examples: 100mbit, 1gbit, 0 = unlimited)");
        }
        long scale = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1_000L;
            case "m" -> 1_000_000L;
            case "g" -> 1_000_000_000L;
            case "t" -> 1_000_000_000_000L;
            default -> 1L;
        };
        return exactLong(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(scale)), text);
    }

    /** {@code host:port}, IPv6 as {@code [::1]:port}; port 0 means any free port. */
    static InetSocketAddress parseAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (example: 127.0.0.1:7000)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port outside 0-65535");
        }
        return new InetSocketAddress(host, port);
    }

    public static String formatDuration(Duration d) {
        long ns = d.toNanos();
        if (ns == 0) {
            return "0";
        }
        if (ns % 1_000_000_000L == 0) {
            return ns / 1_000_000_000L + "s";
        }
        if (ns >= 1_000_000L) {
            return BigDecimal.valueOf(ns, 6).stripTrailingZeros().toPlainString() + "ms";
        }
        return ns % 1_000L == 0 ? ns / 1_000L + "us" : ns + "ns";
    }

    public static String formatRate(long bitsPerSecond) {
        if (bitsPerSecond == 0) {
            return "unlimited";
        }
        String[] units = {"gbit", "mbit", "kbit"};
        long[] scales = {1_000_000_000L, 1_000_000L, 1_000L};
        for (int i = 0; i < units.length; i++) {
            if (bitsPerSecond % scales[i] == 0) {
                return bitsPerSecond / scales[i] + units[i];
            }
        }
        return bitsPerSecond + "bit";
    }

    static String format(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static long exactLong(BigDecimal value, String text) {
        try {
            return value.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }

    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    public static final class RateConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parseRate(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * The same syntax as io.sitepair.ops.Addresses, which is package-private there and so cannot
     * be named from this package.
     */
    static final class AddressConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return parseAddress(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
