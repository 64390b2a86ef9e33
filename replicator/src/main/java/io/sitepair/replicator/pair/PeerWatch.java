package io.sitepair.replicator.pair;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Suspects the peer has failed when both its heartbeats and its channel traffic have been silent
 * for longer than the configured time (the failure timeout). It only reports; the site acts on
 * it, and only through the tiebreaker.
 *
 * <p>A silence is confirmed after the site's loop next reads its sockets: a check can run straight
 * after a long task of that loop (the guest paused for a re-protection's VM-state capture, a verify's
 * checksums), when what the peer sent meanwhile is still unread, and this site's own deafness must
 * not count as the peer's silence. The confirmation comes one loop pass later, not a timeout later.
 */
final class PeerWatch {
    private static final Logger LOG = LoggerFactory.getLogger(PeerWatch.class);

    private final String peer;
    private final long suspectAfterNanos;
    private final LongSupplier sinceHeartbeat;
    private final LongSupplier sinceTraffic;
    private final Executor afterNextRead;
    private volatile boolean suspected;
    private boolean announced; // the suspicion was logged
    private boolean confirming; // a silence awaits its confirmation

    /** {@code afterNextRead} runs a task on the site's loop once the loop has next read its sockets. */
    PeerWatch(String peer, Duration suspectAfter, LongSupplier nanosSinceHeartbeat, LongSupplier nanosSinceTraffic,
              Executor afterNextRead) {
        this.peer = peer;
        this.suspectAfterNanos = suspectAfter.toNanos();
        this.sinceHeartbeat = nanosSinceHeartbeat;
        this.sinceTraffic = nanosSinceTraffic;
        this.afterNextRead = afterNextRead;
    }

    /**
     * Runs tasks on {@code loop} after its next read of its sockets: scheduled, not executed, since
     * Netty moves the scheduled tasks that are due to its queue once per pass, after that pass's I/O.
     */
    static Executor afterNextRead(EventExecutor loop) {
        return task -> loop.schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    /** Re-evaluates; logs a line when the verdict changes. A new suspicion waits for its confirmation. */
    void check() {
        if (!suspected && silent(sinceHeartbeat.getAsLong(), sinceTraffic.getAsLong())) {
            if (!confirming) {
                confirming = true;
                afterNextRead.execute(this::confirm);
            }
            return;
        }
        judge();
    }

    private void confirm() {
        confirming = false;
        judge();
    }

    private boolean silent(long heartbeat, long traffic) {
        return (heartbeat < 0 || heartbeat > suspectAfterNanos) && traffic > suspectAfterNanos;
    }

    private void judge() {
        long heartbeat = sinceHeartbeat.getAsLong();
        long traffic = sinceTraffic.getAsLong();
        boolean silent = silent(heartbeat, traffic);
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
