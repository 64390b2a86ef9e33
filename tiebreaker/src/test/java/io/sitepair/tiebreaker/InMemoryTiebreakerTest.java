package io.sitepair.tiebreaker;

import static io.sitepair.tiebreaker.Tiebreaker.Connection.CONNECTED;
import static io.sitepair.tiebreaker.Tiebreaker.Connection.CONNECTING;
import static io.sitepair.tiebreaker.Tiebreaker.Connection.LOST;
import static io.sitepair.tiebreaker.Tiebreaker.Connection.SUSPENDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.tiebreaker.Tiebreaker.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract, and how the in-memory quorum's fault controls reach the handles: at once, on the caller's thread. */
class InMemoryTiebreakerTest extends TiebreakerContract {
    private final InMemoryQuorum quorum = new InMemoryQuorum();

    @Override
    Pair newPair() {
        InMemoryQuorum fresh = new InMemoryQuorum();
        return new Pair() {
            @Override
            public Tiebreaker connect() {
                return fresh.connect();
            }

            @Override
            public void loseQuorum() {
                fresh.loseQuorum();
            }

            @Override
            public void regainQuorum() {
                fresh.regainQuorum();
            }
        };
    }

    /** What a handle's listener heard, and on which thread. */
    private static List<Connection> listen(Tiebreaker handle) {
        List<Connection> heard = new ArrayList<>();
        Thread caller = Thread.currentThread();
        handle.onConnectionChange(c -> {
            assertEquals(caller, Thread.currentThread(), "told on the thread of the control");
            heard.add(c);
        });
        return heard;
    }

    @Test
    void aLostQuorumIsSuspendedThenLostOnceTheSessionsExpireAndConnectedWhenRegained() throws Exception {
        InMemoryTiebreaker a = quorum.connect();
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        List<Connection> heard = listen(a);
        quorum.loseQuorum();
        assertEquals(List.of(SUSPENDED), heard, "heard before the control returned");
        quorum.loseQuorum();
        quorum.expireSessions();
        quorum.expireSessions();
        assertEquals(List.of(SUSPENDED, LOST), heard, "each change once");
        NoQuorumException e = assertThrows(NoQuorumException.class, a::current);
        assertTrue(e.getMessage().contains("the in-memory quorum is lost"), e.getMessage());
        quorum.regainQuorum();
        quorum.expireSessions();
        assertEquals(List.of(SUSPENDED, LOST, CONNECTED), heard, "a connected session does not expire");
        assertEquals(CONNECTED, a.connection());
        assertTrue(a.confirm(1, "a"));
    }

    @Test
    void aPartitionCutsOffOneSiteAloneWhileTheOtherClaims() throws Exception {
        InMemoryTiebreaker a = quorum.connect();
        InMemoryTiebreaker b = quorum.connect();
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        List<Connection> heardA = listen(a);
        List<Connection> heardB = listen(b);
        quorum.partition(a);
        assertEquals(List.of(SUSPENDED), heardA);
        assertEquals(List.of(), heardB);
        NoQuorumException e = assertThrows(NoQuorumException.class, () -> a.confirm(1, "a"));
        assertTrue(e.getMessage().contains("partitioned"), e.getMessage());
        assertTrue(b.claim(1, "b", 10, "x:2").won());
        quorum.heal(a);
        assertEquals(List.of(SUSPENDED, CONNECTED), heardA);
        assertFalse(a.confirm(1, "a"), "the epoch passed while it was cut off");
    }

    @Test
    void aHealedSiteWaitsForTheQuorumAndHearsItsReturnOnce() throws Exception {
        InMemoryTiebreaker a = quorum.connect();
        List<Connection> heard = listen(a);
        quorum.partition(a);
        quorum.loseQuorum();
        quorum.heal(a);
        assertEquals(List.of(SUSPENDED), heard, "healed into a quorum that is lost: still cut off");
        quorum.regainQuorum();
        assertEquals(List.of(SUSPENDED, CONNECTED), heard);
    }

    @Test
    void aHandleConnectedWithoutAQuorumIsConnectingUntilItReachesIt() {
        quorum.loseQuorum();
        InMemoryTiebreaker a = quorum.connect();
        List<Connection> heard = listen(a);
        assertEquals(CONNECTING, a.connection());
        assertFalse(a.awaitConnected(Duration.ofSeconds(1)));
        quorum.expireSessions();
        assertEquals(List.of(), heard, "never connected: nothing to suspend or lose");
        assertThrows(NoQuorumException.class, () -> a.initialize(new EpochRecord(1, "a", 0, "x:1")));
        quorum.regainQuorum();
        assertEquals(List.of(CONNECTED), heard);
        assertTrue(a.awaitConnected(Duration.ZERO));
    }

    @Test
    void aClosedHandleHearsNothingMoreAndRefusesEverything() throws Exception {
        InMemoryTiebreaker a = quorum.connect();
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        List<Connection> heard = listen(a);
        a.close();
        quorum.loseQuorum();
        assertEquals(List.of(), heard);
        assertThrows(IllegalStateException.class, a::current);
        assertThrows(IllegalArgumentException.class, () -> quorum.partition(a));
    }

    @Test
    void aListenerMayAskItsHandleWhenTheQuorumReturns() throws Exception {
        InMemoryTiebreaker a = quorum.connect();
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        List<Boolean> confirmed = new ArrayList<>();
        a.onConnectionChange(c -> {
            if (c == CONNECTED) {
                try {
                    confirmed.add(a.confirm(1, "a"));
                } catch (NoQuorumException e) {
                    throw new AssertionError(e);
                }
            }
        });
        quorum.loseQuorum();
        quorum.regainQuorum();
        assertEquals(List.of(true), confirmed);
    }

    @Test
    void theSimulatorSeesTheRecordAndTheMarksWhateverTheFaults() throws Exception {
        InMemoryTiebreaker a = quorum.connect();
        assertEquals(Optional.empty(), quorum.record());
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        a.markInconsistent("b", true);
        quorum.loseQuorum();
        assertEquals(Optional.of(new EpochRecord(1, "a", 0, "x:1")), quorum.record());
        assertEquals(Set.of("b"), quorum.inconsistentSites());
    }
}
