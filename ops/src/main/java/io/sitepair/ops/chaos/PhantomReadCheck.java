package io.sitepair.ops.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * [phantom-read] A read, or the final read, of a value that no SET of the key could have written:
 * one never invoked, one invoked only after the read had returned, or one only FAILED SETs carried
 * (they were never applied). Nil is always possible: it is the initial value.
 */
final class PhantomReadCheck {
    private PhantomReadCheck() {
    }

    static List<Violation> check(String key, List<Operation> ops, String finalValue) {
        Map<String, Long> firstApplicableWrite = new HashMap<>();
        Map<String, Operation> failedWrite = new HashMap<>();
        for (Operation op : ops) {
            if (op.kind() != Operation.Kind.SET) {
                continue;
            }
            if (op.outcome() == Operation.Outcome.FAILED) {
                failedWrite.putIfAbsent(op.argument(), op);
            } else {
                firstApplicableWrite.merge(op.argument(), op.invokeNanos(), Math::min);
            }
        }
        List<Violation> violations = new ArrayList<>();
        for (Operation op : ops) {
            if (op.kind() == Operation.Kind.GET && op.outcome() == Operation.Outcome.OK && op.result() != null) {
                String problem = problem(op.result(), op.completeNanos(), firstApplicableWrite, failedWrite);
                if (problem != null) {
                    violations.add(new Violation("phantom-read", "key " + key + ": " + op.describeWithTimes() + " " + problem));
                }
            }
        }
        if (finalValue != null) {
            String problem = problem(finalValue, Long.MAX_VALUE, firstApplicableWrite, failedWrite);
            if (problem != null) {
                violations.add(new Violation("phantom-read", "key " + key + ": the final read "
                        + Operation.quoted(finalValue) + " " + problem));
            }
        }
        return violations;
    }

    private static String problem(String value, long readReturned, Map<String, Long> firstApplicableWrite,
                                  Map<String, Operation> failedWrite) {
        Long firstWrite = firstApplicableWrite.get(value);
        if (firstWrite != null) {
            return firstWrite <= readReturned ? null
                    : "returned before any SET of that value was invoked (first at " + Operation.time(firstWrite) + ")";
        }
        Operation failed = failedWrite.get(value);
        return failed == null ? "read a value no SET ever wrote"
                : "read a value only a FAILED SET carried, which was never applied: " + failed.describeWithTimes();
    }
}
