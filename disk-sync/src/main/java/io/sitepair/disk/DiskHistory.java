package io.sitepair.disk;

import java.io.IOException;
import java.util.BitSet;

/**
 * What one site can say about its disks' history when the two sites meet: its {@link Lineage},
 * how far it got in its last epoch, and which blocks it wrote after a point. Enough to find the
 * divergence point and the blocks to resync in both directions.
 */
public interface DiskHistory {
    Lineage lineage();

    /**
     * A position this site surely reached in its last epoch (a lower bound: a resync computed from
     * it may ship more than needed, never less).
     */
    long lastPosition();

    /** The blocks of {@code disk} (of {@code blocks}) this site wrote after {@code point}. */
    BitSet writtenAfter(int disk, long blocks, Stamp point) throws IOException;

    /**
     * This history as a site that knows exactly how far it is (a live site: its VM's position)
     * tells it: {@code lastPosition} instead of the lower bound its records give.
     */
    default DiskHistory at(java.util.function.LongSupplier lastPosition) {
        DiskHistory records = this;
        return new DiskHistory() {
            @Override
            public Lineage lineage() {
                return records.lineage();
            }

            @Override
            public long lastPosition() {
                return lastPosition.getAsLong();
            }

            @Override
            public BitSet writtenAfter(int disk, long blocks, Stamp point) throws IOException {
                return records.writtenAfter(disk, blocks, point);
            }
        };
    }

    /**
     * The resync plan for two sites: the stamp after which their histories differ, or null when
     * they share none (a full copy), and whether both served on their own since (a split-brain).
     */
    record Plan(Stamp divergence, boolean splitBrain) {}

    static Plan plan(Lineage source, long sourceLast, String sourceSite, Lineage target, long targetLast,
                     String targetSite) {
        Stamp shared = Lineage.divergence(source, sourceLast, sourceSite, target, targetLast, targetSite);
        if (shared == null) {
            return new Plan(null, false);
        }
        // A write stamped at the last shared position may already differ: a backup that went live
        // where its log ended finished that handler live. Only what came before is surely shared.
        Stamp point = new Stamp(shared.epoch(), shared.position() - 1);
        return new Plan(point, Lineage.splitBrain(source, sourceSite, target, targetSite, point));
    }
}
