package io.sitepair.replicator.channel;

import java.time.Duration;

/**
 * The logging channel's liveness timing: the backup acknowledges at least every {@code keepalive}
 * (so an idle channel is never silent), and a connection that carries nothing, or no progress
 * while entries are pending, for {@code failureTimeout} counts as down (see {@link ChannelLiveness}).
 * The failure timeout is the pair's {@code logging.suspect-after}, the keepalive its heartbeat interval.
 */
public record LinkTiming(Duration keepalive, Duration failureTimeout) {
    public static final LinkTiming DEFAULTS = new LinkTiming(Duration.ofMillis(100), Duration.ofSeconds(1));

    public LinkTiming {
        if (keepalive.compareTo(failureTimeout) >= 0) {
            throw new IllegalArgumentException("keepalive " + keepalive + " must be below the failure timeout "
                    + failureTimeout);
        }
    }
}
