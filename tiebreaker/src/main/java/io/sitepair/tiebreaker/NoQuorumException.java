package io.sitepair.tiebreaker;

/** ZooKeeper could not be reached with a quorum behind it; nothing was decided. */
public final class NoQuorumException extends Exception {
    public NoQuorumException(String message, Throwable cause) {
        super(message, cause);
    }
}
