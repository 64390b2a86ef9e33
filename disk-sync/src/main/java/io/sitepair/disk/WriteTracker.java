package io.sitepair.disk;

/**
 * Told of every block a VM writes, on the write path, before the write lands, with the log
 * position the VM had reached. Re-protection uses it to find the blocks that changed while it
 * copied; the {@link BlockMap} records the same calls durably.
 */
@FunctionalInterface
public interface WriteTracker {
    WriteTracker NONE = (disk, block, count, position) -> {};

    void written(int disk, long block, int count, long position);
}
