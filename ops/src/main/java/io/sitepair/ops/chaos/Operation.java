package io.sitepair.ops.chaos;

import java.time.Instant;
import java.util.Objects;

/**
 * One client operation as the client saw it.
 *
 * <p>Times are nanoseconds since the Unix epoch (wall clock). {@code completeNanos} is
 * {@link Long#MAX_VALUE} exactly when the outcome is {@link Outcome#UNKNOWN}: the operation may
 * take effect at any time after its invocation, or never.
 *
 * <ul>
 *   <li>SET: {@code argument} is the value written, {@code result} is null.
 *   <li>GET: {@code result} is the value read, null for nil.
 *   <li>INCR: {@code result} is the new value (decimal) when OK.
 * </ul>
 *
 * {@code site} is the site ("a"/"b") whose address answered, null if none did.
 */
public record Operation(int process, Kind kind, String key, String argument, String result,
                        long invokeNanos, long completeNanos, Outcome outcome, String site) {

    /** The Redis commands the workload issues. */
    public enum Kind { SET, GET, INCR }

    /** What the client learnt about the operation. */
    public enum Outcome {
        /** Acknowledged by a site. */
        OK,
        /** Definitely not applied (e.g. connection refused before sending). */
        FAILED,
        /** No answer: the operation may have taken effect, at any time after its invocation, or not at all. */
        UNKNOWN
    }

    /** The process number of a read made after the cycle, printed as "final read". */
    public static final int FINAL_READ_PROCESS = -1;

    public Operation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(outcome, "outcome");
        if ((outcome == Outcome.UNKNOWN) != (completeNanos == Long.MAX_VALUE)) {
            throw new IllegalArgumentException("completeNanos must be Long.MAX_VALUE exactly when the outcome is UNKNOWN, not "
                    + (completeNanos == Long.MAX_VALUE ? "never completed" : completeNanos) + " with " + outcome);
        }
        if (completeNanos < invokeNanos) {
            throw new IllegalArgumentException("completed (" + completeNanos + ") before it was invoked (" + invokeNanos + ")");
        }
        if (kind == Kind.SET && argument == null) {
            throw new IllegalArgumentException("a SET needs the value it writes as its argument");
        }
    }

    /** Whether the client knows when the operation ended, i.e. it was not left UNKNOWN. */
    public boolean completed() {
        return completeNanos != Long.MAX_VALUE;
    }

    /** One readable line without the times, e.g. {@code p3 SET k1 "v7" OK at a}. */
    public String describe() {
        String what = switch (kind) {
            case SET -> "SET " + key + " " + quoted(argument);
            case GET -> "GET " + key + (outcome == Outcome.OK ? " -> " + quoted(result) : "");
            case INCR -> "INCR " + key + (outcome == Outcome.OK ? " -> " + result : "");
        };
        String who = process == FINAL_READ_PROCESS ? "final read:" : "p" + process;
        return who + " " + what + " " + outcome + (site == null ? "" : " at " + site);
    }

    /** {@link #describe()} followed by the invocation and completion times, e.g. {@code [2025-06-01T10:00:00.000000001Z .. ?]}. */
    public String describeWithTimes() {
        return describe() + " [" + time(invokeNanos) + " .. " + (completed() ? time(completeNanos) : "?") + "]";
    }

    static String time(long nanosSinceEpoch) {
        return Instant.EPOCH.plusNanos(nanosSinceEpoch).toString();
    }

    static String quoted(String value) {
        return value == null ? "nil" : '"' + value + '"';
    }
}
