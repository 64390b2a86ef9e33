package io.sitepair.ops.chaos;

import java.util.List;
import java.util.Objects;

/**
 * [lost-write] on a key of its own, written once: its final value must be its acknowledged
 * write. Should such a key be written more than once, the final value must be one that may have
 * been last: from a SET that was not FAILED and had not completed before the last acknowledged
 * SET was invoked.
 */
final class LostWriteCheck {
    private LostWriteCheck() {
    }

    static List<Violation> check(String key, List<Operation> ops, String finalValue) {
        List<Operation> sets = ops.stream().filter(op -> op.kind() == Operation.Kind.SET).toList();
        long lastAcknowledgedInvoke = sets.stream().filter(op -> op.outcome() == Operation.Outcome.OK)
                .mapToLong(Operation::invokeNanos).max().orElse(Long.MIN_VALUE);
        if (lastAcknowledgedInvoke == Long.MIN_VALUE) {
            return List.of(); // nothing was acknowledged, so nothing can be lost
        }
        List<Operation> mayBeLast = sets.stream()
                .filter(op -> op.outcome() != Operation.Outcome.FAILED && op.completeNanos() >= lastAcknowledgedInvoke)
                .toList();
        if (mayBeLast.stream().anyMatch(op -> Objects.equals(op.argument(), finalValue))) {
            return List.of();
        }
        StringBuilder detail = new StringBuilder("key ").append(key).append(": final read ")
                .append(Operation.quoted(finalValue)).append(", but the value should be that of ");
        detail.append(mayBeLast.size() == 1 ? "" : "one of ");
        for (Operation op : mayBeLast) {
            detail.append("\n  ").append(op.describeWithTimes());
        }
        return List.of(new Violation("lost-write", detail.toString()));
    }
}
