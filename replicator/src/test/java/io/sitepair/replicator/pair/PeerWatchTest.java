package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/**
 * Suspicion of the peer on an injected clock, with the site's loop modelled: checks run as ticks,
 * and what the peer sent is heard only when the loop next reads ({@link #read}), which is also when
 * the tasks scheduled for after the next read run.
 */
class PeerWatchTest {
    private static final long MS = 1_000_000;

    private long now;
    private long heardAt; // the peer's last heartbeat the loop has read; -1: none yet
    private long trafficAt;
    private final ArrayDeque<Runnable> afterNextRead = new ArrayDeque<>();
    private final PeerWatch watch = new PeerWatch("a", Duration.ofSeconds(1),
            () -> heardAt < 0 ? -1 : now - heardAt, () -> now - trafficAt, afterNextRead::add);

    /** The loop reads its sockets at {@code ms}: the peer's messages sent meanwhile are heard if it sent any. */
    private void read(long ms, boolean peerSent) {
        now = ms * MS;
        if (peerSent) {
            heardAt = now;
            trafficAt = now;
        }
        while (!afterNextRead.isEmpty()) {
            afterNextRead.poll().run();
        }
    }

    private void tick(long ms) {
        now = ms * MS;
        watch.check();
    }

    @Test
    void thisSitesOwnStallDoesNotCountAsThePeersSilence() {
        read(0, true);
        tick(100);
        // The loop is busy from 100 to 1400 ms (the guest paused for a VM-state capture); the peer
        // keeps sending, unread. The first tick after the stall runs before the loop reads again.
        tick(1400);
        assertFalse(watch.suspected(), "the peer's heartbeats of the stall are not read yet");
        read(1401, true);
        assertFalse(watch.suspected(), "they were there: the peer never was silent");
        tick(1500);
        assertFalse(watch.suspected());
    }

    @Test
    void aPeerStillSilentAfterTheNextReadIsSuspectedOneLoopPassLaterNotATickLater() {
        read(0, true);
        for (long t = 100; t <= 1000; t += 100) {
            tick(t);
            read(t + 1, false);
            assertFalse(watch.suspected(), "at " + t + " ms");
        }
        tick(1100);
        tick(1100); // a second look before the read asks for no second confirmation
        assertEquals(1, afterNextRead.size());
        read(1101, false);
        assertTrue(watch.suspected(), "silent for 1101 ms, confirmed by the read that followed the tick");
        assertEquals(1_101, watch.msSinceHeartbeat());
    }

    @Test
    void aSuspectedPeerHeardAgainIsClearedAtTheNextTick() {
        read(0, true);
        tick(1100);
        read(1101, false);
        assertTrue(watch.suspected());
        read(1200, true);
        tick(1250);
        assertFalse(watch.suspected());
        assertTrue(afterNextRead.isEmpty(), "clearing a suspicion needs no confirmation");
    }

    @Test
    void aPeerNeverHeardIsSuspectedOnlyOnceItsChannelIsSilentToo() {
        heardAt = -1;
        read(0, false);
        tick(900);
        read(901, false);
        assertFalse(watch.suspected(), "channel quiet for 901 ms only");
        tick(1100);
        read(1101, false);
        assertTrue(watch.suspected());
    }
}
