package io.sitepair.tiebreaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.tiebreaker.Tiebreaker.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Tiebreaker} does, as the sites rely on it; a subclass runs it against one
 * implementation. Listener checks wait for what they expect, since ZooKeeper's handles hear on
 * Curator's thread (the in-memory ones have heard by the time the control returns).
 */
@Timeout(60)
abstract class TiebreakerContract {
    /** One pair's arbitration, fresh for each test, with its quorum under the test's control. */
    interface Pair {
        /** A new handle on the pair, connected. */
        Tiebreaker connect() throws Exception;

        /** Takes the quorum away from every handle. */
        void loseQuorum() throws Exception;

        /** Gives the quorum back (handles may need a while to reconnect). */
        void regainQuorum() throws Exception;
    }

    abstract Pair newPair() throws Exception;

    private Pair pair;
    private final List<Tiebreaker> opened = new ArrayList<>();

    @BeforeEach
    void startPair() throws Exception {
        pair = newPair();
    }

    @AfterEach
    void closeHandles() {
        opened.forEach(Tiebreaker::close);
    }

    private Tiebreaker connect() throws Exception {
        Tiebreaker handle = pair.connect();
        opened.add(handle);
        return handle;
    }

    @Test
    void theFirstInitializationHoldsAndASecondLosesHarmlessly() throws Exception {
        Tiebreaker a = connect();
        Tiebreaker b = connect();
        EpochRecord first = a.initialize(new EpochRecord(1, "a", 0, "127.0.0.1:1"));
        assertEquals(new EpochRecord(1, "a", 0, "127.0.0.1:1"), first);
        assertEquals(first, b.initialize(new EpochRecord(1, "b", 0, "127.0.0.1:2")), "the second creation loses");
        assertEquals(first, b.current());
    }

