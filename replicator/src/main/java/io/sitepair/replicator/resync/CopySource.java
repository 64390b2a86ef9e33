package io.sitepair.replicator.resync;

import io.sitepair.disk.DiskImage;
import io.sitepair.disk.WriteTracker;
import java.io.IOException;
import java.util.List;

/**
 * What re-protection copies from the primary: its disks, and its VM state captured between two
 * events. Every call runs on the primary's event loop, the thread that runs the guest, so a call
 * always falls between events.
 */
public interface CopySource {
    /** The VM between events: its log position, events delivered, state and SHA-256 state hash. */
    record Capture(long position, long events, byte[] state, byte[] stateHash) {}

    List<DiskImage> disks();

    /** From now on tell {@code tracker} of every block the guest writes ({@link WriteTracker#NONE}: stop). */
    void trackWrites(WriteTracker tracker);

    Capture capture() throws IOException;

    /** This site's disk history, to find what differs from the backup's. */
    io.sitepair.disk.DiskHistory history();
}
