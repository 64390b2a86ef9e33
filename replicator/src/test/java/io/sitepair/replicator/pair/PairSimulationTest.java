package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pair protocol under thousands of seeded runs of faults ({@link PairSimulation}). A failing
 * seed replays exactly, with the sites' log: {@code mvn -B -pl replicator -am test
 * -Dtest=PairSimulationTest#replaysOneSeed -Dsitepair.sim.seed=SEED -Dsurefire.failIfNoSpecifiedTests=false}.
 * {@code -Dsitepair.sim.seeds=N} runs N seeds instead of the default.
 */
class PairSimulationTest {
    private static final int SEEDS = Integer.getInteger("sitepair.sim.seeds", 5_000);
    private static final long FIRST_SEED = Long.getLong("sitepair.sim.firstSeed", 1);

    @Test
    void theProtocolsInvariantsHoldUnderEverySeed() {
        long start = System.nanoTime();
        List<PairSimulation.Outcome> failed = new ArrayList<>();
        long released = 0;
        long epochs = 0;
        long steps = 0;
        for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
            PairSimulation.Outcome outcome = PairSimulation.run(seed, SimSite.Mutation.NONE, false);
            released += outcome.released();
            epochs += outcome.epochs();
            steps += outcome.steps();
            if (!outcome.passed()) {
                failed.add(outcome);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("pair simulation: %d seeds from %d in %.1f s (%.0f seeds/s, %.0f steps/s), each %d s of"
                        + " faults and %d s to settle; %d outputs released, %d epochs passed, %d seeds failed%n", SEEDS,
                FIRST_SEED, seconds, SEEDS / seconds, steps / seconds, PairSimulation.FAULTS_FOR_MS / 1000,
                PairSimulation.SETTLE_MS / 1000, released, epochs - SEEDS, failed.size());
        if (!failed.isEmpty()) {
            PairSimulation.Outcome first = failed.getFirst();
            fail(failed.size() + " of " + SEEDS + " seeds broke an invariant; the first, seed " + first.seed() + ": "
                    + first.violation() + "\nits faults:\n" + String.join("\n", first.trace())
                    + "\nreplay it with -Dtest=PairSimulationTest#replaysOneSeed -Dsitepair.sim.seed=" + first.seed());
        }
    }

    @Test
    void replaysOneSeed() {
        Long seed = Long.getLong("sitepair.sim.seed");
        if (seed == null) {
            return; // only on request
        }
        PairSimulation.Outcome outcome = PairSimulation.run(seed, SimSite.Mutation.NONE, true);
        outcome.trace().forEach(System.out::println);
        assertTrue(outcome.passed(), "seed " + seed + ": " + outcome.violation());
    }

    @Test
    void aBackupAcknowledgingWhatItDoesNotHoldIsCaught() {
        assertCaught(SimSite.Mutation.BACKUP_ACKS_AHEAD, "Output Rule");
    }

    @Test
    void aBackupThatKeepsAcknowledgingAfterThePrimaryFailedIsCaught() {
        assertCaught(SimSite.Mutation.BACKUP_KEEPS_ACKING_AFTER_FAILURE, "");
    }

    /** The invariants are not vacuous: a deliberate bug breaks one within a few hundred seeds. */
    private static void assertCaught(SimSite.Mutation mutation, String property) {
        for (long seed = 1; seed <= 300; seed++) {
            PairSimulation.Outcome outcome = PairSimulation.run(seed, mutation, false);
            if (!outcome.passed()) {
                assertNotNull(outcome.violation());
                assertTrue(outcome.violation().contains(property), outcome.violation());
                return;
            }
        }
        fail(mutation + " went unnoticed in 300 seeds");
    }
}