    @Test
    void oneDrillHoldsTheLockUntilItReleasesItOrItsSessionEnds() throws Exception {
        Tiebreaker first = connect();
        Tiebreaker second = connect();
        DrillLock lock = first.lockDrill("host1 pid 7: test drill since 10:00:00Z");
        DrillLock.Taken taken = assertThrows(DrillLock.Taken.class, () -> second.lockDrill("host2 pid 9"));
        assertTrue(taken.getMessage().contains("host1 pid 7: test drill"), taken.getMessage());
        lock.close();
        lock.close(); // twice: nothing more
        second.lockDrill("host2 pid 9"); // released: free again
        assertThrows(DrillLock.Taken.class, () -> first.lockDrill("host1 pid 8"));
        second.close(); // a killed drill: its session ends
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            while (true) {
                try {
                    first.lockDrill("host1 pid 8").close();
                    return;
                } catch (DrillLock.Taken stillHeld) {
                    Thread.sleep(50);
                }
            }
        });
    }

    @Test
    void nothingIsReadFromAPairNeverInitialized() throws Exception {
        Tiebreaker a = connect();
        assertThrows(IllegalStateException.class, a::current);
        assertThrows(IllegalStateException.class, () -> a.claim(1, "a", 0, "x:1"));
    }

    @Test
    void exactlyOneOfTwoRacingClaimantsWinsEachEpoch() throws Exception {
        Tiebreaker a = connect();
        Tiebreaker b = connect();
        a.initialize(new EpochRecord(1, "a", 0, "127.0.0.1:1"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 30; round++) {
                long seen = a.current().epoch();
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Claim>> claims = new ArrayList<>();
                for (var t : List.of(a, b)) {
                    String site = t == a ? "a" : "b";
                    claims.add(pool.submit(() -> {
                        start.await();
                        return t.claim(seen, site, 100L * seen, "127.0.0.1:" + (t == a ? 1 : 2));
                    }));
                }
                Claim ca = claims.get(0).get(30, TimeUnit.SECONDS);
                Claim cb = claims.get(1).get(30, TimeUnit.SECONDS);
                assertTrue(ca.won() ^ cb.won(), "round " + round + ": exactly one winner, got " + ca + " and " + cb);
                Claim winner = ca.won() ? ca : cb;
                Claim loser = ca.won() ? cb : ca;
                assertEquals(seen + 1, winner.record().epoch());
                assertEquals(winner.record(), loser.record(), "the loser learns who won");
                assertNull(loser.refusal(), "losing a race is no refusal");
                assertEquals(winner.record(), b.current());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClaimFromAnEpochAlreadyPassedLosesAndChangesNothing() throws Exception {
        Tiebreaker a = connect();
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        assertTrue(a.confirm(1, "a"));
        assertTrue(a.claim(1, "b", 50, "x:2").won());
        Claim stale = a.claim(1, "a", 60, "x:1");
        assertFalse(stale.won());
        assertEquals(new EpochRecord(2, "b", 50, "x:2"), stale.record());
        assertFalse(a.claim(5, "a", 60, "x:1").won(), "an epoch never seen is no better");
        assertTrue(a.confirm(2, "b"));
        assertFalse(a.confirm(2, "a"));
        assertFalse(a.confirm(1, "a"), "the epoch passed: its live site is told so");
        assertEquals(new EpochRecord(2, "b", 50, "x:2"), a.current(), "nothing changed");
    }

    /**
     * A claim whose answer was lost with the connection is asked again: it finds its own write
     * applied and has won, where any other claim for that epoch has lost. (The primary read its
     * own applied claim as another site's and halted, in CI.)
     */
    @Test
    void aClaimAskedAgainAfterItsWriteWasAppliedHasWon() throws Exception {
        Tiebreaker a = connect();
        a.initialize(new EpochRecord(1, "b", 0, "x:2"));
        assertTrue(a.claim(1, "a", 70, "x:1").won());
        Claim again = a.claim(1, "a", 70, "x:1");
        assertTrue(again.won(), again.toString());
        assertEquals(new EpochRecord(2, "a", 70, "x:1"), again.record());
        assertFalse(a.claim(1, "a", 71, "x:1").won(), "a claim from another position is another decision");
        assertFalse(a.claim(1, "b", 70, "x:1").won());
        assertEquals(new EpochRecord(2, "a", 70, "x:1"), a.current(), "nothing changed");
    }

    @Test
    void aSiteWhoseDisksAreMarkedInconsistentCannotClaimUntilTheMarkIsCleared() throws Exception {
        Tiebreaker a = connect();
        Tiebreaker b = connect();
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        b.markInconsistent("b", true);
        a.markInconsistent("b", true);
        a.markInconsistent("c", true);
        Claim refused = b.claim(1, "b", 10, "x:2");
        assertFalse(refused.won());
        assertTrue(refused.refusal().contains("inconsistent"), refused.refusal());
        assertEquals(new EpochRecord(1, "a", 0, "x:1"), refused.record());
        assertEquals(1, a.current().epoch(), "a refused claim changes nothing");
        b.markInconsistent("b", false);
        assertTrue(b.claim(1, "b", 10, "x:2").won(), "cleared once, however often it was set");
        assertFalse(a.claim(2, "c", 10, "x:3").won(), "another site's mark stays");
        a.markInconsistent("b", true);
        assertTrue(b.claim(1, "b", 10, "x:2").won(), "a claim already applied is still won when asked again");
    }

    @Test
    void withoutAQuorumNothingIsGrantedAndTheClientSaysSo() throws Exception {
        Tiebreaker a = connect();
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        List<Connection> heard = new CopyOnWriteArrayList<>();
        a.onConnectionChange(heard::add);
        pair.loseQuorum();
        try {
            assertThrows(NoQuorumException.class, () -> a.claim(1, "a", 10, "x:1"));
            await("the loss is heard: " + heard, () -> !heard.isEmpty());
            assertTrue(heard.getFirst() == Connection.SUSPENDED || heard.getFirst() == Connection.LOST, "heard " + heard);
            assertNotEquals(Connection.CONNECTED, a.connection());
        } finally {
            pair.regainQuorum();
        }
        assertTrue(a.awaitConnected(Duration.ofSeconds(30)));
        await("the return is heard: " + heard, () -> heard.getLast() == Connection.CONNECTED);
        assertEquals(Connection.CONNECTED, a.connection());
        assertEquals(1, a.current().epoch(), "no claim went through without the quorum");
        assertTrue(a.claim(1, "a", 10, "x:1").won());
    }

    @Test
    void everyListenerHearsEvenWhenAnEarlierOneFailsAndAClosedOneHearsNothing() throws Exception {
        Tiebreaker a = connect();
        a.initialize(new EpochRecord(1, "a", 0, "x:1"));
        List<Connection> closedHeard = new CopyOnWriteArrayList<>();
        List<Connection> heard = new CopyOnWriteArrayList<>();
        AtomicInteger failed = new AtomicInteger();
        // A role that ended (its event loop gone) and the current role, registered in that order.
        Tiebreaker.Registration stale = a.onConnectionChange(c -> {
            failed.incrementAndGet();
            throw new java.util.concurrent.RejectedExecutionException("event executor terminated");
        });
        a.onConnectionChange(closedHeard::add).close();
        a.onConnectionChange(heard::add);
        pair.loseQuorum();
        try {
            await("the current listener hears the loss after the one before it threw: " + heard,
                    () -> heard.contains(Connection.SUSPENDED) || heard.contains(Connection.LOST));
            assertTrue(failed.get() > 0, "the failing listener was called");
        } finally {
            pair.regainQuorum();
        }
        assertTrue(a.awaitConnected(Duration.ofSeconds(30)));
        await("the current listener hears the return: " + heard, () -> heard.getLast() == Connection.CONNECTED);
        stale.close();
        stale.close();
        assertEquals(List.of(), closedHeard, "a closed registration is never called");
    }

    /** Waits for what a listener should have heard (ZooKeeper's handles hear on Curator's thread). */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }
}
