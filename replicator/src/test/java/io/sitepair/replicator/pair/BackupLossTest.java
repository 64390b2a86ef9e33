package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.InMemoryQuorum;
import io.sitepair.tiebreaker.InMemoryTiebreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The primary's half of failover, on an in-memory quorum, with time passed in. */
class BackupLossTest {
    private static final long MS = 1_000_000;

    private final InMemoryQuorum quorum = new InMemoryQuorum();
    private final FakePrimary primary = new FakePrimary();
    private InMemoryTiebreaker a;
    private BackupLoss loss;

    @BeforeEach
    void pairInEpochOne() throws Exception {
        a = quorum.connect();
        a.initialize(new EpochRecord(1, "a", 0, "a:6379"));
        loss = new BackupLoss(new Arbitration(a, "a"), "a", "b", "a:6379", Duration.ofSeconds(1), primary);
    }

    @Test
    void aBackupNeverHeardIsALateStartNotAFailure() {
        loss.check(true, 5_000 * MS);
        assertNull(primary.nextTask(200), "no claim before the backup ever streamed");
        assertEquals(1, quorum.record().orElseThrow().epoch());
    }

    @Test
    void aSilentBackupMakesThePrimaryClaimTheNextEpochAndGoOnAlone() throws Exception {
        loss.linkChanged(true, 0);
        loss.check(true, 2_000 * MS);
        primary.runNext();
        assertEquals(List.of("won 2 from 42: backup 'b' failed"), primary.events);
        assertEquals(new EpochRecord(2, "a", 42, "a:6379"), quorum.record().orElseThrow());
    }

    @Test
    void aChannelDownPastTheFailureTimeoutCountsAsAFailedBackupEvenWhileHeartbeatsArrive() throws Exception {
        loss.linkChanged(true, 0);
        loss.linkChanged(false, 1_000 * MS);
        loss.check(false, 1_900 * MS);
        assertNull(primary.nextTask(200), "0.9 s down is within the failure timeout");
        loss.check(false, 2_100 * MS);
        primary.runNext();
        assertEquals(List.of("won 2 from 42: the logging channel to backup 'b' has been down for 1100 ms"),
                primary.events);
    }

    @Test
    void aBackupThatWentLiveFirstHaltsThePrimary() throws Exception {
        quorum.connect().claim(1, "b", 40, "b:6379");
        loss.linkChanged(true, 0);
        loss.check(true, 2_000 * MS);
        primary.runNext();
        assertEquals(1, primary.events.size(), primary.events.toString());
        assertTrue(primary.events.getFirst().startsWith("halt: site 'b' went live in epoch 2"), primary.events.toString());
    }

    @Test
    void duringASwitchoverTheBackupTakingTheEpochIsTheSwitchoverSucceeding() throws Exception {
        primary.switchingOver = true;
        quorum.connect().claim(1, "b", 42, "b:6379");
        loss.linkChanged(true, 0);
        loss.check(true, 2_000 * MS);
        primary.runNext();
        assertTrue(primary.events.isEmpty(), "neither halted nor live alone: " + primary.events);
        loss.check(true, 3_000 * MS);
        assertNull(primary.nextTask(300), "the epoch is the backup's now: nothing more to claim");
    }

    @Test
    void withoutAQuorumTheClaimWaitsAndDecidesNothingUntilTheQuorumIsBack() throws Exception {
        loss.linkChanged(true, 0);
        quorum.loseQuorum();
        loss.check(true, 2_000 * MS);
        assertNull(primary.nextTask(500), "no quorum: no decision");
        loss.check(true, 3_000 * MS);
        quorum.regainQuorum();
        primary.runNext();
        assertEquals(List.of("won 2 from 42: backup 'b' failed"), primary.events, "one claim, not one per tick");
        assertNull(primary.nextTask(300));
    }

    @Test
    void aClaimStillWaitingWhenTheSiteEndsGivesUp() throws Exception {
        loss.linkChanged(true, 0);
        quorum.loseQuorum();
        loss.check(true, 2_000 * MS);
        primary.ended = true;
        quorum.regainQuorum();
        assertNull(primary.nextTask(600));
        assertEquals(1, quorum.record().orElseThrow().epoch(), "the ended site claimed nothing");
    }

    /** The primary's side, with its loop as a queue the test drains. */
    private static final class FakePrimary implements BackupLoss.Primary {
        final BlockingQueue<Runnable> loop = new LinkedBlockingQueue<>();
        final List<String> events = new ArrayList<>();
        volatile boolean switchingOver;
        volatile boolean ended;

        Runnable nextTask(long waitMs) {
            try {
                return loop.poll(waitMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        void runNext() {
            Runnable task = nextTask(5_000);
            assertNotNull(task, "the claim answered");
            task.run();
        }

        @Override
        public boolean protectedPrimary() {
            return events.isEmpty();
        }

        @Override
        public boolean switchingOver() {
            return switchingOver;
        }

        @Override
        public long epoch() {
            return 1;
        }

        @Override
        public long position() {
            return 42;
        }

        @Override
        public void wonEpoch(long epoch, long position, String why) {
            events.add("won " + epoch + " from " + position + ": " + why);
        }

        @Override
        public void halt(String why) {
            events.add("halt: " + why);
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public void onLoop(Runnable task) {
            assertFalse(ended, "nothing is handed to an ended site's loop");
            loop.add(task);
        }
    }
}
