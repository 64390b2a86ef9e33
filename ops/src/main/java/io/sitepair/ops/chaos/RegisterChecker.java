package io.sitepair.ops.chaos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that the history of one key, written with SET and read with GET, is linearizable for a
 * register whose initial value is nil: Wing and Gong's search with Lowe's cache (see
 * {@link LinearizationSearch}).
 *
 * <p>FAILED operations were never applied and are dropped. An UNKNOWN SET may take effect at any
 * time after its invocation, or never; an UNKNOWN GET tells nothing and is dropped. The search
 * explores a bounded number of configurations and answers UNDECIDED when that is not enough.
 *
 * <p>For a history that is not linearizable, the detail names the key and the smallest window of
 * the history found to fail on its own: it ends at the earliest completion by which the history
 * cannot be linearized, and starts as late as possible, assuming nothing about the value before it.
 */
public final class RegisterChecker {
    /** The configurations one search may explore; at a few hundred bytes each, bounded memory too. */
    public static final long DEFAULT_MAX_STATES = 1_000_000;

    /** The checker's answer. */
    public record Verdict(Status status, String detail) {
        /** Whether a linearization was found, shown impossible, or neither within the budget. */
        public enum Status { LINEARIZABLE, NOT_LINEARIZABLE, UNDECIDED }
    }

    private RegisterChecker() {
    }

    public static Verdict check(List<Operation> opsOfOneKey) {
        return check(opsOfOneKey, DEFAULT_MAX_STATES);
    }

    /** As {@link #check(List)}, exploring at most {@code maxStates} configurations per search. */
    public static Verdict check(List<Operation> opsOfOneKey, long maxStates) {
        String key = singleKey(opsOfOneKey);
        List<RegisterOp> ops = registerOps(opsOfOneKey);
        return switch (LinearizationSearch.run(ops, null, maxStates)) {
            case LINEARIZABLE -> new Verdict(Verdict.Status.LINEARIZABLE, "key " + key + ": linearizable, " + ops.size() + " ops");
            case BUDGET_EXHAUSTED -> new Verdict(Verdict.Status.UNDECIDED, "key " + key
                    + ": undecided (search budget exhausted: more than " + maxStates + " states for " + ops.size() + " ops)");
            case NOT_LINEARIZABLE -> new Verdict(Verdict.Status.NOT_LINEARIZABLE, "key " + key + ": not linearizable; "
                    + new FailingWindow(ops, maxStates).describe());
        };
    }

    private static String singleKey(List<Operation> ops) {
        TreeSet<String> keys = new TreeSet<>();
        for (Operation op : ops) {
            keys.add(op.key());
            if (op.kind() == Operation.Kind.INCR) {
                throw new IllegalArgumentException("a register is written with SET and read with GET, not " + op.describe());
            }
        }
        if (keys.size() > 1) {
            throw new IllegalArgumentException("the history of one key was expected, found keys " + keys);
        }
        return keys.isEmpty() ? "(none)" : keys.first();
    }

    /**
     * The operations that constrain the register. An UNKNOWN SET whose value nobody read is dropped
     * too: leaving it out of a linearization never breaks one (no read sits between it and the next
     * write), and each optional write left in doubles the configurations the search may visit.
     */
    private static List<RegisterOp> registerOps(List<Operation> history) {
        Set<String> valuesRead = new HashSet<>();
        for (Operation op : history) {
            if (op.kind() == Operation.Kind.GET && op.outcome() == Operation.Outcome.OK) {
                valuesRead.add(op.result());
            }
        }
        List<RegisterOp> ops = new ArrayList<>();
        for (Operation op : history) {
            boolean write = op.kind() == Operation.Kind.SET;
            switch (op.outcome()) {
                case FAILED -> { }
                case UNKNOWN -> {
                    if (write && valuesRead.contains(op.argument())) {
                        ops.add(new RegisterOp(true, op.argument(), op.invokeNanos(), RegisterOp.NEVER, op));
                    }
                }
                case OK -> ops.add(new RegisterOp(write, write ? op.argument() : op.result(), op.invokeNanos(),
                        op.completeNanos(), op));
            }
        }
        return ops;
    }

