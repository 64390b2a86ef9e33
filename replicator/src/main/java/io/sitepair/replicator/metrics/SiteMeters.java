package io.sitepair.replicator.metrics;

/**
 * What a site tells its metrics as things happen, beyond what its status shows: how long outputs
 * were held and fsyncs took, and the events an operator counts over a process's life (faults,
 * divergences, failovers, copies, verifies). One recorder lives as long as the site's process,
 * across the roles it takes, so its counts do not restart when the site does.
 *
 * <p>Called on the site's hot paths (an output released, a disk written) from the threads that do
 * the work: an implementation must be cheap, thread-safe and never block. Every method does
 * nothing by default; {@link #NONE} is a site without metrics.
 */
public interface SiteMeters {
    SiteMeters NONE = new SiteMeters() {};

    /** How long each part of a failover took, in milliseconds (detection is the failure timeout). */
    record Failover(long detectionMs, long replayMs, long arbitrationMs) {}

    /** An output left the serving site after waiting {@code heldNanos} (backup, disk flush, quorum); 0: it did not wait. */
    default void outputReleased(long heldNanos) {}

    /** One fsync round of the site's disks took {@code nanos}. */
    default void disksFlushed(long nanos) {}

    /** The guest wrote to one of the site's disks (one write, of any number of blocks). */
    default void diskWritten() {}

    /** The guest trapped: the site halts. */
    default void guestFaulted() {}

    /** Replay on this backup diverged from its primary's log: the backup halts. */
    default void diverged() {}

    /** This backup's VM state matched its primary's at a logged state check. */
    default void stateCheckPassed() {}

    /** This backup went live after its primary failed, taking {@code took}. */
    default void failedOver(Failover took) {}

    /** This backup went live by a planned switchover. */
    default void switchedOver() {}

    /** This live site protects a returning site again: the returning site holds its copy. */
    default void reprotected() {}

    /** This returning site received the live site's copy in full. */
    default void resynced() {}

    /** An online verify found {@code differingBlocks} blocks differing between the sites (0: none). */
    default void verified(long differingBlocks) {}
}
