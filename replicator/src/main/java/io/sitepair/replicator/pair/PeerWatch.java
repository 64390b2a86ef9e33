package io.sitepair.replicator.pair;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Suspects the peer has failed when both its heartbeats and its channel traffic have been silent
 * for longer than the configured time (the failure timeout). It only reports; the site acts on
 * it, and only through the tiebreaker.
 */
final class PeerWatch {
    private static final Logger LOG = LoggerFactory.getLogger(PeerWatch.class);

    private final String peer;
    private final long suspectAfterNanos;
    private final LongSupplier sinceHeartbeat;
    private final LongSupplier sinceTraffic;
    private volatile boolean suspected;
    private boolean announced; // the suspicion was logged

    PeerWatch(String peer, Duration suspectAfter, LongSupplier nanosSinceHeartbeat, LongSupplier nanosSinceTraffic) {
        this.peer = peer;
        this.suspectAfterNanos = suspectAfter.toNanos();
        this.sinceHeartbeat = nanosSinceHeartbeat;
        this.sinceTraffic = nanosSinceTraffic;
    }

    /** Re-evaluates; logs a line when the verdict changes. */
    void check() {
        long heartbeat = sinceHeartbeat.getAsLong();
        long traffic = sinceTraffic.getAsLong();
        boolean silent = (heartbeat < 0 || heartbeat > suspectAfterNanos) && traffic > suspectAfterNanos;
        if (silent != suspected) {
            suspected = silent;
            // A peer never heard (a site just gone live, a peer not up yet) has not failed: the
            // verdict shows in status, and only a peer once heard is announced as lost and found.
            if (silent && heartbeat >= 0) {
                announced = true;
                LOG.warn("peer '{}' suspected failed: no heartbeat for {} ms, no channel traffic for {} ms", peer,
                        heartbeat / 1_000_000, traffic / 1_000_000);
            } else if (!silent && announced) {
                announced = false;
                LOG.info("peer '{}' is heard again", peer);
            }
        }
    }

    boolean suspected() {
        return suspected;
    }

    long msSinceHeartbeat() {
        long heartbeat = sinceHeartbeat.getAsLong();
        return heartbeat < 0 ? -1 : heartbeat / 1_000_000;
    }
}
