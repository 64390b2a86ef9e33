package io.sitepair.ops.chaos;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Wing and Gong's depth-first search for a linearization of a register history, with Lowe's cache:
 * a configuration (the set of operations linearized so far, the register's value) is explored at
 * most once, since what can follow depends on nothing else.
 *
 * <p>The history is a list of call and return events in time order. The search walks it from the
 * front: at a call it tries to linearize that operation next (the model must accept it, and the
 * configuration must be new), removing its call and return from the list and restarting from the
 * front; at a return it has met an operation that had to be linearized by then and was not, so it
 * undoes its latest choice and tries the next call after it. The history is linearizable when
 * only optional operations are left, and not when there is no choice left to undo.
 *
 * <p>Optional writes (those that may take effect at any time, or never) would multiply the
 * configurations by two each, so the search only considers linearizations where each one either
 * never takes effect or is followed at once by a read of its value: any linearization can be made
 * so, by moving such a write later (nothing bounds its end) until just before the next read of its
 * value, and dropping it if another write comes first.
 */
final class LinearizationSearch {
    /** The search's outcome. */
    enum Result { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXHAUSTED }

    /** The register's value before a window of a history: unknown, and fixed by the first read. */
    static final Object UNKNOWN_VALUE = new Object() {
        @Override
        public String toString() {
            return "unknown";
        }
    };

    /** Caps the cached configurations' bitsets at 128 MiB, whatever the state budget. */
    private static final long MAX_CACHED_WORDS = 1L << 24;
    private static final int NONE = -1;

    private final RegisterOp[] ops;
    // The event list: entry 2i is operation i's call, 2i+1 its return, `head` a sentinel before the first.
    private final int head;
    private final int[] next;
    private final int[] prev;
    private final long maxStates;
    private int mandatoryLeft;

    private LinearizationSearch(List<RegisterOp> ops, long maxStates) {
        this.ops = ops.toArray(RegisterOp[]::new);
        this.maxStates = Math.max(1, Math.min(maxStates, MAX_CACHED_WORDS / (this.ops.length / 64 + 2)));
        head = 2 * this.ops.length;
        next = new int[head + 1];
        prev = new int[head + 1];
        linkInTimeOrder();
        mandatoryLeft = (int) ops.stream().filter(op -> !op.optional()).count();
    }

    /** Searches for a linearization of {@code ops} from {@code initial}, exploring at most {@code maxStates} configurations. */
    static Result run(List<RegisterOp> ops, Object initial, long maxStates) {
        return new LinearizationSearch(ops, maxStates).search(initial);
    }

    private void linkInTimeOrder() {
        Integer[] events = new Integer[head];
        Arrays.setAll(events, i -> i);
        // At equal times a call sorts before a return: the two operations count as concurrent,
        // so the granularity of the clock never makes a history look wrong.
        Arrays.sort(events, Comparator.comparingLong(this::time).thenComparingInt(event -> event & 1)
                .thenComparingInt(event -> event));
        int previous = head;
        for (int event : events) {
            next[previous] = event;
            prev[event] = previous;
            previous = event;
        }
        next[previous] = NONE;
        prev[head] = NONE;
    }

    private long time(int event) {
        RegisterOp op = ops[event >> 1];
        return isCall(event) ? op.invokeNanos() : op.completeNanos();
    }

    private static boolean isCall(int event) {
        return (event & 1) == 0;
    }

    private record Configuration(BitSet linearized, Object value) {}

    private record Choice(int call, Object valueBefore) {}

    private Result search(Object initial) {
        Set<Configuration> seen = new HashSet<>();
        Deque<Choice> choices = new ArrayDeque<>();
        BitSet linearized = new BitSet(ops.length);
        Object value = initial;
        int event = next[head];
        while (mandatoryLeft > 0) {
            if (isCall(event)) {
                int op = event >> 1;
                Object after = apply(value, ops[op]);
                if (after != REJECTED && (!ops[op].optional() || readCanFollow(ops[op].value()))) {
                    linearized.set(op);
                    if (seen.add(new Configuration((BitSet) linearized.clone(), after))) {
                        if (seen.size() > maxStates) {
                            return Result.BUDGET_EXHAUSTED;
                        }
                        choices.push(new Choice(event, value));
                        value = after;
                        lift(event);
                        event = next[head];
                        continue;
                    }
                    linearized.clear(op);
                }
                event = next[event];
            } else {
                // An operation returned before being linearized: undo the latest choice, try the next call.
                if (choices.isEmpty()) {
                    return Result.NOT_LINEARIZABLE;
                }
                Choice latest = choices.pop();
                linearized.clear(latest.call() >> 1);
                value = latest.valueBefore();
                unlift(latest.call());
                event = next[latest.call()];
            }
        }
        return Result.LINEARIZABLE;
    }

    private static final Object REJECTED = new Object();

    /** Whether a read of {@code value} could be linearized next: its call comes before every remaining return. */
    private boolean readCanFollow(String value) {
        for (int event = next[head]; event != NONE && isCall(event); event = next[event]) {
            RegisterOp op = ops[event >> 1];
            if (!op.write() && Objects.equals(op.value(), value)) {
                return true;
            }
        }
        return false;
    }

    /** The register's value after {@code op}, or REJECTED if a read returned something else. */
    private static Object apply(Object value, RegisterOp op) {
        if (op.write()) {
            return op.value();
        }
        if (value == UNKNOWN_VALUE) {
            return op.value();
        }
        return Objects.equals(value, op.value()) ? value : REJECTED;
    }

    /** Takes a call and its return out of the list; they keep their own links for {@link #unlift}. */
    private void lift(int call) {
        unlink(call);
        unlink(call + 1);
        mandatoryLeft -= ops[call >> 1].optional() ? 0 : 1;
    }

    private void unlift(int call) {
        relink(call + 1);
        relink(call);
        mandatoryLeft += ops[call >> 1].optional() ? 0 : 1;
    }

    private void unlink(int event) {
        next[prev[event]] = next[event];
        if (next[event] != NONE) {
            prev[next[event]] = prev[event];
        }
    }

    private void relink(int event) {
        next[prev[event]] = event;
        if (next[event] != NONE) {
            prev[next[event]] = event;
        }
    }
}
