package io.sitepair.ops.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.command.Main;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.WriteLoad;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.Protection;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StatusJson;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Failover with real processes: two sites and the witness, each running a real ZooKeeper peer,
 * and Redis clients keeping a ledger of every write they saw acknowledged.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class FailoverProcessTest {
    private static final int WRITERS = 4;

    @TempDir
    Path dir;

    /** Clients writing distinct keys to one site; a key enters the ledger only once its SET returned OK. */
    private static WriteLoad writers(InetSocketAddress site) {
        return new WriteLoad(WRITERS, "w", Map.of("live", site), "live");
    }

    private static void assertAllPresent(Map<String, String> ledger, String host, int port) {
        try (Jedis jedis = new Jedis(host, port, 5000)) {
            for (var e : ledger.entrySet()) {
                assertEquals(e.getValue(), jedis.get(e.getKey()), "acknowledged write of " + e.getKey() + " lost");
            }
        }
    }


    @Test
    void killingThePrimaryThenFailingBackLosesNoAcknowledgedWrite() throws Exception {
        Path hookOut = dir.resolve("hook.out");
        String hook = "  go-live-hook: 'echo \"$SITEPAIR_PAIR $SITEPAIR_SITE $SITEPAIR_EPOCH $SITEPAIR_ENDPOINT\" > "
                + hookOut + "'\n";
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml.replace("coordination:", "coordination:\n" + hook.stripTrailing()))) {
            Map<String, Process> started = lab.startProtected();
            Process bSite = started.get("b");
            Process a = started.get("a");
            var service = lab.service("a");
            assertEquals("127.0.0.1:" + service.getPort(), lab.endpoint());

            Map<String, String> ledger;
            long killed;
            try (WriteLoad writers = writers(service)) {
                writers.awaitAcknowledged(500, 30);
                a.destroyForcibly(); // kill -9, mid-load
                killed = System.nanoTime();
                a.waitFor(10, TimeUnit.SECONDS);
                ledger = writers.acknowledged();
            }
            SiteStatus live = lab.await("b", 20, s -> s.role() == Role.LIVE_ALONE);
            double seconds = (System.nanoTime() - killed) / 1e9;
            assertEquals(2L, live.epoch(), live.toString());
            assertTrue(live.failover().startsWith("live in epoch 2"), live.toString());

            var b = lab.service("b");
            assertEquals("127.0.0.1:" + b.getPort(), lab.endpoint(), "the endpoint follows the arbitration record");
            assertAllPresent(ledger, b.getHostString(), b.getPort());
            try (Jedis jedis = new Jedis(b.getHostString(), b.getPort(), 5000)) {
                assertEquals("OK", jedis.set("after-failover", "yes"));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(hookOut) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals("lab b 2 127.0.0.1:" + b.getPort(), Files.readString(hookOut).trim(), "the operator's go-live hook");
            System.out.printf("failover: %d acknowledged writes all present on b; b live %.2f s after the kill%n",
                    ledger.size(), seconds);

            // The old primary comes back: it rejoins as b's backup and is re-protected.
            lab.start("a");
            PrimaryStatus reprotected = (PrimaryStatus) lab.await("b", 60, SiteStatus::pairProtected);
            assertEquals(Role.PRIMARY, reprotected.role(), reprotected.toString());
            assertTrue(reprotected.lastReprotection().contains("MiB copied"), reprotected.toString());
            lab.await("a", 10, s -> s.role() == Role.BACKUP);

            // Failback: the same failure with the roles swapped.
            Map<String, String> second;
            try (WriteLoad writers = writers(b)) {
                writers.awaitAcknowledged(300, 30);
                bSite.destroyForcibly();
                bSite.waitFor(10, TimeUnit.SECONDS);
                second = writers.acknowledged();
            }
            SiteStatus back = lab.await("a", 20, s -> s.role() == Role.LIVE_ALONE);
            assertEquals(3L, back.epoch(), back.toString());
            assertEquals("127.0.0.1:" + service.getPort(), lab.endpoint());
            assertAllPresent(ledger, service.getHostString(), service.getPort());
            assertAllPresent(second, service.getHostString(), service.getPort());
            assertAllPresent(Map.of("after-failover", "yes"), service.getHostString(), service.getPort());
            System.out.printf("failback: %d more acknowledged writes all present on a%n", second.size());
        }
    }

    @Test
    void aKilledBackupRejoinsAndThePairEndsInTheSameStateOnBothSites() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Map<String, Process> started = lab.startProtected();
            Process b = started.get("b");
            Process a = started.get("a");
            var service = lab.service("a");
            Map<String, String> ledger;
            try (WriteLoad writers = writers(service)) {
                writers.awaitAcknowledged(300, 30);
                b.destroyForcibly();
                b.waitFor(10, TimeUnit.SECONDS);
                SiteStatus alone = lab.await("a", 20, s -> s.role() == Role.LIVE_ALONE);
                assertEquals(2L, alone.epoch(), alone.toString());
                assertTrue(alone.protection().state() == Protection.State.UNPROTECTED, alone.toString());
                int before = writers.acknowledged().size();
                writers.awaitAcknowledged(before + 300, 30); // writes flow again without a backup

                // The backup returns under the same load: it is copied and protects a again.
                lab.start("b");
                SiteStatus reprotected = lab.await("a", 60, SiteStatus::pairProtected);
                assertEquals(Role.PRIMARY, reprotected.role(), reprotected.toString());
                int protectedAt = writers.acknowledged().size();
                writers.awaitAcknowledged(protectedAt + 300, 30); // and writes flow under the Output Rule again
                ledger = writers.acknowledged();
            }
            assertAllPresent(ledger, service.getHostString(), service.getPort());
            // A clean power-off: the re-protected backup stops at exactly the primary's state.
            signal(a, "TERM");
            assertTrue(a.waitFor(60, TimeUnit.SECONDS));
            Process rejoined = lab.processes().getLast();
            assertTrue(rejoined.waitFor(60, TimeUnit.SECONDS), lab.log("b"));
            assertEquals(lab.finalState("a"), lab.finalState("b"), "memory and disks identical on both sites");
        }
    }

    @Test
    void aPlannedSwitchoverLosesNothingAndTheOldPrimaryRejoinsAsTheBackup() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            lab.startProtected();
            var a = lab.service("a");
            var admin = lab.pair().site("a").admin();
            assertThrows(java.io.IOException.class, () -> java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + admin.getPort()
                            + "/switchover")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()), "a request without a certificate is not served");
            LocalPair.Cli monitor = lab.cli(Duration.ofSeconds(30), "cert issue", "--operator", "grafana", "--read-only");
            assertEquals(0, monitor.exit(), monitor.text());
            var readOnly = AdminClient.of(lab.pair(), lab.dir().resolve("tls/grafana.crt"),
                    lab.dir().resolve("tls/grafana.key")).post("a", "switchover", Duration.ofSeconds(10));
            assertEquals(403, readOnly.status(), "a monitor's certificate may not switch over: " + readOnly.text());

            Map<String, String> ledger;
            String output;
            try (WriteLoad writers = writers(a)) {
                writers.awaitAcknowledged(300, 30);
                output = failover(lab, "b", 0);
                ledger = writers.acknowledged();
            }
            assertTrue(output.contains("switched over to site 'b' in epoch 2"), output);
            var b = lab.service("b");
            assertEquals("127.0.0.1:" + b.getPort(), lab.endpoint());
            assertAllPresent(ledger, b.getHostString(), b.getPort());
            SiteStatus live = lab.await("b", 60, SiteStatus::pairProtected);
            assertEquals(Role.PRIMARY, live.role(), "the old primary rejoined as the backup: " + live);
            assertTrue(failover(lab, "b", 1).contains("site b is already live"));
            System.out.printf("switchover: %d acknowledged writes all present on b%n", ledger.size());
        }
    }

    /**
     * The logging channel is cut while both sites reach ZooKeeper and heartbeats flow: after the
     * failure timeout the primary goes on alone in the next epoch; the backup, seeing that epoch,
     * rejoins and waits. Exactly one site serves, and no epoch has outputs from two sites.
     */
    @Test
    void aCutLoggingChannelLeavesExactlyOneSiteServingAndTheOtherRejoinsWhenItReturns() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml);
             io.sitepair.ops.wan.WanProxy proxy = lab.routeThrough(io.sitepair.ops.wan.WanProfile.rtt(
                     Duration.ofMillis(1), 0))) {
            lab.startProtected();
            var a = lab.service("a");
            Map<String, String> ledger;
            try (WriteLoad writers = writers(a)) {
                writers.awaitAcknowledged(200, 30);
                proxy.cut();
                SiteStatus alone = lab.await("a", 20, s -> s.role() == Role.LIVE_ALONE);
                assertEquals(2L, alone.epoch(), alone.toString());
                assertTrue(alone.reason().contains("logging channel"), alone.toString());
                SiteStatus b = lab.await("b", 30, s -> s.role() == Role.BACKUP
                        && s.epoch() == 2);
                assertTrue(lab.log("b").contains("serves in epoch 2 without this backup"), lab.log("b"));
                int before = writers.acknowledged().size();
                writers.awaitAcknowledged(before + 200, 30); // a serves alone
                assertEquals("127.0.0.1:" + a.getPort(), lab.endpoint());
                assertOneSitePerEpoch(lab.status("a"), b);

                proxy.restore();
                lab.await("a", 60, SiteStatus::pairProtected);
                writers.awaitAcknowledged(writers.acknowledged().size() + 200, 30);
                ledger = writers.acknowledged();
            }
            assertAllPresent(ledger, a.getHostString(), a.getPort());
            assertOneSitePerEpoch(lab.status("a"), lab.status("b"));
        }
    }

    /** No epoch in which both sites released outputs. */
    private static void assertOneSitePerEpoch(SiteStatus a, SiteStatus b) {
        Map<Long, Long> fromA = releasedByEpoch(a);
        Map<Long, Long> fromB = releasedByEpoch(b);
        assertTrue(fromA.getOrDefault(2L, 0L) > 0, "a served in epoch 2: " + fromA);
        for (long epoch : fromA.keySet()) {
            long byA = fromA.get(epoch);
            long byB = fromB.getOrDefault(epoch, 0L);
            assertTrue(byA == 0 || byB == 0, "both sites released outputs in epoch " + epoch + ": a " + byA + ", b " + byB);
        }
    }

    /** Outputs the site released per epoch; none for a site that never served. */
    static Map<Long, Long> releasedByEpoch(SiteStatus site) {
        return site instanceof PrimaryStatus serving && serving.releasedOutputsByEpoch() != null
                ? serving.releasedOutputsByEpoch() : Map.of();
    }

    private static String failover(LocalPair lab, String to, int expectedExit) throws Exception {
        LocalPair.Cli failover = lab.cli(java.time.Duration.ofSeconds(90), "failover", "--to", to);
        assertEquals(expectedExit, failover.exit(), failover.text());
        return failover.text();
    }

    private static void signal(Process p, String signal) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor());
    }

    /**
     * A paused primary (SIGSTOP: a GC pause or a frozen VM, as far as anyone can tell) loses its
     * epoch to the backup. When it wakes it must release nothing: a write it takes after waking is
     * never acknowledged, and it halts once it learns of the new epoch.
     */
    @Test
    void aPrimaryPausedPastTheTimeoutWakesToFindItsEpochGoneAndReleasesNothing() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Process a = lab.startProtected().get("a");
            var service = lab.service("a");
            try (Jedis before = new Jedis(service.getHostString(), service.getPort(), 5000)) {
                assertEquals("OK", before.set("before-pause", "1"));
            }

            signal(a, "STOP");
            var pausedWrite = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (Jedis jedis = new Jedis(service.getHostString(), service.getPort(), 30_000)) {
                    return jedis.set("written-to-the-paused-primary", "1"); // queued in a's socket until it wakes
                } catch (RuntimeException e) {
                    return "failed: " + e.getMessage();
                }
            });
            SiteStatus live = lab.await("b", 30, s -> s.role() == Role.LIVE_ALONE);
            assertEquals(2L, live.epoch(), live.toString());
            signal(a, "CONT");

            assertTrue(a.waitFor(30, TimeUnit.SECONDS), "the woken primary must halt\n" + lab.log("a"));
            // Whichever it learns first, its failed claim or its fenced reconnection, it halts naming epoch 2.
            String log = lab.log("a");
            assertTrue(log.contains("HALTED") && log.contains("epoch 2") && log.contains("must not serve"), log);
            // A designed halt is an outcome, not a bug: one line, no stack trace, the documented exit code.
            assertEquals(Main.EXIT_VM_HALTED, a.exitValue(), log);
            assertTrue(!log.contains("\tat ") && log.contains("site a halted: "), log);
            String reply = pausedWrite.get(30, TimeUnit.SECONDS);
            assertTrue(!"OK".equals(reply), "a write taken after the epoch passed was acknowledged: " + reply);
            var b = lab.service("b");
            try (Jedis jedis = new Jedis(b.getHostString(), b.getPort(), 5000)) {
                assertEquals("1", jedis.get("before-pause"));
                assertEquals(null, jedis.get("written-to-the-paused-primary"));
            }
        }
    }

    /** No quorum, no outputs: a site serving alone holds every reply until the quorum confirms its epoch. */
    @Test
    void aSiteServingAloneHoldsItsOutputsWhileItHasNoQuorum() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Map<String, Process> started = lab.startProtected();
            Process witness = started.get("witness");
            Process b = started.get("b");
            b.destroyForcibly();
            lab.await("a", 30, s -> s.role() == Role.LIVE_ALONE);

            witness.destroyForcibly(); // a's own peer is now one of three
            PrimaryStatus fenced = (PrimaryStatus) lab.await("a", 30, s -> ((PrimaryStatus) s).fenced() != null);
            assertTrue(fenced.fenced().startsWith("outputs held"), fenced.toString());
            var service = lab.service("a");
            var write = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (Jedis jedis = new Jedis(service.getHostString(), service.getPort(), 60_000)) {
                    return jedis.set("during-no-quorum", "1");
                }
            });
            Thread.sleep(1500);
            assertTrue(!write.isDone(), "a reply left without a quorum: " + (write.isDone() ? write.get() : ""));

            lab.startWitness();
            assertEquals("OK", write.get(60, TimeUnit.SECONDS));
            lab.await("a", 30, s -> ((PrimaryStatus) s).fenced() == null && s.role() == Role.LIVE_ALONE);
        }
    }

    @Test
    void withTheWitnessDownThePairStaysProtectedAndStatusSaysAFailoverIsImpossible() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Process witness = lab.startProtected().get("witness");
            witness.destroyForcibly();
            witness.waitFor(10, TimeUnit.SECONDS);
            var service = lab.service("a");
            try (Jedis jedis = new Jedis(service.getHostString(), service.getPort(), 30_000)) {
                for (int i = 0; i < 100; i++) {
                    assertEquals("OK", jedis.set("k" + i, "v" + i));
                }
            }
            lab.await("a", 30, s -> s.pairProtected() && ((PrimaryStatus) s).fenced() == null);

            String quorum = StatusJson.readPair(lab.cli(Duration.ofSeconds(30), "status", "--json").out()).quorum();
            assertTrue(quorum.startsWith("2 of 3 ZooKeeper peers serving (down: witness): a failover is impossible"),
                    quorum);
        }
    }
}
