package io.sitepair.replicator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.pair.Role;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The status's JSON is a contract with operators' scripts: same keys, nesting and strings as ever. */
class StatusJsonTest {
    private static final String PRIMARY = """
            {"site":"b","role":"primary","reason":"re-protected by site 'a' from position 24","epoch":2,\
            "service":"127.0.0.1:37367","protection":"re-protecting (site 'a': full copy: 1.0 of 4.0 MiB (25%))",\
            "last_reprotection":"at 01:48:41, full (no shared history): took 0.04 s",\
            "last_resync":{"kind":"full (no shared history)","position":25,"planned_blocks":1024,"resent_blocks":0,\
            "zero_blocks":1020,"data_bytes":16384,"wire_bytes":16187,"state_bytes":262373,"took_ms":39,"pause_ms":16.49},\
            "resync":{"phase":"copying","plan":{"direction":"b -> a","kind":"incremental from epoch 2 position 24",\
            "divergence":"epoch 2 position 24","split_brain":"both served",\
            "disks":[{"disk":0,"blocks":3,"bytes":12288,"written_on_b":2,"written_on_a":1}],"blocks":3,"bytes":12288},\
            "copied_blocks":1,"copied_bytes":4096,"zero_blocks":0,"wire_bytes":4100,"rate_bytes_s":8192,\
            "rate_limit_bytes_s":0,"changed_during_copy":0,"eta_s":1,"elapsed_s":0.5},\
            "verify":"comparing 4 blocks",\
            "positions":{"logged":28,"sent":28,"acknowledged":27,"replayed":26},"lag_ms":3,"slowdown_percent":10,\
            "logging":{"raw_mbit_s":0.0,"wire_mbit_s":1.5,"raw_bytes":183,"wire_bytes":237,"compression_ratio":0.77,\
            "buffered_bytes":0,"buffer_limit":67108864,"flow_control_pauses":0,"batches":3},"held_outputs":2,\
            "released_outputs_by_epoch":{"1":3,"2":0},"quorum":"connected","fenced":"quorum in doubt",\
            "arbitration":"claiming epoch 3","delivery":"paused (log buffer full)",\
            "peer":{"site":"a","channel":"copying","last_problem":"","heartbeat_ms":73,"suspected":false},\
            "events":10,"disks":{"lineage":"2 epochs; in epoch 2 since position 24 (primary b)","records":4,\
            "activity_log_writes":1,"hot_extents":1,"recovered":"unclean stop: hot extents stamped epoch 0 position unknown"},\
            "failover":"live in epoch 2 from position 24: detection 1000 ms (failure timeout)"}""";

    private static final String BACKUP = """
            {"site":"a","role":"resyncing","reason":"resyncing from site 'b': 3 blocks","epoch":2,\
            "resync":{"source":"b","planned_blocks":3,"copied_blocks":1,"durably_pending_blocks":2},\
            "last_verify":"at position 20: 4 blocks compared, 0 differing","quorum":"connected","channel":"streaming",\
            "positions":{"received":28,"replayed":28},"logging":{"wire_mbit_s":0.0,"buffered_bytes":0,"buffer_limit":67108864},\
            "events":10,"disks":{"lineage":"2 epochs; in epoch 2 since position 24 (primary b)","records":0,\
            "activity_log_writes":0,"hot_extents":0},"peer":{"site":"b","heartbeat_ms":79,"suspected":false}}""";

    private static PrimaryStatus primary() {
        var plan = new ResyncPlanStatus(new ResyncPlanStatus.Direction("b", "a"), "incremental from epoch 2 position 24",
                "epoch 2 position 24", "both served", List.of(new ResyncPlanStatus.Disk(0, 3, 12288,
                        ordered("b", 2L, "a", 1L))), 3, 12288);
        var resync = new ResyncStatus(ResyncStatus.Phase.COPYING, plan, 1, 4096L, 0L, 4100L, 8192L, 0, 0L, 1L, 0.5);
        return new PrimaryStatus("b", Role.PRIMARY, "re-protected by site 'a' from position 24", 2L, "127.0.0.1:37367", null,
                Protection.reprotecting("site 'a': full copy: 1.0 of 4.0 MiB (25%)"),
                "at 01:48:41, full (no shared history): took 0.04 s",
                new ResyncSummary("full (no shared history)", 25, 1024, 0, 1020, 16384, 16187, 262373, 39, 16.49),
                resync, "comparing 4 blocks", new PrimaryStatus.Positions(28, 28, 27, 26), 3L, 10L,
                new PrimaryStatus.Logging(0.0, 1.5, 183, 237, 0.77, 0, 67108864, 0, 3), 2,
                new TreeMap<>(Map.of(1L, 3L, 2L, 0L)), "connected", "quorum in doubt", "claiming epoch 3",
                PrimaryStatus.Delivery.PAUSED, new PrimaryStatus.Peer("a", "copying", "", 73, false), 10L,
                new DiskStatus("2 epochs; in epoch 2 since position 24 (primary b)", 4, 1, 1,
                        "unclean stop: hot extents stamped epoch 0 position unknown"),
                "live in epoch 2 from position 24: detection 1000 ms (failure timeout)");
    }

