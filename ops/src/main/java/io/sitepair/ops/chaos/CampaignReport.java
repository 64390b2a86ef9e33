package io.sitepair.ops.chaos;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The campaign's table: one row per fault kind, then the violations by check. */
final class CampaignReport {
    private CampaignReport() {}

    static void print(PrintWriter out, List<CycleResult> cycles) {
        Map<String, List<CycleResult>> byKind = new LinkedHashMap<>();
        for (String kind : Fault.KINDS) {
            List<CycleResult> of = cycles.stream().filter(c -> c.kind().equals(kind)).toList();
            if (!of.isEmpty()) {
                byKind.put(kind, of);
            }
        }
        out.printf("%-16s %6s %8s %5s %10s %17s %19s%n", "fault", "cycles", "acked", "lost", "violations",
                "unavail p50/max s", "protected p50/max s");
        byKind.forEach((kind, of) -> row(out, kind, of));
        row(out, "all", cycles);
        Map<String, Long> byCheck = new TreeMap<>(cycles.stream().flatMap(c -> c.violations().stream())
                .collect(Collectors.groupingBy(Violation::check, Collectors.counting())));
        if (!byCheck.isEmpty()) {
            out.println("violations by check: " + byCheck.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")));
        }
        out.flush();
    }

    private static void row(PrintWriter out, String kind, List<CycleResult> of) {
        double[] unavailable = sorted(of.stream().mapToDouble(CycleResult::unavailableMillis).toArray());
        double[] protect = sorted(of.stream().mapToDouble(CycleResult::protectedAfterMillis)
                .filter(v -> !Double.isNaN(v)).toArray());
        long stuck = of.stream().filter(c -> Double.isNaN(c.protectedAfterMillis())).count();
        out.printf("%-16s %6d %8d %5d %10d %17s %19s%n", kind, of.size(),
                of.stream().mapToLong(CycleResult::acknowledged).sum(), of.stream().mapToLong(CycleResult::lost).sum(),
                of.stream().mapToLong(c -> c.violations().size()).sum(), p50max(unavailable, 0),
                p50max(protect, stuck));
    }

    private static double[] sorted(double[] values) {
        Arrays.sort(values);
        return values;
    }

    /** "p50 / max" in seconds; {@code never} counts values that did not happen (a stuck pair). */
    private static String p50max(double[] sorted, long never) {
        if (sorted.length == 0) {
            return never > 0 ? "never" : "-";
        }
        double p50 = sorted[(sorted.length - 1) / 2];
        String max = never > 0 ? "never(" + never + ")" : String.format("%.1f", sorted[sorted.length - 1] / 1000);
        return String.format("%.1f / %s", p50 / 1000, max);
    }
}
