package io.sitepair.ops.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one syntax of sizes, durations and rates, for the configuration file and the command line
 * alike, read and written. Sizes are bytes in binary units ({@code 64M} is 64 MiB); a rate says in
 * its method name whether it counts bits (decimal units, as tc writes them) or bytes per second.
 * A value that does not read throws {@link Invalid}.
 */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);
    private static final String[] SIZE_UNITS = {"", "K", "M", "G", "T"};

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|min|m|h)?",
            Pattern.CASE_INSENSITIVE);
    private static final long MILLI = 1_000_000L;
    // Largest first: a duration is written in the largest of these that holds it whole.
    private static final String[] WHOLE_UNITS = {"h", "m", "s", "ms"};
    private static final long[] WHOLE_NANOS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, MILLI};

    // "bps" is deliberately not accepted: tc reads it as bytes per second, others as bits.
    private static final Pattern BITS = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(bit|bit/s)?",
            Pattern.CASE_INSENSITIVE);
    private static final String[] BIT_UNITS = {"gbit", "mbit", "kbit"};
    private static final long[] BIT_SCALES = {1_000_000_000L, 1_000_000L, 1_000L};

    private Units() {}

    /** A value that is not what was asked for: the value, and why, so each front end can quote it its own way. */
    public static final class Invalid extends IllegalArgumentException {
        private final String value;
        private final String why;

        Invalid(String value, String why) {
            super(quoted(value, '"', why));
            this.value = value;
            this.why = why;
        }

        /** The message with the value in {@code quote}s: {@code 'lots' is not a size ...}. */
        public String quoted(char quote) {
            return quoted(value, quote, why);
        }

        private static String quoted(String value, char quote, String why) {
            return quote + value + quote + why;
        }
    }

    /** {@code 65536}, {@code 64K}, {@code 64M}, {@code 64MiB}, {@code 1G}, {@code 1T}: bytes, binary units. */
    public static long bytes(String value) {
        Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) {
            throw new Invalid(value, " is not a size (examples: 4096, 64M, 1G)");
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
            throw new Invalid(value, " is too large");
        }
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new Invalid(value, " is too large");
        }
        return n << shift;
    }

    /** The shortest exact spelling {@link #bytes} reads back: 67108864 is {@code 64M}. */
    public static String formatBytes(long bytes) {
        int unit = 0;
        while (unit < SIZE_UNITS.length - 1 && bytes != 0 && bytes % (1L << (10 * (unit + 1))) == 0) {
            unit++;
        }
        return (bytes >> (10 * unit)) + SIZE_UNITS[unit];
    }

    /**
     * {@code 250us}, {@code 1.5ms}, {@code 1s}, {@code 2m} (or {@code 2min}), {@code 1h}, also {@code ns}
     * and {@code µs}; a bare number other than {@code 0} is refused (which unit?).
     */
    public static Duration duration(String value) {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            throw new Invalid(value, " is not a duration (examples: 250us, 100ms, 1s, 2m)");
        }
        BigDecimal n = new BigDecimal(m.group(1));
        if (m.group(2) == null && n.signum() != 0) {
            throw new Invalid(value, " needs a unit (examples: 250us, 100ms, 1s, 2m)");
        }
        long nanosPerUnit = switch (m.group(2) == null ? "ns" : m.group(2).toLowerCase(Locale.ROOT)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> MILLI;
            case "s" -> 1_000_000_000L;
            case "m", "min" -> 60_000_000_000L;
            default -> 3_600_000_000_000L; // h
        };
        return Duration.ofNanos(whole(n.multiply(BigDecimal.valueOf(nanosPerUnit)), value, " is too long"));
    }

    /**
     * A spelling {@link #duration} reads back exactly: the largest of hours, minutes, seconds and
     * milliseconds that holds it whole ({@code 2m}, {@code 1500ms}), else decimal milliseconds as tc
     * prints them ({@code 1.5ms}), below a millisecond {@code us} or {@code ns}; zero is {@code 0}.
     */
    public static String formatDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0";
        }
        for (int i = 0; i < WHOLE_UNITS.length; i++) {
            if (nanos % WHOLE_NANOS[i] == 0) {
                return nanos / WHOLE_NANOS[i] + WHOLE_UNITS[i];
            }
        }
        if (nanos > MILLI) {
            return BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + "ms";
        }
        return nanos % 1_000 == 0 ? nanos / 1_000 + "us" : nanos + "ns";
    }

    /**
     * Bits per second, decimal units: {@code 100mbit}, {@code 2.5Mbit}, {@code 1gbit/s}, a bare number
     * of bits; {@code 0} or {@code unlimited} is 0, no cap.
     */
    public static long bitsPerSecond(String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("unlimited")) {
            return 0;
        }
        Matcher m = BITS.matcher(v);
        if (!m.matches()) {
            throw new Invalid(value, " is not a rate (examples: 100mbit, 1gbit, 0 = unlimited)");
        }
        long scale = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1_000L;
            case "m" -> 1_000_000L;
            case "g" -> 1_000_000_000L;
            case "t" -> 1_000_000_000_000L;
            default -> 1L;
        };
        return whole(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(scale)), value, " is too large");
    }

    /** The spelling {@link #bitsPerSecond} reads back: {@code 100mbit}, {@code unlimited} for 0. */
    public static String formatBitsPerSecond(long bitsPerSecond) {
        if (bitsPerSecond == 0) {
            return "unlimited";
        }
        for (int i = 0; i < BIT_UNITS.length; i++) {
            if (bitsPerSecond % BIT_SCALES[i] == 0) {
                return bitsPerSecond / BIT_SCALES[i] + BIT_UNITS[i];
            }
        }
        return bitsPerSecond + "bit";
    }

    /**
     * Bytes per second: a size per second ({@code 40M/s}, {@code 40MiB/s}, binary units), bits per
     * second as {@link #bitsPerSecond} reads them but with the unit said ({@code 500mbit}), or
     * {@code unlimited} (0). Zero otherwise is refused: it would stop what it paces.
     */
    public static long bytesPerSecond(String value) {
        String v = value.trim();
        if (v.equals("unlimited")) {
            return 0;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.endsWith("bit") || lower.endsWith("bit/s")) {
            long rate = bitsPerSecond(v) / 8;
            if (rate == 0) {
                throw new Invalid(value, " is below one byte per second");
            }
            return rate;
        }
        if (!v.endsWith("/s")) {
            throw new Invalid(value, " is not a rate (examples: 40M/s, 500mbit, unlimited)");
        }
        long rate = bytes(v.substring(0, v.length() - 2));
        if (rate == 0) {
            throw new Invalid(value, ": a rate of 0 stops the resync; say unlimited for no limit");
        }
        return rate;
    }

    private static long whole(BigDecimal n, String value, String tooBig) {
        try {
            return n.setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new Invalid(value, tooBig);
        }
    }
}