    private static Map<String, Long> ordered(String k1, long v1, String k2, long v2) {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    @Test
    void aFullyPopulatedPrimaryStatusWritesTheKeysAndStringsOperatorsKnowAndReadsBackEqual() {
        assertEquals(PRIMARY, StatusJson.write(primary()));
        SiteStatus read = StatusJson.read(PRIMARY);
        assertEquals(primary(), read);
        PrimaryStatus p = assertInstanceOf(PrimaryStatus.class, read);
        assertEquals(Protection.State.REPROTECTING, p.protection().state());
        assertEquals("a", p.resync().plan().direction().target());
        assertEquals(1, p.resync().plan().disks().getFirst().writtenOn("a"));
    }

    @Test
    void aNicModeStatusWritesItsNicBesideTheServiceAndReadsBackEqual() {
        NicStatus nic = new NicStatus("splab-a-tap", "splab-a", "10.77.0.10/24", 6379, "02:00:5e:10:00:0a", true,
                new NicStatus.TapCounters(120, 9000, 110, 8000, 1, 2), new NicStatus.HostDropped(3, 4),
                new NicStatus.Guest(119, 110, 5, 7, 8, 2, 1, 6, 0, 9, 4096,
                        ordered("malformed", 10L, "not_for_us", 11L)));
        PrimaryStatus status = new PrimaryStatus("a", Role.PRIMARY, "r", 1L, "10.77.0.10:6379", nic,
                Protection.PROTECTED, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
        String json = StatusJson.write(status);
        assertEquals("{\"site\":\"a\",\"role\":\"primary\",\"reason\":\"r\",\"epoch\":1,"
                + "\"service\":\"10.77.0.10:6379\",\"nic\":{\"tap\":\"splab-a-tap\",\"bridge\":\"splab-a\","
                + "\"address\":\"10.77.0.10/24\",\"port\":6379,\"mac\":\"02:00:5e:10:00:0a\",\"link_up\":true,"
                + "\"tap_counters\":{\"frames_in\":120,\"bytes_in\":9000,\"frames_out\":110,\"bytes_out\":8000,"
                + "\"dropped_in\":1,\"dropped_out\":2},\"host_dropped\":{\"oversized\":3,\"unsent\":4},"
                + "\"guest\":{\"frames_in\":119,\"frames_out\":110,\"connections_open\":5,"
                + "\"connections_accepted\":7,\"retransmits\":8,\"fast_retransmits\":2,\"timeouts\":1,"
                + "\"resets_sent\":6,\"resets_received\":0,\"refused_limit\":9,\"buffer_bytes\":4096,"
                + "\"dropped\":{\"malformed\":10,\"not_for_us\":11}}},\"protection\":\"protected\"}", json);
        assertEquals(status, StatusJson.read(json));
    }

    @Test
    void aBackupStatusRoundTrips() {
        BackupStatus backup = new BackupStatus("a", Role.RESYNCING, "resyncing from site 'b': 3 blocks", 2L,
                new BackupStatus.Resync("b", 3, 1, 2), null, "at position 20: 4 blocks compared, 0 differing", null,
                "connected", "streaming", new BackupStatus.Positions(28, 28),
                new BackupStatus.Logging(0.0, 0, 67108864),
                10, new DiskStatus("2 epochs; in epoch 2 since position 24 (primary b)", 0, 0, 0, null),
                new BackupStatus.Peer("b", 79, false));
        assertEquals(BACKUP, StatusJson.write(backup));
        assertEquals(backup, StatusJson.read(BACKUP));
    }

    @Test
    void aSiteThatCannotAnswerFromItsLoopAStartingOneAndAnUnreachableOneAreToldApartByTheirFields() {
        PrimaryStatus stopping = PrimaryStatus.header("a", Role.STOPPED, "powered off at position 9", 1, "127.0.0.1:1");
        assertEquals("{\"site\":\"a\",\"role\":\"stopped\",\"reason\":\"powered off at position 9\",\"epoch\":1,"
                + "\"service\":\"127.0.0.1:1\"}", StatusJson.write(stopping));
        assertEquals(stopping, StatusJson.read(StatusJson.write(stopping)));
        StartingStatus starting = StartingStatus.waiting("b", "waiting for the quorum");
        assertEquals("{\"site\":\"b\",\"role\":\"starting\",\"reason\":\"waiting for the quorum\"}",
                StatusJson.write(starting));
        assertEquals(starting, StatusJson.read(StatusJson.write(starting)));
        NoAnswer none = new NoAnswer("b", "no answer from http://127.0.0.1:2/status (ConnectException)");
        assertEquals("{\"site\":\"b\",\"error\":\"no answer from http://127.0.0.1:2/status (ConnectException)\"}",
                StatusJson.write(none));
        assertEquals(none, StatusJson.read(StatusJson.write(none)));
    }

    @Test
    void anOlderSitesMissingFieldsAndANewerSitesUnknownOnesAreRead() {
        String newer = BACKUP.replace("\"quorum\":\"connected\"", "\"quorum\":\"connected\",\"tls\":{\"cipher\":\"x\"}")
                .replace("\"durably_pending_blocks\":2", "\"durably_pending_blocks\":2,\"resumes\":1");
        BackupStatus read = assertInstanceOf(BackupStatus.class, StatusJson.read(newer));
        assertEquals(Role.RESYNCING, read.role());
        assertEquals(2, read.resync().durablyPendingBlocks());
        String older = "{\"site\":\"a\",\"role\":\"primary\",\"reason\":\"r\",\"epoch\":1,\"service\":\"s\","
                + "\"protection\":\"protected\",\"peer\":{\"site\":\"b\",\"suspected\":false}}";
        PrimaryStatus primary = assertInstanceOf(PrimaryStatus.class, StatusJson.read(older));
        assertTrue(primary.pairProtected());
        assertNull(primary.logging());
        assertFalse(primary.peer().suspected());
    }

    @Test
    void aRoleThisVersionDoesNotKnowIsNoStatus() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> StatusJson.read(BACKUP.replace("\"role\":\"resyncing\"", "\"role\":\"draining\"")));
        assertTrue(refused.getMessage().contains("draining"), refused.getMessage());
    }

