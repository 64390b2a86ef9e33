package io.sitepair.ops.status;

import static io.sitepair.ops.status.StatusFixtures.QUORUM;
import static io.sitepair.ops.status.StatusFixtures.TLS;
import static io.sitepair.ops.status.StatusFixtures.backup;
import static io.sitepair.ops.status.StatusFixtures.nic;
import static io.sitepair.ops.status.StatusFixtures.pair;
import static io.sitepair.ops.status.StatusFixtures.primary;
import static io.sitepair.ops.status.StatusFixtures.protectedPrimary;
import static io.sitepair.ops.status.StatusFixtures.resync;
import static io.sitepair.ops.status.StatusFixtures.streamingBackup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.Protection;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.StartingStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusReportTest {
    @Test
    void aProtectedPairIsTheQuorumLineOneLinePerSiteTheLinkAndTheSecurityWithNoProblem() {
        assertEquals("""
                pair lab, quorum: 3 of 3 ZooKeeper peers serving: failover possible
                a  primary  epoch 1  disk up to date          protected by b
                b  backup   epoch 1  disk consistent at 1230  protecting a
                link a -> b: streaming, lag 4 positions / 3 ms (logged 1234, sent 1234, acknowledged 1232, replayed\
                 1230); 64.1 Mbit/s raw, 3.96 on the wire (compression 2.41); 3 outputs held
                security: TLS 1.3 with the pair's certificates; TLS 1.3 to the ZooKeeper quorum; certificate of a:\
                 serial 1f, expires 2029-03-10 (824 days); certificate of b: serial 2e, expires 2029-03-10 (824 days)
                """, StatusReport.render(pair(protectedPrimary(), streamingBackup())));
    }

    @Test
    void inNetworkModeNicTheServingSitesNicHasALineAfterTheLink() {
        List<String> lines = StatusReport.render(pair(primary(Role.PRIMARY, Protection.PROTECTED, null, null,
                nic(true)), streamingBackup())).lines().toList();
        assertTrue(lines.get(3).startsWith("link a -> b: streaming"), lines.toString());
        assertEquals("nic a: tap splab-a-tap on splab-a as 10.77.0.10/24 port 6379 (02:00:5e:10:00:0a), link up;"
                + " 3 connections open (7 accepted, 1 refused at the limit), 12 retransmits (4 fast), 2 resets sent;"
                + " frames 1200 in, 1100 out; dropped 1 at the tap, 1 by the host, 7 by the guest (checksum 2,"
                + " not_for_us 5)", lines.get(4));
        assertTrue(lines.get(5).startsWith("security: "), lines.toString());
    }

    @Test
    void anUnreachableBackupAndTheUnprotectedPrimaryComeFirstEachWithWhatToDo() {
        String text = StatusReport.render(pair(
                primary(Role.PRIMARY, Protection.unprotected("waiting for the backup: connection refused"), null, null),
                new NoAnswer("b", "no answer from https://127.0.0.1:7001/status (ConnectException)")));
        List<String> lines = text.lines().toList();
        assertEquals("problem: site a serves UNPROTECTED: waiting for the backup: connection refused", lines.get(1),
                text);
        assertTrue(lines.get(2).contains("If site b is down, start site b again (`sitepair up --site b`): it rejoins"
                + " as the backup and a resync re-protects site a"), text);
        assertEquals("problem: site b did not answer: no answer from https://127.0.0.1:7001/status (ConnectException)",
                lines.get(3), text);
        assertTrue(lines.get(4).startsWith("  what to do: check that its daemon runs (`sitepair up --site b` on its"
                + " machine)") && lines.get(4).contains("`sitepair status` on its machine"), text);
        assertEquals("a  primary  epoch 1  disk up to date  UNPROTECTED", lines.get(5));
        assertEquals("b  unreachable", lines.get(6));
        assertTrue(lines.get(7).startsWith("link a -> b: streaming, lag 4 positions"), text);
    }

    @Test
    void aFencedPrimarySaysItHoldsEveryOutputAndThatTheQuorumMustReturn() {
        String noQuorum = "1 of 3 ZooKeeper peers serving (down: b, witness): NO QUORUM, no site can go live";
        String text = StatusReport.render(pair(noQuorum, TLS,
                primary(Role.PRIMARY, Protection.PROTECTED, "the quorum is unreachable since 10:00:01", null),
                streamingBackup()));
        List<String> lines = text.lines().toList();
        assertEquals("pair lab, quorum: " + noQuorum, lines.get(0));
        assertEquals("problem: site a holds every output (fenced): the quorum is unreachable since 10:00:01",
                lines.get(1));
        assertTrue(lines.get(2).startsWith("  what to do: the ZooKeeper quorum is in doubt: bring back its peers"),
                text);
        assertTrue(lines.get(3).endsWith("protected by b, FENCED"), text);
    }

    @Test
    void aResyncShowsItsProgressOnBothSitesLinesAndIsNoProblem() {
        String text = StatusReport.render(pair(
                primary(Role.PRIMARY, Protection.reprotecting("site 'b': incremental: 0.0 of 0.0 MiB (25%)"), null,
                        resync(ResyncStatus.Phase.COPYING, 1, 0.5)),
                backup(Role.RESYNCING, "resyncing from site 'a': 4 blocks", "streaming",
                        new BackupStatus.Resync("a", 4, 1, 3))));
        List<String> lines = text.lines().toList();
        assertEquals("a  primary    epoch 1  disk up to date    resyncing b: 25% (1 of 4 blocks), ETA 1 s", lines.get(1),
                text);
        assertEquals("b  resyncing  epoch 1  disk inconsistent  resyncing from a: 25% (1 of 4 blocks)", lines.get(2),
                text);
        assertFalse(text.contains("problem:"), text);
    }

    @Test
    void aSiteThatDidNotAnswerLeavesTheLinkAsTheBackupSeesIt() {
        String text = StatusReport.render(pair(new NoAnswer("a", "no answer (ConnectException)"),
                backup(Role.BACKUP, "backup of pair 'lab'", "waiting for the primary (connection refused)", null)));
        assertTrue(text.contains("problem: site a did not answer: no answer (ConnectException)\n"), text);
        assertTrue(text.contains("\nb  backup  epoch 1  disk consistent at 1230  waiting for the primary"
                + " (connection refused)\n"), text);
        assertTrue(text.contains("\nlink a -> b (as b sees it): waiting for the primary (connection refused), received"
                + " 1232, replayed 1230, 3.96 Mbit/s on the wire\n"), text);
    }

    @Test
    void aStartingSiteSaysWhatItWaitsForAndIsNoProblem() {
        String text = StatusReport.render(pair(protectedPrimary(),
                StartingStatus.waiting("b", "waiting for a ZooKeeper quorum")));
        assertTrue(text.contains("\nb  starting                            waiting for a ZooKeeper quorum\n"), text);
        assertFalse(text.contains("problem:"), text);
    }

    @Test
    void aSplitBrainWaitsForAnOperatorWhoIsToldHowToDecide() {
        String text = StatusReport.render(pair(
                primary(Role.LIVE_ALONE, Protection.reprotecting("site 'b': split-brain"), null,
                        resync(ResyncStatus.Phase.SPLIT_BRAIN, 0, 0)), streamingBackup()));
        assertTrue(text.contains("problem: split-brain: both sites served on their own since epoch 1 position 9 (b"
                + " served in epoch 2 on its own); the resync of site b waits for an operator\n"), text);
        assertTrue(text.contains("`sitepair resync --dry-run` shows what each site wrote since; `sitepair resync"
                + " --discard b` throws away site b's writes and resyncs it"), text);
        assertTrue(text.contains("\na  live-alone  epoch 1  disk up to date          resync of b: split-brain\n"), text);
    }

    @Test
    void aResyncThatCopiedNothingForHalfAMinuteIsStalledAndOneJustStartedIsNot() {
        var stalled = primary(Role.LIVE_ALONE, Protection.reprotecting("site 'b': full copy"), null,
                resync(ResyncStatus.Phase.COPYING, 0, 45));
        assertTrue(StatusReport.render(pair(stalled, streamingBackup()))
                .contains("problem: the resync of site b has copied nothing in 45 s\n"));
        var starting = primary(Role.LIVE_ALONE, Protection.reprotecting("site 'b': full copy"), null,
                resync(ResyncStatus.Phase.COPYING, 0, 5));
        assertFalse(StatusReport.render(pair(starting, streamingBackup())).contains("problem:"));
    }

    @Test
    void aHaltedSitesAdviceFollowsWhatStoppedIt() {
        String diverged = StatusReport.render(pair(protectedPrimary(), backup(Role.HALTED,
                "replay diverged at log position 12: the VM state differs from the primary's", "closed", null)));
        assertTrue(diverged.contains("problem: site b halted: replay diverged at log position 12"), diverged);
        assertTrue(diverged.contains("what to do: its replay differs from the live site's: start it again"
                + " (`sitepair up --site b`)") && diverged.contains("then `sitepair verify` compares both sites"),
                diverged);

        String diskFailed = StatusReport.render(pair(primary(Role.LIVE_ALONE, Protection.unprotected("the backup"
                        + " stopped at log position 9: host I/O failed in on_data: Input/output error (injected);"
                        + " waiting for site 'b' to return"), null, null), new NoAnswer("b", "refused")));
        assertTrue(diskFailed.contains("what to do: site b's disk failed: repair or replace it (its log names the"
                + " error), then start site b again"), diskFailed);
    }

    @Test
    void aCertificateExpiringSoonIsAProblemThatSaysWhatToRun() {
        String warning = "site b's certificate expires on 2027-01-01 (in 12 days): run `sitepair cert rotate`";
        String text = StatusReport.render(pair(QUORUM, new LinkSecurity(TLS.links(), TLS.coordination(),
                TLS.certificates(), List.of(warning)), protectedPrimary(), streamingBackup()));
        assertEquals("problem: " + warning, text.lines().toList().get(1), text);
        assertFalse(text.contains("what to do"), "the warning says it: " + text);
    }
}
