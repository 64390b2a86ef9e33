package io.sitepair.ops.site;

/**
 * A refusal or a failure the operator acts on (a missing disk image, no ZooKeeper quorum), not a
 * bug: {@code sitepair} reports it in one line, without a stack trace, and exits 1.
 */
public final class OperatorError extends IllegalStateException {
    public OperatorError(String message) {
        super(message);
    }

    public OperatorError(String message, Throwable cause) {
        super(message, cause);
    }
}
