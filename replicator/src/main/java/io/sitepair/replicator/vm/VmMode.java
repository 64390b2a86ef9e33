package io.sitepair.replicator.vm;

/** How the VM gets its non-deterministic inputs. */
public enum VmMode {
    /** Inputs from the real world, nothing logged (an unprotected VM). */
    LIVE,
    /** Inputs from the real world, each logged; outputs carry their log position (the primary). */
    RECORD,
    /** Inputs from the log; outputs checked against it and suppressed (the backup). */
    REPLAY
}
