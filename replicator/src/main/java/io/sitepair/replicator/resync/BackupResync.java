package io.sitepair.replicator.resync;

import io.sitepair.compression.BlockCodec;
import io.sitepair.disk.DiskHistory;
import io.sitepair.replicator.channel.IncomingCopy;
import java.util.List;

/**
 * The backup's side of resyncs: what its Welcome says about its disks, and a {@link CopyIntake}
 * per authenticated primary connection, writing into the site's {@link CopyTarget}.
 */
public final class BackupResync implements IncomingCopy {
    private final List<Long> diskBlocks;
    private final CopyTarget target;

    /** Takes copies of disks of {@code diskBlocks} blocks each into {@code target}. */
    public BackupResync(List<Long> diskBlocks, CopyTarget target) {
        this.diskBlocks = List.copyOf(diskBlocks);
        this.target = target;
    }

    @Override
    public Offer offer(String primary) {
        DiskHistory history = target.history();
        return new Offer(target.wantsCopy(), history.lineage().entries(), history.lastPosition(),
                target.resumable(primary));
    }

    @Override
    public Session open(String primary, BlockCodec codec, Link link) {
        return new CopyIntake(primary, diskBlocks, target, codec, link);
    }
}
