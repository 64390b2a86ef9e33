package io.sitepair.replicator.nic;

/** A frame that does not parse as the protocol it claims: what is wrong, and in which header. */
public final class MalformedFrameException extends IllegalArgumentException {
    public MalformedFrameException(String message) {
        super(message);
    }
}
