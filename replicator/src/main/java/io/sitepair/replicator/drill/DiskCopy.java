package io.sitepair.replicator.drill;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A disk's copy for a test clone, begun at the clone point: a {@link DiskCopier.Copied} clone,
 * complete at once, or a {@link BlockCopy} still being written while replay goes on.
 */
interface DiskCopy {
    Path target();

    DiskCopier.Method method();

    /** The bytes the copy holds so far. */
    long bytes();

    /** Waits until the copy holds the disk as it was at the clone point; throws why it cannot. */
    DiskCopier.Copied await() throws IOException, InterruptedException;

    /** Stops writing the copy and watching the disk; returns once nothing writes the copy any more. */
    void stop();
}
