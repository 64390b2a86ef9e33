package io.sitepair.replicator.vm;

/**
 * The guest trapped or broke the ABI. Deterministic: the same log makes the same guest fault at
 * the same point on both sites, so both halt the same way.
 */
public final class GuestFault extends VmException {
    public GuestFault(String message) {
        super(message);
    }

    public GuestFault(String message, Throwable cause) {
        super(message, cause);
    }
}
