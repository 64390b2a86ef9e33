package io.sitepair.replicator.pair;

import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.InMemoryQuorum;
import io.sitepair.tiebreaker.InMemoryTiebreaker;
import java.util.List;
import java.util.Random;

/**
 * Two simulated sites on one clock, one network and one quorum, started as primary 'a' and
 * backup 'b' of epoch 1, with the invariants watching. The seeded simulation adds its faults;
 * a scripted test makes its own.
 */
final class SimPair {
    final SimClock clock = new SimClock();
    final InMemoryQuorum quorum = new InMemoryQuorum();
    final PairInvariants invariants = new PairInvariants(quorum, clock);
    final SimNetwork network;
    final SimSite a;
    final SimSite b;

    SimPair(Random random, SimNetwork.Weather weather, SimSite.Mutation mutation) {
        network = new SimNetwork(clock, random, weather);
        a = new SimSite("a", "b", clock, network, quorum, random, invariants, mutation);
        b = new SimSite("b", "a", clock, network, quorum, random, invariants, mutation);
        invariants.watch(a);
        invariants.watch(b);
        try (InMemoryTiebreaker setup = quorum.connect()) {
            setup.initialize(new EpochRecord(1, "a", 0, "a:6379"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        a.startPrimary(1);
        b.startBackup(1);
    }

    /** A pair on a calm network, for a scripted test. */
    static SimPair calm() {
        return new SimPair(new Random(0), SimNetwork.Weather.CALM, SimSite.Mutation.NONE);
    }

    List<SimSite> sites() {
        return List.of(a, b);
    }

    /**
     * Runs until {@code endNanos}, checking the invariants after every step; stops early at the
     * first broken one (a site that throws breaks one: a bug). Returns the steps run.
     */
    long runUntil(long endNanos) {
        long steps = 0;
        try {
            while (invariants.violation() == null && clock.step(endNanos)) {
                steps++;
                invariants.afterStep();
            }
        } catch (RuntimeException e) {
            invariants.fail("bug: " + e);
        }
        return steps;
    }

    /** For a scripted test: runs {@code ms} more, failing the test at a broken invariant. */
    void advance(long ms) {
        runUntil(clock.nanos() + ms * SimClock.MS);
        if (invariants.violation() != null) {
            throw new AssertionError(invariants.violation());
        }
    }
}
