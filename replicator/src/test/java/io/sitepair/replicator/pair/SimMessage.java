package io.sitepair.replicator.pair;

import java.util.List;

/** What the simulated sites send each other: the log and its acknowledgements, heartbeats, and a copy. */
sealed interface SimMessage {
    /** The log entry at {@code position}, written in {@code epoch}; {@code switchover} marks a planned handover. */
    record Entry(long epoch, long position, boolean switchover) implements SimMessage {}

    /** The backup (its run {@code run}) holds every entry of {@code epoch} up to {@code position}. */
    record Ack(long epoch, long position, long run) implements SimMessage {}

    /**
     * The sender is alive, in {@code epoch}; {@code returningRun}: the run of it that waits for a
     * copy (0: none), as a real returning site says in its handshake.
     */
    record Heartbeat(long epoch, long returningRun) implements SimMessage {}

    /** Re-protection: the live site's disks as of {@code position} in {@code epoch}. */
    record Copy(long epoch, long position, List<SimDisk.Run> disk) implements SimMessage {}
}
