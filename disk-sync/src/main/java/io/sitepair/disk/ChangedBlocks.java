package io.sitepair.disk;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * An in-memory {@link WriteTracker}: the set of blocks written on each disk since it was created.
 * One bit per block (a 1 GiB disk costs 32 KiB). Confined to the thread that runs the VM.
 */
public final class ChangedBlocks implements WriteTracker {
    private final List<BitSet> disks = new ArrayList<>();
    private final List<Long> blockCounts;

    public ChangedBlocks(List<Long> blockCounts) {
        this.blockCounts = List.copyOf(blockCounts);
        for (long blocks : blockCounts) {
            if (blocks > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a disk of " + blocks + " blocks is too large to track in memory");
            }
            disks.add(new BitSet((int) blocks));
        }
    }

    @Override
    public void written(int disk, long block, int count, long position) {
        disks.get(disk).set((int) block, (int) (block + count));
    }

    /** The changed blocks of {@code disk}, ascending. */
    public long[] blocks(int disk) {
        return disks.get(disk).stream().asLongStream().toArray();
    }

    /** Changed blocks on all disks. */
    public long count() {
        long count = 0;
        for (BitSet bits : disks) {
            count += bits.cardinality();
        }
        return count;
    }

    public List<Long> blockCounts() {
        return blockCounts;
    }
}
