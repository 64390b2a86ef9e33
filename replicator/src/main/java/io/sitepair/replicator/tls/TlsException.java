package io.sitepair.replicator.tls;

/** A certificate, key or CA file that cannot be used, with what and where in the message. */
public final class TlsException extends RuntimeException {
    public TlsException(String message) {
        super(message);
    }

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
