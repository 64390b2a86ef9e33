package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.SiteState.Disk;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.tiebreaker.EpochRecord;
import org.junit.jupiter.api.Test;

/**
 * The pair protocol in one JVM, scripted: a primary and a backup ({@link SimSite}) over an
 * in-memory link, on a fake clock, with an in-memory quorum that decides claims as ZooKeeper's
 * conditional writes do. Every step is checked against the protocol's invariants
 * ({@link PairInvariants}); each test then checks what its scenario must lead to.
 */
class PairProtocolTest {
    private final SimPair pair = SimPair.calm();
    private final SimSite a = pair.a;
    private final SimSite b = pair.b;

    @Test
    void aHealthyPairStreamsAndReleasesOutputsOnlyOnceTheBackupHoldsThem() {
        pair.advance(2_000);
        assertEquals(new SiteState(Role.PRIMARY, Link.STREAMING, Disk.UP_TO_DATE, SiteState.Fence.CLEAR,
                SiteState.Operation.NONE), a.state());
        assertEquals(Role.BACKUP, b.state().role());
        assertTrue(a.released() > 50, "outputs flow: " + a.released());
    }

    @Test
    void whenThePrimaryDiesTheBackupGoesLiveInTheNextEpochWithEveryOutputAClientSaw() {
        pair.advance(2_000);
        a.crash();
        pair.advance(SimSite.SUSPECT_AFTER.toMillis() + 200);
        assertEquals(Role.LIVE_ALONE, b.state().role());
        assertEquals(2, b.epoch());
        assertEquals("b", pair.quorum.record().orElseThrow().liveSite());
        long alone = b.released();
        pair.advance(500);
        assertTrue(b.released() > alone, "it serves alone, its outputs waiting for no one");
    }

    @Test
    void aSwitchoverHandsTheEpochToTheBackupAndTheOldPrimaryIsReprotectedAsItsBackup() {
        pair.advance(1_000);
        assertTrue(a.switchOver());
        pair.advance(500);
        assertEquals(Role.STOPPED, a.state().role(), "it stops once the quorum shows the backup live");
        assertEquals(new EpochRecord(2, "b", pair.quorum.record().orElseThrow().startPosition(), "b:6379"),
                pair.quorum.record().orElseThrow());
        a.restart();
        pair.advance(1_000);
        assertEquals(Role.BACKUP, a.state().role());
        assertEquals(Role.PRIMARY, b.state().role(), "protected again");
        long protectedOutputs = b.released();
        pair.advance(500);
        assertTrue(b.released() > protectedOutputs, "outputs flow under the Output Rule again");
    }

    @Test
    void outputsAreHeldWhileTheQuorumIsInDoubtAndFlowOnceTheEpochIsConfirmed() {
        pair.advance(1_000);
        pair.quorum.loseQuorum();
        pair.advance(10);
        long before = a.released();
        pair.advance(1_500);
        assertTrue(a.fenced());
        assertEquals(before, a.released(), "nothing leaves while another site might be winning the next epoch");
        assertEquals(Role.PRIMARY, a.state().role(), "the backup cannot claim without a quorum either");
        pair.quorum.regainQuorum();
        pair.advance(300);
        assertFalse(a.fenced());
        assertTrue(a.released() > before);
    }

    @Test
    void aPrimaryCutOffWhileItsBackupTookOverHaltsOnReconnectingAndReleasesNothingMore() {
        pair.advance(1_000);
        pair.network.partition(true);
        pair.quorum.partition(a.tiebreaker());
        pair.advance(50);
        long releasedByA = a.released();
        pair.advance(3_000);
        assertEquals(Role.LIVE_ALONE, b.state().role(), "the backup, which reaches the quorum, took epoch 2");
        assertEquals(Role.PRIMARY, a.state().role(), "the old primary cannot know yet");
        assertTrue(a.fenced());
        pair.quorum.heal(a.tiebreaker());
        pair.advance(100);
        assertEquals(Role.HALTED, a.state().role(), "epoch 1 passed while it was cut off");
        assertEquals(releasedByA, a.released(), "no output left it once its epoch was in doubt");
    }

    @Test
    void aReturningSiteNeverGoesLiveBeforeItsCopyIsComplete() {
        pair.advance(1_000);
        a.crash();
        pair.advance(1_500); // b live alone in epoch 2
        pair.network.partition(true); // the copy cannot reach the returning site
        a.restart();
        pair.advance(200);
        assertEquals(Role.RESYNCING, a.state().role());
        b.crash(); // the only consistent copy is gone
        pair.advance(3_000);
        assertEquals(Role.RESYNCING, a.state().role(), "inconsistent: it waits for the live site, whatever happens");
        pair.network.partition(false);
        b.restart(); // it served epoch 2: it boots cold in epoch 3
        pair.advance(300);
        assertEquals(3, pair.quorum.record().orElseThrow().epoch());
        assertEquals("b", pair.quorum.record().orElseThrow().liveSite());
        assertEquals(Role.STOPPED, a.state().role(), "a later epoch: a stops to rejoin it, as the daemon restarts it");
        a.restart();
        pair.advance(1_000);
        assertEquals(Role.BACKUP, a.state().role(), "re-protected by the site now live");
    }
}
