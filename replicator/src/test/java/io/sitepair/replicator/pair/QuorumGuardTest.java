package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.InMemoryQuorum;
import io.sitepair.tiebreaker.InMemoryTiebreaker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fence on a serving site's outputs, on an in-memory quorum. */
class QuorumGuardTest {
    private final InMemoryQuorum quorum = new InMemoryQuorum();
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private InMemoryTiebreaker a;
    private QuorumGuard guard;

    @BeforeEach
    void siteALiveInEpochOne() throws Exception {
        a = quorum.connect();
        a.initialize(new EpochRecord(1, "a", 0, "a:6379"));
        guard = new QuorumGuard(a, "a", () -> 1, new QuorumGuard.Fence() {
            @Override
            public void hold(String why) {
                heard.add("hold: " + why);
            }

            @Override
            public void release(String why) {
                heard.add("release: " + why);
            }
        }, why -> heard.add("halt: " + why), QuorumRetry.SYSTEM);
        guard.start();
    }

    @Test
    void outputsAreHeldAtOnceWhileTheQuorumIsInDoubtAndFlowOnceTheEpochIsConfirmed() throws Exception {
        quorum.loseQuorum();
        assertEquals(List.of("hold: outputs held: ZooKeeper connection suspended"), heard,
                "held before anything else can happen: another site may be winning the next epoch");
        quorum.regainQuorum();
        await(h -> h.size() == 2);
        assertEquals("release: ZooKeeper reconnected, epoch 1 confirmed; outputs flow again", heard.get(1));
        assertEquals("", guard.state());
    }

    @Test
    void aSiteWhoseEpochPassedWhileItWasCutOffHaltsInsteadOfReleasing() throws Exception {
        quorum.partition(a);
        quorum.connect().claim(1, "b", 10, "b:6379");
        quorum.heal(a);
        await(h -> h.size() == 2);
        assertTrue(heard.get(1).startsWith("halt: after a ZooKeeper disconnection, epoch 1 has passed"), heard.toString());
        assertTrue(heard.stream().noneMatch(h -> h.startsWith("release")), heard.toString());
    }

    @Test
    void aGuardWhoseRoleEndedHearsNothingMore() throws Exception {
        guard.close();
        quorum.loseQuorum();
        quorum.regainQuorum();
        TimeUnit.MILLISECONDS.sleep(300);
        assertEquals(List.of(), heard);
    }

    @Test
    void losingTheQuorumAgainBeforeTheConfirmationKeepsTheOutputsHeld() throws Exception {
        quorum.loseQuorum();
        quorum.regainQuorum();
        quorum.loseQuorum(); // the confirmation races with a second suspension
        TimeUnit.MILLISECONDS.sleep(500);
        assertEquals("hold", heard.getLast().substring(0, 4), heard.toString());
        quorum.regainQuorum();
        await(h -> h.getLast().startsWith("release"));
    }

    private void await(Predicate<List<String>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.test(heard) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertTrue(condition.test(heard), heard.toString());
    }
}
