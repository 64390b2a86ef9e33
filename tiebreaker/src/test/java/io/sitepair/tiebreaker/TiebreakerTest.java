package io.sitepair.tiebreaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Arbitration on a real three-peer ZooKeeper ensemble. */
@Timeout(60)
class TiebreakerTest {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final Duration SESSION = Duration.ofSeconds(2);

    @TempDir
    static Path dir;
    static Ensemble ensemble;

    @BeforeAll
    static void startEnsemble() throws Exception {
        ensemble = new Ensemble(dir);
    }

    @AfterAll
    static void stopEnsemble() {
        ensemble.close();
    }

    private static Tiebreaker connect(String pair, byte[] secret) throws InterruptedException {
        Tiebreaker t = Tiebreaker.connect(ensemble.connectString(), pair, secret, SESSION);
        assertTrue(t.awaitConnected(Duration.ofSeconds(10)), "no connection to the ensemble");
        return t;
    }

    @Test
    void exactlyOneOfTwoRacingClaimantsWinsEachEpoch() throws Exception {
        try (Tiebreaker a = connect("race", SECRET); Tiebreaker b = connect("race", SECRET)) {
            EpochRecord first = a.initialize(new EpochRecord(1, "a", 0, "127.0.0.1:1"));
            assertEquals(first, b.initialize(new EpochRecord(1, "b", 0, "127.0.0.1:2")), "the second creation loses");
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
                    assertEquals(winner.record(), a.current());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aClaimFromAnEpochAlreadyPassedLosesAndChangesNothing() throws Exception {
        try (Tiebreaker a = connect("stale", SECRET)) {
            a.initialize(new EpochRecord(1, "a", 0, "x:1"));
            assertTrue(a.claim(1, "b", 50, "x:2").won());
            Claim stale = a.claim(1, "a", 60, "x:1");
            assertFalse(stale.won());
            assertEquals(new EpochRecord(2, "b", 50, "x:2"), stale.record());
            assertTrue(a.confirm(2, "b"));
            assertFalse(a.confirm(2, "a"));
            assertFalse(a.confirm(1, "a"));
        }
    }

    /**
     * A claim whose answer was lost with the connection is asked again: it finds its own write
     * applied and has won, where any other claim for that epoch has lost. (The primary read its
     * own applied claim as another site's and halted, in CI.)
     */
    @Test
    void aClaimAskedAgainAfterItsWriteWasAppliedHasWon() throws Exception {
        try (Tiebreaker a = connect("retried", SECRET)) {
            a.initialize(new EpochRecord(1, "b", 0, "x:2"));
            assertTrue(a.claim(1, "a", 70, "x:1").won());
            Claim again = a.claim(1, "a", 70, "x:1");
            assertTrue(again.won(), again.toString());
            assertEquals(new EpochRecord(2, "a", 70, "x:1"), again.record());
            assertFalse(a.claim(1, "a", 71, "x:1").won(), "a claim from another position is another decision");
            assertFalse(a.claim(1, "b", 70, "x:1").won());
            assertEquals(new EpochRecord(2, "a", 70, "x:1"), a.current(), "nothing changed");
        }
    }

    @Test
    void aSiteWhoseDisksAreMarkedInconsistentCannotClaimUntilTheMarkIsCleared() throws Exception {
        try (Tiebreaker a = connect("resync", SECRET)) {
            a.initialize(new EpochRecord(1, "a", 0, "x:1"));
            a.markInconsistent("b", true);
            assertEquals(java.util.Set.of("b"), a.inconsistentSites());
            Claim refused = a.claim(1, "b", 10, "x:2");
            assertFalse(refused.won());
            assertTrue(refused.refusal().contains("inconsistent"), refused.refusal());
            assertEquals(1, a.current().epoch(), "a refused claim changes nothing");
            a.markInconsistent("b", false);
            assertTrue(a.claim(1, "b", 10, "x:2").won());
            assertEquals(java.util.Set.of(), a.inconsistentSites());
        }
    }

    @Test
    void aClientWithoutThePairsSecretCanReadButNeverClaim() throws Exception {
        try (Tiebreaker a = connect("acl", SECRET);
             Tiebreaker intruder = connect("acl", "another secret entirely".getBytes(StandardCharsets.US_ASCII))) {
            a.initialize(new EpochRecord(1, "a", 0, "x:1"));
            assertEquals(1, intruder.current().epoch());
            SecurityException e = assertThrows(SecurityException.class, () -> intruder.claim(1, "b", 0, "x:9"));
            assertTrue(e.getMessage().contains("not authorized"), e.getMessage());
            assertEquals(new EpochRecord(1, "a", 0, "x:1"), a.current());
        }
    }

    @Test
    void withoutAQuorumNothingIsGrantedAndTheClientSaysSo() throws Exception {
        try (Tiebreaker a = connect("quorum", SECRET)) {
            a.initialize(new EpochRecord(1, "a", 0, "x:1"));
            ensemble.stop(1);
            ensemble.stop(2); // one peer of three left: no quorum
            try {
                assertThrows(NoQuorumException.class, () -> a.claim(1, "a", 10, "x:1"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (a.connection() == Tiebreaker.Connection.CONNECTED && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(a.connection() == Tiebreaker.Connection.SUSPENDED
                        || a.connection() == Tiebreaker.Connection.LOST, "connection " + a.connection());
            } finally {
                ensemble.start(1);
                ensemble.start(2);
            }
            assertTrue(a.awaitConnected(Duration.ofSeconds(30)));
            assertEquals(1, a.current().epoch(), "no claim went through without the quorum");
            assertTrue(a.claim(1, "a", 10, "x:1").won());
        }
    }

    @Test
    void everyListenerHearsOfALostQuorumEvenWhenAnEarlierOneFailsAndAClosedOneHearsNothing() throws Exception {
        try (Tiebreaker a = connect("listeners", SECRET)) {
            a.initialize(new EpochRecord(1, "a", 0, "x:1"));
            List<Tiebreaker.Connection> closedHeard = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Tiebreaker.Connection> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            // A role that ended (its event loop gone) and the current role, registered in that order.
            Tiebreaker.Registration stale = a.onConnectionChange(c -> {
                throw new java.util.concurrent.RejectedExecutionException("event executor terminated");
            });
            a.onConnectionChange(closedHeard::add).close();
            a.onConnectionChange(heard::add);
            assertEquals(2, a.listenerCount(), "the closed registration is gone");
            ensemble.stop(1);
            ensemble.stop(2);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (heard.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(heard.contains(Tiebreaker.Connection.SUSPENDED) || heard.contains(Tiebreaker.Connection.LOST),
                        "the current listener heard " + heard + " after the one before it threw");
                assertEquals(List.of(), closedHeard, "a closed registration is never called");
            } finally {
                ensemble.start(1);
                ensemble.start(2);
                stale.close();
            }
            assertTrue(a.awaitConnected(Duration.ofSeconds(30)));
        }
    }

    @Test
    void theProbeSaysHowMuchFailureTheQuorumCanStillTake() throws Exception {
        QuorumProbe.Report all = probeUntil(r -> r.serving().size() == 3);
        assertTrue(all.describe().endsWith("failover possible"), all.describe());
        ensemble.stop(2);
        try {
            // The two left re-elect a leader if they must; then both serve.
            QuorumProbe.Report two = probeUntil(r -> r.serving().size() == 2);
            assertEquals(List.of("witness"), two.down());
            assertTrue(two.describe().contains("a failover is impossible until a peer returns"), two.describe());
        } finally {
            ensemble.start(2);
        }
    }

    private static QuorumProbe.Report probeUntil(java.util.function.Predicate<QuorumProbe.Report> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        QuorumProbe.Report report = QuorumProbe.probe(ensemble.members, Duration.ofSeconds(2));
        while (!condition.test(report) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            report = QuorumProbe.probe(ensemble.members, Duration.ofSeconds(2));
        }
        assertTrue(condition.test(report), report.describe());
        return report;
    }
}
