package io.sitepair.ops.chaos;

/**
 * A register operation as the linearizability search sees it: a write of {@code value} or a read
 * that returned {@code value}, somewhere in [invoke, complete]. A complete of {@link Long#MAX_VALUE}
 * makes it optional: it may take effect at any time after its invocation, or never (for a read,
 * which changes nothing, that is the same as not being there).
 */
record RegisterOp(boolean write, String value, long invokeNanos, long completeNanos, Operation source) {
    static final long NEVER = Long.MAX_VALUE;

    boolean optional() {
        return completeNanos == NEVER;
    }

    RegisterOp withCompletion(long completeNanos) {
        return new RegisterOp(write, value, invokeNanos, completeNanos, source);
    }
}
