package io.sitepair.ops.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.Protection;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import io.sitepair.tiebreaker.QuorumProbe;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The problems both status and the dashboard show, from the sites' status and the quorum's probe. */
class StatusProblemsTest {
    private static final LinkSecurity TLS = new LinkSecurity("TLS 1.3", null, Map.of(), List.of());
    private static final QuorumProbe.Report ALL_SERVE = new QuorumProbe.Report(List.of("a", "b", "witness"), List.of(), 3);

    private static SiteStatus serving(String protection) {
        return StatusJson.read("{\"site\": \"a\", \"role\": \"live-alone\", \"reason\": \"r\", \"epoch\": 3,"
                + " \"service\": \"127.0.0.1:1\", \"protection\": \"" + protection + "\"}");
    }

    private static List<String> kinds(QuorumProbe.Report quorum, SiteStatus a, SiteStatus b) {
        Map<String, SiteStatus> sites = new LinkedHashMap<>();
        sites.put("a", a);
        sites.put("b", b);
        return StatusProblems.of(new PairStatus("lab", "", TLS, sites), quorum).stream().map(Problem::kind).toList();
    }

    @Test
    void aProtectedPairWithAFullQuorumHasNone() {
        SiteStatus backup = StatusJson.read("{\"site\": \"b\", \"role\": \"backup\", \"reason\": \"r\", \"epoch\": 3,"
                + " \"channel\": \"streaming\"}");
        assertEquals(List.of(), kinds(ALL_SERVE, serving("protected"), backup));
    }

    @Test
    void aLostBackupIsAnUnprotectedSiteAndAnUnreachableOne() {
        SiteStatus alone = serving("unprotected (backup 'b' failed; live alone in epoch 3)");
        NoAnswer gone = new NoAnswer("b", "no answer from http://127.0.0.1:2/status");
        QuorumProbe.Report twoOfThree = new QuorumProbe.Report(List.of("a", "witness"), List.of("b"), 3);
        assertEquals(List.of("unprotected", "unreachable", "quorum-at-risk"), kinds(twoOfThree, alone, gone));
    }

    @Test
    void theCauseInTheSitesWordsNamesADivergenceOrADiskFault() {
        NoAnswer gone = new NoAnswer("b", "no answer");
        assertTrue(kinds(ALL_SERVE, serving("unprotected (the backup stopped at log position 5: replay diverged at log"
                + " position 5: random(8))"), gone).contains("divergence"));
        assertTrue(kinds(ALL_SERVE, serving("unprotected (the backup stopped at log position 5: disk 0: Input/output"
                + " error (injected))"), gone).contains("disk-fault"));
    }

    @Test
    void aServingSiteWhoseNicNoLongerReceivesIsCutOffFromItsClients() {
        SiteStatus backup = StatusFixtures.streamingBackup();
        assertEquals(List.of(), kinds(ALL_SERVE, StatusFixtures.primary(Role.PRIMARY, Protection.PROTECTED, null, null,
                StatusFixtures.nic(true)), backup));
        Map<String, SiteStatus> sites = new LinkedHashMap<>();
        sites.put("a", StatusFixtures.primary(Role.PRIMARY, Protection.PROTECTED, null, null, StatusFixtures.nic(false)));
        sites.put("b", backup);
        Problem down = StatusProblems.of(new PairStatus("lab", "", TLS, sites), ALL_SERVE).getFirst();
        assertEquals("nic-down", down.kind());
        assertEquals("site a's virtual NIC (tap splab-a-tap on splab-a) no longer receives frames: clients cannot"
                + " reach the guest", down.what());
        assertTrue(down.toDo().contains("`sitepair failover --to b`"), down.toDo());
    }

    @Test
    void noQuorumComesFirst() {
        QuorumProbe.Report oneOfThree = new QuorumProbe.Report(List.of("a"), List.of("b", "witness"), 3);
        NoAnswer gone = new NoAnswer("b", "no answer");
        assertEquals("quorum-lost", kinds(oneOfThree, serving("protected"), gone).getFirst());
    }
}
