package io.sitepair.ops.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The checks on a cycle's history, each reporting {@link Violation}s under its name:
 *
 * <ul>
 *   <li>{@code lost-write}: a key of its own (neither hot nor a counter) whose final value is not
 *       its acknowledged write ({@code LostWriteCheck});
 *   <li>{@code phantom-read}: a read of a value that no applicable SET could have written
 *       ({@code PhantomReadCheck});
 *   <li>{@code linearizability}: a hot key whose history, final read included, is not linearizable
 *       ({@link RegisterChecker}); {@code linearizability-undecided} when the search gave up, a
 *       warning whose weight the caller decides;
 *   <li>{@code counter}: a counter key whose INCR results or final value are out of bounds
 *       ({@code CounterCheck});
 *   <li>{@code two-live-sites}: an acknowledgement from a site while ZooKeeper named the other
 *       site live ({@code LiveSiteCheck}).
 * </ul>
 */
public final class HistoryChecks {
    /** Clock granularity allowed between ZooKeeper's record times and the clients' clock. */
    public static final Duration DEFAULT_CLOCK_TOLERANCE = Duration.ofMillis(5);

    /** A ZooKeeper epoch record as seen: its epoch, the site it names live, and when it was written. */
    public record LiveRecord(long epoch, String liveSite, long writtenNanos) {}

    private HistoryChecks() {
    }

    /**
     * @param finalReads the values read back after the cycle, for every key the history touched
     *     (null or absent: nil)
     * @param liveRecords the epoch records seen, each with the time it was written
     * @param hotKeys the keys written and read by many processes, checked for linearizability
     * @param counterKeys the keys only ever INCRed
     */
    public static List<Violation> check(List<Operation> history, Map<String, String> finalReads,
                                        List<LiveRecord> liveRecords, Set<String> hotKeys, Set<String> counterKeys) {
        return check(history, finalReads, liveRecords, hotKeys, counterKeys, DEFAULT_CLOCK_TOLERANCE);
    }

    /** As the other {@code check}, with the given clock tolerance for the two-live-sites check. */
    public static List<Violation> check(List<Operation> history, Map<String, String> finalReads,
                                        List<LiveRecord> liveRecords, Set<String> hotKeys, Set<String> counterKeys,
                                        Duration clockTolerance) {
        SortedMap<String, List<Operation>> byKey = byKey(history);
        List<Violation> violations = new ArrayList<>();
        byKey.forEach((key, ops) -> {
            String finalValue = finalReads.get(key);
            if (counterKeys.contains(key)) {
                violations.addAll(CounterCheck.check(key, ops, finalValue));
                return;
            }
            violations.addAll(PhantomReadCheck.check(key, ops, finalValue));
            if (hotKeys.contains(key)) {
                violations.addAll(linearizability(key, ops, finalValue));
            } else {
                violations.addAll(LostWriteCheck.check(key, ops, finalValue));
            }
        });
        violations.addAll(LiveSiteCheck.check(history, liveRecords, clockTolerance.toNanos()));
        return violations;
    }

    private static SortedMap<String, List<Operation>> byKey(List<Operation> history) {
        SortedMap<String, List<Operation>> byKey = new TreeMap<>();
        for (Operation op : history) {
            byKey.computeIfAbsent(op.key(), key -> new ArrayList<>()).add(op);
        }
        return byKey;
    }

    /**
     * The key's history with the final read appended as a GET after every operation began: an
     * acknowledged write that the pair later lost shows as a read that no order explains.
     */
    private static List<Violation> linearizability(String key, List<Operation> ops, String finalValue) {
        if (ops.stream().anyMatch(op -> op.kind() == Operation.Kind.INCR)) {
            return List.of(new Violation("linearizability", "key " + key + " is hot but was INCRed; only SET and GET are checked"
                    + " as a register"));
        }
        long after = ops.stream().mapToLong(op -> Math.max(op.invokeNanos(), op.completed() ? op.completeNanos() : 0))
                .max().orElse(0) + 1;
        List<Operation> withFinalRead = new ArrayList<>(ops);
        withFinalRead.add(new Operation(Operation.FINAL_READ_PROCESS, Operation.Kind.GET, key, null, finalValue, after, after,
                Operation.Outcome.OK, null));
        RegisterChecker.Verdict verdict = RegisterChecker.check(withFinalRead);
        return switch (verdict.status()) {
            case LINEARIZABLE -> List.of();
            case NOT_LINEARIZABLE -> List.of(new Violation("linearizability", verdict.detail()));
            case UNDECIDED -> List.of(new Violation("linearizability-undecided", verdict.detail()));
        };
    }
}