    @Test
    void aProtectionReadsBackFromItsDisplayString() {
        for (Protection p : List.of(Protection.PROTECTED, Protection.unprotected("waiting for the backup: (refused)"),
                Protection.reprotecting("site 'a': full copy: 1.0 of 4.0 MiB (25%)"))) {
            assertEquals(p, Protection.parse(p.toString()));
        }
    }

    @Test
    void thePairsStatusNestsEachSitesUnderItsName() {
        Map<String, SiteStatus> sites = new LinkedHashMap<>();
        sites.put("a", StartingStatus.waiting("a", "w"));
        sites.put("b", new NoAnswer("b", "e"));
        LinkSecurity security = new LinkSecurity("TLS 1.3", null, Map.of("a", "expires soon"), List.of("w"));
        PairStatus pair = new PairStatus("lab", "q", security, sites);
        String json = StatusJson.write(pair);
        assertEquals("{\"pair\":\"lab\",\"quorum\":\"q\",\"security\":{\"links\":\"TLS 1.3\",\"certificates\":"
                + "{\"a\":\"expires soon\"},\"warnings\":[\"w\"]},\"sites\":{\"a\":{\"site\":\"a\",\"role\":"
                + "\"starting\",\"reason\":\"w\"},\"b\":{\"site\":\"b\",\"error\":\"e\"}}}", json);
        assertEquals(pair, StatusJson.readPair(json));
        assertEquals(List.of("a", "b"), List.copyOf(StatusJson.readPair(json).sites().keySet()), "in the pair's order");
    }
}
