package io.sitepair.ops.chaos;

import io.sitepair.ops.chaos.Operation.Kind;
import io.sitepair.ops.chaos.Operation.Outcome;

/** Builds operations for tests; times are plain numbers of nanoseconds. */
final class Ops {
    static final String KEY = "k";

    private Ops() {
    }

    static Operation set(int process, String value, long invoke, long complete) {
        return new Operation(process, Kind.SET, KEY, value, null, invoke, complete, Outcome.OK, "a");
    }

    static Operation get(int process, String value, long invoke, long complete) {
        return new Operation(process, Kind.GET, KEY, null, value, invoke, complete, Outcome.OK, "a");
    }

    static Operation unknownSet(int process, String value, long invoke) {
        return new Operation(process, Kind.SET, KEY, value, null, invoke, Long.MAX_VALUE, Outcome.UNKNOWN, null);
    }

    static Operation failedSet(int process, String value, long invoke, long complete) {
        return new Operation(process, Kind.SET, KEY, value, null, invoke, complete, Outcome.FAILED, null);
    }

    static Operation on(String key, Operation op) {
        return new Operation(op.process(), op.kind(), key, op.argument(), op.result(), op.invokeNanos(),
                op.completeNanos(), op.outcome(), op.site());
    }
}
