package io.sitepair.replicator.log;

import java.io.IOException;

/** A log that cannot be read: bad header, corrupt entry or truncated tail. */
public class LogFormatException extends IOException {
    public LogFormatException(String message) {
        super(message);
    }
}
