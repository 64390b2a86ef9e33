package io.sitepair.replicator.resync;

import io.sitepair.disk.DiskImage;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import io.sitepair.replicator.status.ResyncPlanStatus;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a resync will copy, from the live site ({@code source}) to the returning one
 * ({@code target}): per disk the blocks, and how many of them each side wrote since the two
 * histories parted. Shown to operators ({@code sitepair resync}) before it runs.
 *
 * @param divergence   the last point both histories share; null: none (everything is copied)
 * @param resumedFrom  the source's stamp when the interrupted copy this one resumes began; null: a new copy
 * @param splitBrain   why both sites served on their own since the divergence; null: they did not
 * @param blocks       per disk, the blocks to copy
 * @param writtenHere  per disk, the blocks the source wrote since the divergence (or pending, when resumed: its part)
 * @param writtenThere per disk, the blocks the target wrote since the divergence (or still lacks, when resumed)
 */
public record ResyncPlan(String source, String target, Stamp divergence, Stamp resumedFrom, String splitBrain,
                         List<BitSet> blocks, long[] writtenHere, long[] writtenThere) {

    /** "full", "incremental from epoch 2 position 77" or "resumed (begun at epoch 3 position 900)". */
    public String kind() {
        if (resumedFrom != null) {
            return "resumed (interrupted copy begun at " + resumedFrom + ")";
        }
        return divergence == null ? "full (no shared history)" : "incremental from " + divergence;
    }

    public long totalBlocks() {
        return blocks.stream().mapToLong(BitSet::cardinality).sum();
    }

    public long totalBytes() {
        return totalBlocks() * DiskImage.BLOCK_SIZE;
    }

    /** For status: direction, kind, and per disk the blocks and bytes and who wrote them. */
    public ResyncPlanStatus describe() {
        List<ResyncPlanStatus.Disk> disks = new ArrayList<>();
        for (int d = 0; d < blocks.size(); d++) {
            Map<String, Long> writtenOn = new LinkedHashMap<>();
            writtenOn.put(source, writtenHere[d]);
            writtenOn.put(target, writtenThere[d]);
            long planned = blocks.get(d).cardinality();
            disks.add(new ResyncPlanStatus.Disk(d, planned, planned * DiskImage.BLOCK_SIZE, writtenOn));
        }
        return new ResyncPlanStatus(new ResyncPlanStatus.Direction(source, target), kind(),
                divergence == null ? "none" : divergence.toString(), splitBrain, disks, totalBlocks(), totalBytes());
    }

    /**
     * Why two lineages show a split-brain: the epochs each side served that the other never had,
     * e.g. "a served epoch 3 from position 900; b served epoch 3 from position 870".
     */
    public static String splitBrainDetail(String sourceSite, Lineage source, String targetSite, Lineage target) {
        return sourceSite + " served " + onlyIn(source, target, sourceSite) + "; " + targetSite + " served "
                + onlyIn(target, source, targetSite);
    }

    private static String onlyIn(Lineage mine, Lineage theirs, String site) {
        List<String> epochs = new ArrayList<>();
        for (Lineage.Entry e : mine.entries()) {
            if (e.primary().equals(site) && !theirs.entries().contains(e)) {
                epochs.add("epoch " + e.epoch() + " from position " + e.start());
            }
        }
        return epochs.isEmpty() ? "no epoch of its own" : String.join(", ", epochs);
    }
}
