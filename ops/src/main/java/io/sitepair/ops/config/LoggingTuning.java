package io.sitepair.ops.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the logging channel between the two sites; every value has a default so most configs omit the
 * {@code logging} section.
 *
 * @param bufferBytes bound on unsent plus unacknowledged log bytes on the primary, and on the backup's receive buffer
 * @param lagTarget execution lag above which the primary slows its event delivery
 * @param heartbeatInterval how often each site sends a UDP heartbeat
 * @param suspectAfter silence (no heartbeat, log or ack) after which the peer is reported as suspected failed
 * @param stateCheckInterval how often the primary logs a full VM state hash for the backup to compare
 * @param loggedReads true: disk-read data travels in the log instead of a checksum
 */
public record LoggingTuning(long bufferBytes, Duration lagTarget, Duration heartbeatInterval, Duration suspectAfter,
        Duration stateCheckInterval, boolean loggedReads) {

    public static final LoggingTuning DEFAULTS = new LoggingTuning(64L << 20, Duration.ofSeconds(1),
            Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5), false);

    /** Below this a scheduling hiccup or a GC pause would already look like a failed peer. */
    public static final Duration MIN_SUSPECT_AFTER = Duration.ofMillis(200);

    /** The failure timeout spans at least this many heartbeat intervals, so a late heartbeat or two is not a failure. */
    public static final int HEARTBEATS_PER_TIMEOUT = 3;

    public LoggingTuning {
        Objects.requireNonNull(lagTarget, "lagTarget");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(suspectAfter, "suspectAfter");
        Objects.requireNonNull(stateCheckInterval, "stateCheckInterval");
    }
}