    /** Finds and prints the smallest window of a non-linearizable history that fails on its own. */
    private static final class FailingWindow {
        private final List<RegisterOp> ops;
        private final long maxStates;

        FailingWindow(List<RegisterOp> ops, long maxStates) {
            this.ops = ops;
            this.maxStates = maxStates;
        }

        String describe() {
            long end = earliestFailingEnd();
            List<Long> starts = new ArrayList<>(new TreeSet<>(ops.stream().filter(op -> op.invokeNanos() <= end)
                    .map(RegisterOp::invokeNanos).toList()));
            // Index 0 stands for the whole prefix from nil, known to fail; later ones for windows from starts.get(i).
            int low = 0;
            int high = starts.size() - 1;
            while (low < high) {
                int middle = (low + high + 1) >>> 1;
                if (fails(window(starts.get(middle), end), LinearizationSearch.UNKNOWN_VALUE)) {
                    low = middle;
                } else {
                    high = middle - 1;
                }
            }
            boolean fromStart = low == 0;
            List<RegisterOp> window = fromStart ? window(Long.MIN_VALUE, end) : window(starts.get(low), end);
            return print(window, fromStart);
        }

        /** The earliest completion time by which the operations so far cannot be linearized. */
        private long earliestFailingEnd() {
            List<Long> ends = new ArrayList<>(new TreeSet<>(ops.stream().map(RegisterOp::completeNanos)
                    .filter(time -> time != RegisterOp.NEVER).toList()));
            // Failing is monotone in the end: a linearization of a longer prefix restricts to a shorter one.
            int low = 0;
            int high = ends.size() - 1; // the last end takes in the whole history, which fails
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (fails(window(Long.MIN_VALUE, ends.get(middle)), null)) {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            return ends.get(low);
        }

        private boolean fails(List<RegisterOp> window, Object initial) {
            return LinearizationSearch.run(window, initial, maxStates) == LinearizationSearch.Result.NOT_LINEARIZABLE;
        }

        /**
         * The operations seen between {@code start} and {@code end}, so that whenever the whole
         * history is linearizable, so is the window (from the right value before it). An operation
         * still running at {@code end} may take effect later: a write becomes optional, a read is
         * dropped. One that ended before {@code start} is dropped; one running at {@code start} may
         * have taken effect before it: likewise a write becomes optional and a read is dropped.
         */
        private List<RegisterOp> window(long start, long end) {
            List<RegisterOp> window = new ArrayList<>();
            for (RegisterOp op : ops) {
                if (op.invokeNanos() > end || op.completeNanos() < start) {
                    continue;
                }
                boolean straddles = op.invokeNanos() < start || op.completeNanos() > end;
                if (!straddles) {
                    window.add(op);
                } else if (op.write()) {
                    window.add(op.withCompletion(RegisterOp.NEVER));
                }
            }
            return window;
        }

        private static String print(List<RegisterOp> window, boolean fromStart) {
            long origin = window.stream().mapToLong(RegisterOp::invokeNanos).min().orElse(0);
            StringBuilder text = new StringBuilder().append("smallest failing window: ").append(window.size())
                    .append(" ops from ").append(Instant.EPOCH.plusNanos(origin)).append(" (").append(origin)
                    .append(" ns), the value before it ").append(fromStart ? "nil (the start of the history)" : "unknown")
                    .append(':');
            for (RegisterOp op : window) {
                Operation source = op.source();
                text.append("\n  ").append(offset(source.invokeNanos(), origin)).append(" .. ")
                        .append(source.completed() ? offset(source.completeNanos(), origin) : "?")
                        .append("  ").append(source.describe());
                if (source.completed() && op.completeNanos() == RegisterOp.NEVER) {
                    text.append(" (straddles the window's edge: may have taken effect outside it)");
                }
            }
            return text.toString();
        }

        private static String offset(long nanos, long origin) {
            return String.format(Locale.ROOT, "+%.3fms", (nanos - origin) / 1e6);
        }
    }
}
