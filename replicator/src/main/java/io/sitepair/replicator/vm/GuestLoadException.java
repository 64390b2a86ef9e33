package io.sitepair.replicator.vm;

/** A guest module that this host refuses to run, with the reason. */
public final class GuestLoadException extends RuntimeException {
    public GuestLoadException(String message) {
        super(message);
    }
}
