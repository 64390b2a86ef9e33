package io.sitepair.ops.chaos;

import java.util.List;

/**
 * What one cycle of the campaign found: the fault, the writes acknowledged, the violations, the
 * longest stretch without an acknowledged write, and how long the pair took to be protected again
 * after the fault was healed (NaN if it never was).
 */
record CycleResult(int cycle, String kind, String fault, long acknowledged, List<Violation> violations,
        double unavailableMillis, double protectedAfterMillis) {
    long lost() {
        return violations.stream().filter(v -> v.check().equals("lost-write")).count();
    }

    boolean failed() {
        return !violations.isEmpty();
    }
}
