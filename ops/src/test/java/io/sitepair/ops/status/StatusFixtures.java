package io.sitepair.ops.status;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.DiskStatus;
import io.sitepair.replicator.status.LinkSecurity;
import io.sitepair.replicator.status.NicStatus;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.Protection;
import io.sitepair.replicator.status.ResyncPlanStatus;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Statuses of pair {@code lab} (site a primary, b its backup) as the sites report them, to render. */
final class StatusFixtures {
    static final String QUORUM = "3 of 3 ZooKeeper peers serving: failover possible";
    static final LinkSecurity TLS = new LinkSecurity("TLS 1.3 with the pair's certificates",
            "TLS 1.3 to the ZooKeeper quorum", Map.of("a", "serial 1f, expires 2029-03-10 (824 days)",
                    "b", "serial 2e, expires 2029-03-10 (824 days)"), List.of());

    private StatusFixtures() {}

    static PairStatus pair(SiteStatus a, SiteStatus b) {
        return pair(QUORUM, TLS, a, b);
    }

    static PairStatus pair(String quorum, LinkSecurity security, SiteStatus a, SiteStatus b) {
        Map<String, SiteStatus> sites = new LinkedHashMap<>();
        sites.put("a", a);
        sites.put("b", b);
        return new PairStatus("lab", quorum, security, sites);
    }

    /** Site a serving in epoch 1: 1234 logged, b replayed through 1230. */
    static PrimaryStatus primary(Role role, Protection protection, String fenced, ResyncStatus resync) {
        return primary(role, protection, fenced, resync, null);
    }

    /** As {@link #primary(Role, Protection, String, ResyncStatus)}, in network mode nic if {@code nic} is not null. */
    static PrimaryStatus primary(Role role, Protection protection, String fenced, ResyncStatus resync,
                                 NicStatus nic) {
        return new PrimaryStatus("a", role, "initial primary of pair 'lab'", 1L, "127.0.0.1:7000", nic, protection,
                null, null, resync, null, new PrimaryStatus.Positions(1234, 1234, 1232, 1230), 3L, 0L,
                new PrimaryStatus.Logging(64.1, 3.96, 39_100_000, 16_200_000, 2.41, 4096, 64 << 20, 0, 9000), 3,
                new TreeMap<>(Map.of(1L, 500L)), "connected", fenced, null, PrimaryStatus.Delivery.RUNNING,
                new PrimaryStatus.Peer("b", "streaming", "", 12, false), 5000L,
                new DiskStatus("1 epochs; in epoch 1 since position 0 (primary a)", 100, 2, 1, null), null);
    }

    /** Site a's virtual NIC in the lab, with 3 connections open and some frames dropped at each place. */
    static NicStatus nic(boolean linkUp) {
        Map<String, Long> dropped = new LinkedHashMap<>();
        NicStatus.Guest.DROP_REASONS.forEach(reason -> dropped.put(reason, 0L));
        dropped.put("checksum", 2L);
        dropped.put("not_for_us", 5L);
        return new NicStatus("splab-a-tap", "splab-a", "10.77.0.10/24", 6379, "02:00:5e:10:00:0a", linkUp,
                new NicStatus.TapCounters(1200, 90_000, 1100, 80_000, 1, 0), new NicStatus.HostDropped(0, 1),
                new NicStatus.Guest(1199, 1100, 3, 7, 12, 4, 0, 2, 0, 1, 4096, dropped));
    }

    static PrimaryStatus protectedPrimary() {
        return primary(Role.PRIMARY, Protection.PROTECTED, null, null);
    }

    /** Site b in {@code role}, its channel from a in {@code channel}. */
    static BackupStatus backup(Role role, String reason, String channel, BackupStatus.Resync resync) {
        return new BackupStatus("b", role, reason, 1L, resync, null, null, null, "connected", channel,
                new BackupStatus.Positions(1232, 1230), new BackupStatus.Logging(3.96, 0, 64 << 20), 5000,
                new DiskStatus("1 epochs; in epoch 1 since position 0 (primary a)", 100, 2, 1, null),
                new BackupStatus.Peer("a", 10, false));
    }

    static BackupStatus streamingBackup() {
        return backup(Role.BACKUP, "backup of pair 'lab'", "streaming", null);
    }

    /** Site a's resync of b in {@code phase}: 1 of 4 planned blocks copied after {@code elapsedS}. */
    static ResyncStatus resync(ResyncStatus.Phase phase, long copied, double elapsedS) {
        var plan = new ResyncPlanStatus(new ResyncPlanStatus.Direction("a", "b"), "incremental from epoch 1 position 9",
                "epoch 1 position 9", phase == ResyncStatus.Phase.SPLIT_BRAIN ? "b served in epoch 2 on its own" : null,
                List.of(new ResyncPlanStatus.Disk(0, 4, 16384, Map.of("a", 3L, "b", 1L))), 4, 16384);
        long rate = elapsedS > 0 ? Math.round(copied * 4096 / elapsedS) : 0;
        return new ResyncStatus(phase, plan, copied, copied * 4096, 0L, copied * 4096, rate, 0, 0L,
                rate == 0 ? -1 : (4 - copied) * 4096 / rate, elapsedS);
    }
}
