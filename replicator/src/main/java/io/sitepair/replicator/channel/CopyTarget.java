package io.sitepair.replicator.channel;

import java.io.IOException;

/**
 * The backup's side of re-protection: where copied blocks and the copied VM state go. Called on
 * the backup's network loop, in the order the primary sent them.
 */
public interface CopyTarget {
    /** Whether this site's disks are marked inconsistent, so it asks for a copy. */
    boolean wantsCopy();

    /** This site's disk history, which the primary compares with its own. */
    io.sitepair.disk.DiskHistory history();

    /** Whether a copy can still be taken (replay has not started from anything else). */
    boolean acceptsCopy();

    /** Blocks from {@code first} on, {@code data} holding whole blocks; the first call marks the disks inconsistent. */
    void blocks(int disk, long first, byte[] data) throws IOException;

    /** The copy is complete: the disks are the primary's at {@code position}, and this is its VM state there. */
    void done(long position, long events, byte[] state, byte[] stateHash) throws IOException;
}
