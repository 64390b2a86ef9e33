package io.sitepair.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineageTest {
    @TempDir
    Path dir;

    private Lineage lineage(String name, Lineage.Entry... entries) throws IOException {
        Lineage lineage = Lineage.open(dir.resolve(name));
        for (Lineage.Entry e : entries) {
            lineage.enter(e.epoch(), e.start(), e.primary());
        }
        return lineage;
    }

    private static Lineage.Entry e(long epoch, long start, String primary) {
        return new Lineage.Entry(epoch, start, primary);
    }

    @Test
    void afterAFailoverTheSitesShareHistoryUpToWhereTheNewEpochBegan() throws Exception {
        Lineage oldPrimary = lineage("a", e(1, 0, "a"));
        Lineage newPrimary = lineage("b", e(1, 0, "a"), e(2, 800, "b"));
        // a went on to 1000 in epoch 1, writing blocks b never saw; b went live at 800.
        assertEquals(new Stamp(1, 800), Lineage.divergence(oldPrimary, 1000, "a", newPrimary, 1500, "b"));
        assertEquals(new Stamp(1, 800), Lineage.divergence(newPrimary, 1500, "b", oldPrimary, 1000, "a"));
        assertFalse(Lineage.splitBrain(oldPrimary, "a", newPrimary, "b", new Stamp(1, 800)));
    }

    /**
     * A primary killed -9 knows only a lower bound of how far it got (its latest durable record;
     * here none). The backup that went live at 800 replayed its log to there, so they share epoch 1
     * up to 800 all the same: what the backup replayed in epoch 1 before it is not shipped back.
     */
    @Test
    void aReturningPrimaryWithoutDurableRecordsStillSharesWhatItsBackupReplayed() throws Exception {
        Lineage oldPrimary = lineage("a", e(1, 0, "a"));
        Lineage newPrimary = lineage("b", e(1, 0, "a"), e(2, 800, "b"));
        assertEquals(new Stamp(1, 800), Lineage.divergence(newPrimary, 1500, "b", oldPrimary, 0, "a"));
        assertEquals(new Stamp(1, 800), Lineage.divergence(oldPrimary, 0, "a", newPrimary, 1500, "b"));
        assertEquals(new DiskHistory.Plan(new Stamp(1, 799), false),
                DiskHistory.plan(newPrimary, 1500, "b", oldPrimary, 0, "a"));
        // Where the primary's end is exact (it went on in an epoch of its own), the shorter end holds.
        Lineage primaryAlone = lineage("c", e(1, 0, "a"), e(2, 500, "a"));
        Lineage backup = lineage("d", e(1, 0, "a"));
        assertEquals(new Stamp(1, 450), Lineage.divergence(primaryAlone, 900, "a", backup, 450, "b"));
        // A backup's own end is a lower bound too, and its history the shorter one: it is kept.
        assertEquals(new Stamp(1, 300), Lineage.divergence(lineage("f", e(1, 0, "a")), 1000, "a", backup, 300, "b"));
    }

    @Test
    void aBackupBehindInTheSameEpochSharesUpToWhereItGot() throws Exception {
        Lineage primary = lineage("a", e(1, 0, "a"));
        Lineage backup = lineage("b", e(1, 0, "a"));
        assertEquals(new Stamp(1, 900), Lineage.divergence(primary, 1000, "a", backup, 900, "b"));
    }

    @Test
    void sitesWithNoEpochInCommonShareNothing() throws Exception {
        assertNull(Lineage.divergence(lineage("a", e(1, 0, "a")), 10, "a", lineage("b"), 0, "b"));
        assertNull(Lineage.divergence(lineage("c", e(1, 0, "a")), 10, "a", lineage("d", e(1, 5, "a")), 10, "b"));
    }

    @Test
    void bothSitesServingEpochsTheOtherNeverHadIsASplitBrain() throws Exception {
        Lineage a = lineage("a", e(1, 0, "a"), e(2, 500, "a"));
        Lineage b = lineage("b", e(1, 0, "a"), e(3, 600, "b"));
        Stamp point = Lineage.divergence(a, 900, "a", b, 700, "b");
        assertEquals(new Stamp(1, 500), point);
        assertTrue(Lineage.splitBrain(a, "a", b, "b", point));
        Lineage stale = lineage("c", e(1, 0, "a"));
        assertFalse(Lineage.splitBrain(a, "a", stale, "c", Lineage.divergence(a, 900, "a", stale, 450, "c")));
    }

    @Test
    void entriesAreDurableInOrderAndABadFileIsNamed() throws Exception {
        Lineage a = lineage("a", e(1, 0, "a"), e(2, 40, "b"));
        a.enter(2, 40, "b"); // the current epoch again: nothing changes
        assertThrows(IllegalStateException.class, () -> a.enter(1, 50, "a"));
        assertEquals(List.of(e(1, 0, "a"), e(2, 40, "b")), Lineage.open(dir.resolve("a")).entries());
        Files.writeString(dir.resolve("bad"), "1 0 a\n2 x b\n");
        IOException bad = assertThrows(IOException.class, () -> Lineage.open(dir.resolve("bad")));
        assertTrue(bad.getMessage().contains("bad:2") && bad.getMessage().contains("2 x b"), bad.getMessage());
        Files.writeString(dir.resolve("backwards"), "2 0 a\n1 5 b\n");
        assertThrows(IOException.class, () -> Lineage.open(dir.resolve("backwards")));
    }

    @Test
    void theResyncPlanStopsOnePositionShortOfTheSharedEndAndRefusesASplitBrain() throws Exception {
        Lineage oldPrimary = lineage("a", e(1, 0, "a"));
        Lineage newPrimary = lineage("b", e(1, 0, "a"), e(2, 800, "b"));
        // b went live where its log ended, inside a handler: writes stamped 800 may differ.
        assertEquals(new DiskHistory.Plan(new Stamp(1, 799), false),
                DiskHistory.plan(newPrimary, 1500, "b", oldPrimary, 1000, "a"));
        assertEquals(new DiskHistory.Plan(null, false), DiskHistory.plan(newPrimary, 1500, "b", lineage("c"), 0, "a"));
        Lineage a = lineage("d", e(1, 0, "a"), e(2, 500, "a"));
        Lineage b = lineage("f", e(1, 0, "a"), e(3, 600, "b"));
        assertTrue(DiskHistory.plan(b, 700, "b", a, 900, "a").splitBrain());
    }

    @Test
    void aResyncedSiteTakesTheSourcesHistoryWholeAndAColdRestartMayBeginLower() throws Exception {
        Lineage discarded = lineage("b", e(1, 0, "a"), e(2, 70, "b")); // an epoch of its own, to be thrown away
        discarded.replaceWith(List.of(e(1, 0, "a"), e(2, 80, "a"), e(3, 0, "a"))); // a restarted cold in epoch 3
        assertEquals(List.of(e(1, 0, "a"), e(2, 80, "a"), e(3, 0, "a")), Lineage.open(dir.resolve("b")).entries());
        assertTrue(discarded.served(2, "a"));
        assertFalse(discarded.served(2, "b"));
        assertThrows(IllegalArgumentException.class, () -> discarded.replaceWith(List.of(e(2, 0, "a"), e(2, 5, "b"))));
    }
}
