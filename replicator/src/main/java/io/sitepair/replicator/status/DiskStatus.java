package io.sitepair.replicator.status;

/**
 * A site's disk records: its lineage (the epochs it went through) and its block map.
 *
 * @param recovered what an unclean stop left for the block map to assume; null after a clean one
 */
public record DiskStatus(String lineage, long records, long activityLogWrites, long hotExtents, String recovered) {}
