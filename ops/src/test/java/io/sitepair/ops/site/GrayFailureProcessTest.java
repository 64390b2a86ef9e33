package io.sitepair.ops.site;

import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.WriteLoad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.wan.WanProfile;
import io.sitepair.ops.wan.WanProxy;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gray failures with real processes: faults that close nothing and say nothing (a stalled logging
 * channel, a quorum lost by a process that has switched over and back, a start without a quorum).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GrayFailureProcessTest {
    @TempDir
    Path dir;

    private static WriteLoad writers(InetSocketAddress site) {
        return new WriteLoad(4, "w", Map.of("live", site), "live");
    }

    private static void failover(LocalPair lab, String to) throws Exception {
        LocalPair.Cli failover = lab.cli(Duration.ofSeconds(90), "failover", "--to", to);
        assertEquals(0, failover.exit(), failover.text());
    }

    /**
     * The process that switched over and back has had two serving roles; the quorum guard of the
     * first must not keep the second's from fencing. Killing the backup, then the witness, leaves
     * site a alone without a quorum: it must hold every output from then on.
     */
    @Test
    void aPrimaryThatSwitchedOverAndBackHoldsItsOutputsOnceItLosesTheQuorum() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Map<String, Process> started = lab.startProtected();
            Process witness = started.get("witness");
            Process b = started.get("b");
            failover(lab, "b");
            lab.await("b", 60, SiteStatus::pairProtected);
            failover(lab, "a");
            lab.await("a", 60, SiteStatus::pairProtected);
            try (WriteLoad writers = writers(lab.service("a"))) {
                writers.awaitAcknowledged(100, 30);
                b.destroyForcibly().waitFor();
                lab.await("a", 30, s -> s.role() == Role.LIVE_ALONE);
                writers.awaitAcknowledged(writers.acknowledged().size() + 50, 30);
                witness.destroyForcibly().waitFor();
                PrimaryStatus fenced = (PrimaryStatus) lab.await("a", 30, s -> ((PrimaryStatus) s).fenced() != null);
                assertTrue(fenced.fenced().startsWith("outputs held: ZooKeeper connection"),
                        fenced.toString());
                Thread.sleep(500); // replies already on their way when the fence closed
                int atFence = writers.acknowledged().size();
                Thread.sleep(3000);
                assertEquals(atFence, writers.acknowledged().size(), "writes acknowledged without a quorum");
            }
        }
    }

    /**
     * The logging channel stops carrying anything but stays open (the WAN proxy keeps both TCP
     * connections and drops every byte), while heartbeats flow: the primary must count the channel
     * as down, go on alone after the failure timeout, and be protected again once it heals.
     */
    @Test
    void aStalledLoggingChannelCountsAsDownAndThePrimaryGoesOnAlone() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml);
             WanProxy proxy = lab.routeThrough(WanProfile.rtt(Duration.ofMillis(1), 0))) {
            lab.startProtected();
            InetSocketAddress a = lab.service("a");
            Map<String, String> ledger;
            try (WriteLoad writers = writers(a)) {
                writers.awaitAcknowledged(200, 30);
                proxy.blackhole();
                long stalled = System.nanoTime();
                SiteStatus alone = lab.await("a", 15, s -> s.role() == Role.LIVE_ALONE);
                long millis = (System.nanoTime() - stalled) / 1_000_000;
                assertTrue(alone.reason().contains("logging channel"), alone.toString());
                String log = lab.log("a");
                assertTrue(log.contains("nothing heard on the logging channel") || log.contains("no acknowledgement for"),
                        "a's log says why the channel counts as down:\n" + log);
                writers.awaitAcknowledged(writers.acknowledged().size() + 200, 30); // a serves alone, stall or not
                proxy.restore();
                lab.await("a", 90, SiteStatus::pairProtected);
                writers.awaitAcknowledged(writers.acknowledged().size() + 200, 30);
                ledger = writers.acknowledged();
                System.out.printf("stalled channel: a live alone %d ms after the stall began (failure timeout 1 s)%n",
                        millis);
            }
            assertEquals(0, WriteLoad.missing(ledger, a), "acknowledged writes lost");
        }
    }

    /** Without a quorum a site waits, saying so in its status and log, and goes on once one forms. */
    @Test
    void aSiteStartedWithoutAQuorumWaitsSayingSoAndGoesOnWhenOneForms() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Process b = lab.start("b"); // its own ZooKeeper peer alone: one of three
            SiteStatus waiting = lab.await("b", 30, s -> s.role() == Role.STARTING);
            assertTrue(waiting.reason().contains("ZooKeeper quorum"), waiting.toString());
            Thread.sleep(3000);
            assertTrue(b.isAlive(), "site b exited without a quorum:\n" + lab.log("b"));
            assertTrue(lab.log("b").contains("waiting for a ZooKeeper quorum"), lab.log("b"));
            lab.startWitness();
            lab.await("b", 60, s -> s.role() == Role.BACKUP);
            lab.start("a");
            lab.await("a", 60, SiteStatus::pairProtected);
        }
    }
}
