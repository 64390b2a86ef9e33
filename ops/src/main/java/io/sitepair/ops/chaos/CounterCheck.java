package io.sitepair.ops.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * [counter] A key only ever INCRed from nil counts the INCRs applied. Its final value lies between
 * the acknowledged INCRs and those plus the UNKNOWN ones. An acknowledged INCR's result is at least
 * one more than the INCRs acknowledged before it was invoked, at most the INCRs (acknowledged or
 * UNKNOWN) invoked before it completed, and no two INCRs return the same value. A GET of the key
 * is bounded the same way, without the one.
 */
final class CounterCheck {
    private CounterCheck() {
    }

    static List<Violation> check(String key, List<Operation> ops, String finalValue) {
        List<Violation> violations = new ArrayList<>();
        List<Operation> sets = ops.stream().filter(op -> op.kind() == Operation.Kind.SET).toList();
        if (!sets.isEmpty()) {
            return List.of(new Violation("counter", "key " + key + " is a counter but was SET, so its INCRs cannot be"
                    + " bounded: " + sets.getFirst().describeWithTimes()));
        }
        List<Operation> incrs = ops.stream().filter(op -> op.kind() == Operation.Kind.INCR).toList();
        long[] acknowledgedCompletions = incrs.stream().filter(op -> op.outcome() == Operation.Outcome.OK)
                .mapToLong(Operation::completeNanos).sorted().toArray();
        long[] applicableInvocations = incrs.stream().filter(op -> op.outcome() != Operation.Outcome.FAILED)
                .mapToLong(Operation::invokeNanos).sorted().toArray();

        Map<Long, Operation> returnedBy = new HashMap<>();
        for (Operation op : ops) {
            if (op.outcome() != Operation.Outcome.OK) {
                continue;
            }
            boolean incr = op.kind() == Operation.Kind.INCR;
            Long value = count(op.result());
            if (value == null) {
                violations.add(new Violation("counter", "key " + key + ": not a count: " + op.describeWithTimes()));
                continue;
            }
            // Strictly before / at or before: operations at the same instant count as concurrent.
            long atLeast = countBelow(acknowledgedCompletions, op.invokeNanos()) + (incr ? 1 : 0);
            long atMost = countAtOrBelow(applicableInvocations, op.completeNanos());
            if (value < atLeast || value > atMost) {
                violations.add(new Violation("counter", "key " + key + ": " + op.describeWithTimes() + " is outside ["
                        + atLeast + ", " + atMost + "], the INCRs acknowledged before it began (+1 for an INCR) and"
                        + " those invoked before it ended"));
            }
            if (incr) {
                Operation earlier = returnedBy.putIfAbsent(value, op);
                if (earlier != null) {
                    violations.add(new Violation("counter", "key " + key + ": two INCRs returned " + value + ": "
                            + earlier.describeWithTimes() + " and " + op.describeWithTimes()));
                }
            }
        }

        long unknown = incrs.stream().filter(op -> op.outcome() == Operation.Outcome.UNKNOWN).count();
        Long last = count(finalValue);
        long acknowledged = acknowledgedCompletions.length;
        if (last == null || last < acknowledged || last > acknowledged + unknown) {
            violations.add(new Violation("counter", "key " + key + ": final value " + Operation.quoted(finalValue)
                    + " is outside [" + acknowledged + ", " + (acknowledged + unknown) + "]: " + acknowledged
                    + " INCRs acknowledged, " + unknown + " UNKNOWN"));
        }
        return violations;
    }

    /** The value as a count; nil is 0, as INCR treats it. */
    private static Long count(String value) {
        if (value == null) {
            return 0L;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long countBelow(long[] sorted, long limit) {
        int index = Arrays.binarySearch(sorted, limit);
        if (index < 0) {
            return -index - 1;
        }
        while (index > 0 && sorted[index - 1] == limit) {
            index--;
        }
        return index;
    }

    private static long countAtOrBelow(long[] sorted, long limit) {
        return limit == Long.MAX_VALUE ? sorted.length : countBelow(sorted, limit + 1);
    }
}
