package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogFormatException;

/** Replay cannot continue because the log is corrupt, truncated or ended inside a handler. */
public final class LogUnreadable extends VmException {
    LogUnreadable(LogFormatException cause) {
        super(cause.getMessage(), cause);
    }

    LogUnreadable(String message) {
        super(message);
    }

    /** The underlying format error, if the log itself is damaged. */
    public LogFormatException formatError() {
        return getCause() instanceof LogFormatException e ? e : null;
    }
}
