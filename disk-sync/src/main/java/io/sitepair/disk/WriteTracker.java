package io.sitepair.disk;

/**
 * Told of every block a VM writes, on the write path, before the write lands. Re-protection uses
 * it to find the blocks that changed while it copied; the RocksDB block maps of the disk-sync
 * work record the same calls durably.
 */
@FunctionalInterface
public interface WriteTracker {
    WriteTracker NONE = (disk, block, count) -> {};

    void written(int disk, long block, int count);
}
