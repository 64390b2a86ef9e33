package io.sitepair.replicator.status;

/** The figures of a finished re-protection ({@code last_resync}). */
public record ResyncSummary(String kind, long position, long plannedBlocks, long resentBlocks, long zeroBlocks,
                            long dataBytes, long wireBytes, long stateBytes, long tookMs, double pauseMs) {}
