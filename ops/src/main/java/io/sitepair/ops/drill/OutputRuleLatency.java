package io.sitepair.ops.drill;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Output Rule's hold time as a serving site's {@code /metrics} exports it: the histogram
 * {@code sitepair_output_hold_seconds}, read at two moments so that a window's mean and 99th
 * percentile can be told apart from the site's whole life (as {@code rate()} does in Prometheus).
 */
record OutputRuleLatency(double sumSeconds, double count, TreeMap<Double, Double> cumulativeBuckets) {
    private static final Pattern SAMPLE = Pattern.compile(
            "^sitepair_output_hold_seconds_(sum|count|bucket)\\{([^}]*)}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    /** Nothing held yet: the first reading of a window when the site exported none. */
    static final OutputRuleLatency NONE = new OutputRuleLatency(0, 0, new TreeMap<>());

    /** The histogram as {@code exposition} (Prometheus text) shows it; {@link #NONE} if it has none. */
    static OutputRuleLatency parse(String exposition) {
        double sum = 0;
        double count = 0;
        TreeMap<Double, Double> buckets = new TreeMap<>();
        Matcher sample = SAMPLE.matcher(exposition);
        while (sample.find()) {
            double value = Double.parseDouble(sample.group(3));
            switch (sample.group(1)) {
                case "sum" -> sum = value;
                case "count" -> count = value;
                default -> {
                    Matcher le = LE.matcher(sample.group(2));
                    if (le.find()) {
                        buckets.put(le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY
                                : Double.parseDouble(le.group(1)), value);
                    }
                }
            }
        }
        return new OutputRuleLatency(sum, count, buckets);
    }

    /** What was held between {@code earlier} and this reading. */
    OutputRuleLatency since(OutputRuleLatency earlier) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (Map.Entry<Double, Double> bucket : cumulativeBuckets.entrySet()) {
            buckets.put(bucket.getKey(), bucket.getValue()
                    - earlier.cumulativeBuckets.getOrDefault(bucket.getKey(), 0.0));
        }
        return new OutputRuleLatency(sumSeconds - earlier.sumSeconds, count - earlier.count, buckets);
    }

    /** The mean hold in milliseconds; NaN when no output was released. */
    double meanMs() {
        return count > 0 ? sumSeconds / count * 1000 : Double.NaN;
    }

    /**
     * The 99th percentile in milliseconds, as the upper bound of the bucket it falls in (the
     * histogram knows no better); NaN when no output was released.
     */
    double p99Ms() {
        if (count <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> bucket : cumulativeBuckets.entrySet()) {
            if (bucket.getValue() >= 0.99 * count) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.NaN;
    }
}
