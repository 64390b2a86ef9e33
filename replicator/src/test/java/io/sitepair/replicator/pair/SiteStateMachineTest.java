package io.sitepair.replicator.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.SiteState.Disk;
import io.sitepair.replicator.pair.SiteState.Fence;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.replicator.pair.SiteState.Operation;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SiteStateMachineTest {

    @Test
    void everyRoleTransitionOutsideTheTableIsRefusedAsABug() {
        Set<Role> ended = EnumSet.of(Role.HALTED, Role.STOPPED);
        int allowed = 0;
        for (Role from : Role.values()) {
            if (ended.contains(from)) {
                continue;
            }
            for (Role to : Role.values()) {
                if (to == from) {
                    continue;
                }
                SiteStateMachine site = new SiteStateMachine("a", from, "test");
                if (from.mayBecome(to)) {
                    assertTrue(site.moveTo(to, "allowed"), from + " -> " + to);
                    assertEquals(to, site.role());
                    allowed++;
                } else {
                    var refused = assertThrows(IllegalStateException.class, () -> site.moveTo(to, "not allowed"));
                    assertTrue(refused.getMessage().contains("cannot go from " + from.label()), refused.getMessage());
                    assertEquals(from, site.role(), "a refused change leaves the state as it was");
                }
            }
        }
        assertEquals(17, allowed, "the role table of Role");
    }

    @Test
    void anEndedSiteIgnoresALateSecondCause() {
        SiteStateMachine site = new SiteStateMachine("a", Role.PRIMARY, "test");
        assertTrue(site.moveTo(Role.HALTED, "another site went live"));
        assertFalse(site.moveTo(Role.LIVE_ALONE, "the backup failed too"));
        assertFalse(site.change(s -> s.with(Fence.FENCED), "quorum lost"));
        assertEquals(Role.HALTED, site.role());
        assertEquals("another site went live", site.reason());
    }

    @Test
    void endingDerivesALinkDownAndNothingInProgress() {
        SiteStateMachine site = new SiteStateMachine("a", Role.PRIMARY, "test");
        site.change(s -> s.with(Link.STREAMING).with(Fence.FENCED).with(Operation.SWITCHOVER), "under way");
        site.moveTo(Role.STOPPED, "switched over");
        assertEquals(new SiteState(Role.STOPPED, Link.DOWN, Disk.UP_TO_DATE, Fence.CLEAR, Operation.NONE),
                site.state());
    }

    @Test
    void aServingSiteNeedsUpToDateDisks() {
        SiteStateMachine backup = new SiteStateMachine("b", Role.BACKUP, "test");
        backup.moveTo(Role.RESYNCING, "copy planned");
        assertEquals(Disk.INCONSISTENT, backup.state().disk(), "a copy marks the disks inconsistent");
        backup.moveTo(Role.BACKUP, "copy done, but the disks were left marked");
        assertThrows(IllegalStateException.class, () -> backup.moveTo(Role.LIVE_ALONE, "primary failed"));
        backup.change(s -> s.with(Disk.UP_TO_DATE), "marked consistent");
        assertTrue(backup.moveTo(Role.LIVE_ALONE, "primary failed"));
    }

    @Test
    void oneOperationAtATimeAndAPowerOffEndsAny() {
        SiteStateMachine site = new SiteStateMachine("a", Role.PRIMARY, "test");
        site.change(s -> s.with(Operation.VERIFY), "verify");
        assertThrows(IllegalStateException.class, () -> site.change(s -> s.with(Operation.SWITCHOVER), "switch"));
        assertTrue(site.change(s -> s.with(Operation.POWER_OFF), "power off"));
        assertEquals(Operation.POWER_OFF, site.state().operation());
    }

    @Test
    void onlyAPrimarySwitchesOverOrVerifies() {
        SiteStateMachine live = new SiteStateMachine("b", Role.LIVE_ALONE, "test");
        assertThrows(IllegalStateException.class, () -> live.change(s -> s.with(Operation.SWITCHOVER), "switch"));
        assertThrows(IllegalStateException.class, () -> live.change(s -> s.with(Operation.VERIFY), "verify"));
        SiteStateMachine backup = new SiteStateMachine("b", Role.BACKUP, "test");
        assertThrows(IllegalStateException.class, () -> backup.change(s -> s.with(Operation.POWER_OFF), "off"));
    }

    @Test
    void aFenceHoldsOnlyOnASiteThatServes() {
        SiteState backup = SiteStateMachine.sanitize(SiteState.initial(Role.BACKUP).with(Fence.FENCED));
        assertEquals(Fence.CLEAR, backup.fence());
        SiteState primary = SiteStateMachine.sanitize(SiteState.initial(Role.PRIMARY).with(Fence.FENCED));
        assertEquals(Fence.FENCED, primary.fence());
    }

    @Test
    void theLiveSiteCopyingToItsPeerIsResyncing() {
        SiteStateMachine live = new SiteStateMachine("b", Role.LIVE_ALONE, "test");
        live.change(s -> s.with(Link.COPYING), "site a returned");
        assertEquals(Operation.RESYNC, live.state().operation());
        live.change(s -> s.with(Link.STREAMING).with(Role.PRIMARY), "re-protected");
        assertEquals(Operation.NONE, live.state().operation());
    }

    @Test
    void theLabelShowsRoleAndLinkThenWhatIsUnusual() {
        assertEquals("primary/streaming", new SiteState(Role.PRIMARY, Link.STREAMING, Disk.UP_TO_DATE, Fence.CLEAR,
                Operation.NONE).label());
        assertEquals("live-alone/connecting fenced switchover", new SiteState(Role.LIVE_ALONE, Link.CONNECTING,
                Disk.UP_TO_DATE, Fence.FENCED, Operation.SWITCHOVER).label());
        assertEquals("resyncing/copying inconsistent", new SiteState(Role.RESYNCING, Link.COPYING, Disk.INCONSISTENT,
                Fence.CLEAR, Operation.NONE).label());
    }
}
