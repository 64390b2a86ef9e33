package io.sitepair.replicator.resync;

import io.sitepair.disk.Stamp;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The backup's side of re-protection: where copied blocks and the copied VM state go. Called on
 * the backup's network loop, in the order the primary sent them. The plan and the completion may
 * finish off the loop (the quorum's inconsistent mark is a ZooKeeper write): the messages that
 * follow wait for them, the loop does not.
 */
public interface CopyTarget {
    /** Whether this site's disks are marked inconsistent, so it asks for a copy. */
    boolean wantsCopy();

    /** This site's disk history, which the primary compares with its own. */
    io.sitepair.disk.DiskHistory history();

    /** The start stamp of an interrupted copy from {@code source} that this site can resume; null: none. */
    Stamp resumable(String source);

    /** The blocks of {@code disk} the interrupted copy still lacks. */
    BitSet pending(int disk) throws IOException;

    /** Whether a copy can still be taken (replay has not started from anything else). */
    boolean acceptsCopy();

    /**
     * A copy from {@code source} begins, at its stamp {@code begun}, and will send {@code blocks}:
     * the disks are marked inconsistent and the plan is recorded durably before any block lands,
     * that is, before the returned future completes.
     */
    CompletableFuture<Void> plan(String source, Stamp begun, List<BitSet> blocks) throws IOException;

    /** {@code count} blocks from {@code first} on, held in {@code data} from {@code offset}. */
    void blocks(int disk, long first, int count, byte[] data, int offset) throws IOException;

    /** Blocks {@code first..first+count-1} are zeros at the source. */
    void zeros(int disk, long first, int count) throws IOException;

    /**
     * The copy is complete: the disks are the primary's at {@code position}, this is its VM state
     * there, and {@code lineage} the history of those disks. Entries are received once the
     * returned future completes.
     */
    CompletableFuture<Void> done(long position, long events, byte[] state, byte[] stateHash,
                                 List<io.sitepair.disk.Lineage.Entry> lineage) throws IOException;
}
