package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.InMemoryQuorum;
import io.sitepair.tiebreaker.InMemoryTiebreaker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The backup's half of failover, on an in-memory quorum, in one thread, with time passed in. */
class TakeoverTest {
    private static final long MS = 1_000_000;

    private final InMemoryQuorum quorum = new InMemoryQuorum();
    private final Queue<Runnable> retries = new ArrayDeque<>(); // asked again when the test says time passed
    private final List<String> fenced = new ArrayList<>();
    private long received = 42;
    private boolean protecting = true;
    private Takeover takeover;

    @BeforeEach
    void backupOfAInEpochOne() throws Exception {
        InMemoryTiebreaker b = quorum.connect();
        b.initialize(new EpochRecord(1, "a", 0, "a:6379"));
        Arbitration arbitration = new Arbitration(b, "b", new QuorumRetry(Runnable::run, retries::add), () -> 0);
        takeover = new Takeover(arbitration, "a", Duration.ofSeconds(1), new Takeover.Backup() {
            @Override
            public boolean protecting() {
                return protecting;
            }

            @Override
            public long received() {
                return received;
            }

            @Override
            public void stopAcknowledging(String why) {
                fenced.add(why);
            }
        });
    }

    @Test
    void aPrimaryNeverHeardHasNotFailedItHasNotStarted() {
        received = 0;
        takeover.check(true, 5_000 * MS);
        assertEquals(List.of(), fenced);
        assertFalse(takeover.primaryFailed());
    }

    @Test
    void aResyncingSiteHasNoPrimaryToTakeOverFrom() {
        protecting = false;
        takeover.check(true, 5_000 * MS);
        assertEquals(List.of(), fenced);
    }

    @Test
    void aSilentPrimaryIsFencedOffOnceAndTheBackupGoesLiveFromWhatItReplayed() throws Exception {
        takeover.check(true, 2_000 * MS);
        takeover.check(true, 2_100 * MS);
        assertEquals(List.of("primary 'a' failed; replaying to position 42"), fenced,
                "acknowledgements stop before anything is claimed, and only once");
        var outcome = takeover.claim(1, 42, "b:6379", 2_300 * MS, () -> false, () -> false).get();
        assertEquals(new Takeover.Outcome.Live(2), outcome);
        assertEquals(new EpochRecord(2, "b", 42, "b:6379"), quorum.record().orElseThrow());
        assertEquals("live in epoch 2 from position 42: detection 1000 ms (failure timeout), replay 300 ms,"
                + " arbitration 0 ms", takeover.failover());
    }

    @Test
    void aBackupThatClaimsWithoutAFailureIsAPlannedSwitchover() throws Exception {
        var outcome = takeover.claim(1, 42, "b:6379", 0, () -> false, () -> false).get();
        assertEquals(new Takeover.Outcome.Live(2), outcome);
        assertTrue(takeover.failover().endsWith("by a planned switchover: arbitration 0 ms"), takeover.failover());
    }

    @Test
    void aBackupThatLostToItsPrimaryHalts() throws Exception {
        quorum.connect().claim(1, "a", 50, "a:6379");
        takeover.check(true, 2_000 * MS);
        var outcome = takeover.claim(1, 42, "b:6379", 2_000 * MS, () -> false, () -> false).get();
        assertEquals(new Takeover.Outcome.Halt("site 'a' is live in epoch 2; this site must not serve"), outcome);
    }

    @Test
    void aBackupThatHadHeardTheLaterEpochRejoinsInsteadOfHalting() throws Exception {
        quorum.connect().claim(1, "a", 50, "a:6379");
        var outcome = takeover.claim(1, 42, "b:6379", 0, () -> false, () -> true).get();
        assertEquals(new Takeover.Outcome.Rejoin(), outcome);
    }

    @Test
    void withoutAQuorumTheClaimDecidesNothingUntilTheQuorumAnswers() throws Exception {
        quorum.loseQuorum();
        CompletableFuture<Takeover.Outcome> outcome =
                takeover.claim(1, 42, "b:6379", 0, () -> false, () -> false);
        retries.remove().run();
        assertFalse(outcome.isDone(), "asked again, still no quorum");
        quorum.regainQuorum();
        retries.remove().run();
        assertEquals(new Takeover.Outcome.Live(2), outcome.get());
    }

    @Test
    void aSiteStoppedWhileTheClaimWaitedDecidesNothing() throws Exception {
        quorum.loseQuorum();
        boolean[] stopping = {false};
        CompletableFuture<Takeover.Outcome> outcome =
                takeover.claim(1, 42, "b:6379", 0, () -> stopping[0], () -> false);
        stopping[0] = true;
        retries.remove().run();
        assertInstanceOf(Takeover.Outcome.Abandoned.class, outcome.get());
        quorum.regainQuorum();
        assertEquals(1, quorum.connect().current().epoch(), "no epoch was claimed");
    }
}
