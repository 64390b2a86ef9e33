package io.sitepair.replicator.vm;

/** Something that halts the VM: it cannot continue in lockstep after this. */
public class VmException extends RuntimeException {
    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
