package io.sitepair.replicator.pair;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Suspects the peer has failed when both its heartbeats and its channel traffic have been silent
 * for longer than the configured time (the failure timeout). It only reports; the site acts on
 * it, and only through the tiebreaker.
 */
final class PeerWatch {
    private final String peer;
    private final long suspectAfterNanos;
    private final LongSupplier sinceHeartbeat;
    private final LongSupplier sinceTraffic;
    private volatile boolean suspected;

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
            System.err.println(silent
                    ? "sitepair: peer '" + peer + "' suspected failed: no heartbeat " + (heartbeat < 0 ? "ever"
                            : "for " + heartbeat / 1_000_000 + " ms") + ", no channel traffic for " + traffic / 1_000_000 + " ms"
                    : "sitepair: peer '" + peer + "' is heard again");
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
