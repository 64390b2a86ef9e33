package io.sitepair.replicator.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The logging channel's liveness verdicts, on an injected clock (milliseconds written as nanoseconds). */
class ChannelLivenessTest {
    private static final long MS = 1_000_000;
    private static final long TIMEOUT = 1000 * MS;

    @Test
    void anIdleChannelWhoseKeepalivesArriveStaysUp() {
        ChannelLiveness liveness = new ChannelLiveness(TIMEOUT, 0);
        for (long t = 100; t <= 10_000; t += 100) {
            liveness.acknowledged(false, true, t * MS);
            assertNull(liveness.verdict(t * MS + 50 * MS), "at " + t + " ms");
        }
    }

    @Test
    void aChannelThatCarriesNothingForTheFailureTimeoutIsDown() {
        ChannelLiveness liveness = new ChannelLiveness(TIMEOUT, 0);
        liveness.acknowledged(false, true, 200 * MS);
        assertNull(liveness.verdict(1200 * MS));
        String down = liveness.verdict(1201 * MS);
        assertNotNull(down);
        assertTrue(down.contains("nothing heard") && down.contains("1001 ms"), down);
    }

    @Test
    void keepalivesWithoutProgressWhileEntriesWaitMeanAOneWayStall() {
        ChannelLiveness liveness = new ChannelLiveness(TIMEOUT, 0);
        liveness.sent(500 * MS);
        for (long t = 600; t <= 1500; t += 100) {
            liveness.acknowledged(false, false, t * MS); // the backup answers, but holds nothing new
            assertNull(liveness.verdict(t * MS), "at " + t + " ms the entries have waited less than the timeout");
        }
        liveness.acknowledged(false, false, 1600 * MS);
        String down = liveness.verdict(1600 * MS);
        assertNotNull(down, "entries sent at 500 ms, unacknowledged at 1600 ms");
        assertTrue(down.contains("no acknowledgement") && down.contains("1100 ms"), down);
    }

    @Test
    void aSlowButAdvancingBackupIsNotAStall() {
        ChannelLiveness liveness = new ChannelLiveness(TIMEOUT, 0);
        for (long t = 0; t <= 10_000; t += 300) {
            liveness.sent(t * MS); // always something in flight
            liveness.acknowledged(true, false, t * MS + 250 * MS); // each acknowledgement moves forward
            assertNull(liveness.verdict(t * MS + 299 * MS), "at " + t + " ms");
        }
    }

    @Test
    void theWaitForAnAcknowledgementStartsWhenEntriesAreSentNotAtTheLastProgress() {
        ChannelLiveness liveness = new ChannelLiveness(TIMEOUT, 0);
        liveness.acknowledged(true, true, 100 * MS);
        for (long t = 200; t <= 5000; t += 100) {
            liveness.acknowledged(false, true, t * MS); // idle keepalives: nothing pending
        }
        liveness.sent(5000 * MS);
        assertNull(liveness.verdict(5900 * MS), "sent 900 ms ago, after a long idle spell");
        liveness.acknowledged(true, true, 5950 * MS);
        assertNull(liveness.verdict(8000 * MS - 1500 * MS));
    }

    @Test
    void quietTimeIsTheLongerOfSilenceAndAStalledAcknowledgement() {
        ChannelLiveness liveness = new ChannelLiveness(TIMEOUT, 0);
        liveness.acknowledged(true, true, 100 * MS);
        assertEquals(300 * MS, liveness.quietNanos(400 * MS), "idle and silent since 100 ms");
        liveness.sent(400 * MS);
        liveness.acknowledged(false, false, 700 * MS); // a keepalive, no progress
        assertEquals(400 * MS, liveness.quietNanos(800 * MS), "entries waiting since 400 ms");
        liveness.acknowledged(true, true, 850 * MS);
        assertEquals(50 * MS, liveness.quietNanos(900 * MS));
    }
}
