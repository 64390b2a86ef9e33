package io.sitepair.ops.status;

import static io.sitepair.ops.status.StatusFixtures.pair;
import static io.sitepair.ops.status.StatusFixtures.protectedPrimary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.Protection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --verbose} is the status as it always printed: every field, one {@code key: value} line each. */
class VerboseStatusTest {
    @Test
    void everyFieldOfEachSiteIsAKeyValueLineUnderItsHeading() {
        LinkSecurity security = new LinkSecurity("TLS 1.3", "TLS 1.3 to the ZooKeeper quorum",
                Map.of("a", "serial 1f, expires 2029-03-10 (824 days)"), List.of("the link is not encrypted"));
        List<String> lines = VerboseStatus.render(pair("q", security, protectedPrimary(), new NoAnswer("b", "refused")))
                .lines().toList();
        assertEquals(List.of("pair lab", "quorum: q", "links: TLS 1.3", "coordination: TLS 1.3 to the ZooKeeper quorum",
                "certificate of site a: serial 1f, expires 2029-03-10 (824 days)",
                "WARNING: the link is not encrypted",
                "site a: primary (initial primary of pair 'lab'), epoch 1",
                "  service: 127.0.0.1:7000",
                "  protection: protected"), lines.subList(0, 9));
        assertEquals(List.of("  released_outputs_by_epoch: 1 500", "  quorum: connected"), lines.subList(14, 16));
        assertEquals("site b: unreachable: refused", lines.getLast());
    }

    @Test
    void inNetworkModeNicTheNicIsALineAfterTheService() {
        List<String> lines = VerboseStatus.render(pair(StatusFixtures.primary(Role.PRIMARY, Protection.PROTECTED, null,
                null, StatusFixtures.nic(true)), new NoAnswer("b", "refused"))).lines().toList();
        int service = lines.indexOf("  service: 127.0.0.1:7000");
        assertTrue(lines.get(service + 1).startsWith("  nic: tap splab-a-tap, bridge splab-a, address 10.77.0.10/24,"
                + " port 6379, mac 02:00:5e:10:00:0a, link_up true, tap_counters {frames_in=1200, "), lines.toString());
        assertEquals("  protection: protected", lines.get(service + 2));
    }
}
