package io.sitepair.tiebreaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract and the ZooKeeper tiebreaker's own duties, on one real three-peer ensemble for the class. */
class ZooKeeperTiebreakerTest extends TiebreakerContract {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final Duration SESSION = Duration.ofSeconds(2);

    @TempDir
    static Path dir;
    static Ensemble ensemble;
    static int pairs;

    @BeforeAll
    static void startEnsemble() throws Exception {
        ensemble = new Ensemble(dir);
    }

    @AfterAll
    static void stopEnsemble() {
        ensemble.close();
    }

    /** A pair of its own for each test, on the shared ensemble; losing the quorum stops two of its three peers. */
    @Override
    Pair newPair() {
        String name = "pair-" + ++pairs;
        return new Pair() {
            @Override
            public Tiebreaker connect() throws InterruptedException {
                return ZooKeeperTiebreakerTest.connect(name, SECRET);
            }

            @Override
            public void loseQuorum() {
                ensemble.stop(1);
                ensemble.stop(2);
            }

            @Override
            public void regainQuorum() throws Exception {
                ensemble.start(1);
                ensemble.start(2);
            }
        };
    }

    private static Tiebreaker connect(String pair, byte[] secret) throws InterruptedException {
        Tiebreaker t = Tiebreaker.connect(ensemble.connectString(), pair, secret, SESSION);
        assertTrue(t.awaitConnected(Duration.ofSeconds(10)), "no connection to the ensemble");
        return t;
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

    private static QuorumProbe.Report probeUntil(Predicate<QuorumProbe.Report> condition) throws InterruptedException {
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
