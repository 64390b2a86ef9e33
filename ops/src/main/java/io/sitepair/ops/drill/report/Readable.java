package io.sitepair.ops.drill.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The report's values as a person reads them: escaped for HTML, times in UTC, durations in ms or s. */
public final class Readable {
    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private Readable() {}

    /** Text made safe inside an HTML element or a quoted attribute. */
    static String html(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code 2026-12-06 14:15:02.123 UTC}. */
    static String utc(Instant at) {
        return UTC.format(at) + " UTC";
    }

    /** {@code 840 ms}, {@code 1.84 s}, {@code 2 min 05.3 s}; NaN is {@code not measured}. */
    public static String duration(double ms) {
        if (Double.isNaN(ms)) {
            return "not measured";
        }
        if (Math.abs(ms) < 10) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        if (Math.abs(ms) < 1000) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        if (Math.abs(ms) < 120_000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        long minutes = (long) (ms / 60_000);
        return String.format(Locale.ROOT, "%d min %04.1f s", minutes, (ms - minutes * 60_000) / 1000);
    }

    /** A time on the drill's clock, in seconds since it started: {@code 12.34 s}. */
    static String seconds(double ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    /** A measured value: whole numbers with digit grouping, others to three significant digits. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "not measured";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) value);
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros()
                .toPlainString();
    }
}
