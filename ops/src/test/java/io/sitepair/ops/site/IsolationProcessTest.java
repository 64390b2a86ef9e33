package io.sitepair.ops.site;

import io.sitepair.ops.lab.LocalPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.wan.WanProfile;
import io.sitepair.ops.wan.WanProxy;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.tiebreaker.QuorumMember;
import io.sitepair.tiebreaker.QuorumPeer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The primary cut off from its backup and from ZooKeeper at once. The pair uses an external
 * ensemble (three real peers in this JVM); site a reaches the ensemble, the backup's logging
 * channel and the backup's heartbeats only through proxies and relays that the test cuts, and
 * the backup's heartbeats reach a only through a relay too.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class IsolationProcessTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    /** Held so the setting sticks: the peers in this JVM log every cut connection. */
    private static final java.util.logging.Logger ZOOKEEPER_LOG = java.util.logging.Logger.getLogger("org.apache.zookeeper");

    @org.junit.jupiter.api.BeforeAll
    static void quietZooKeeper() {
        ZOOKEEPER_LOG.setLevel(java.util.logging.Level.OFF);
    }

    @AfterEach
    void closeAll() {
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** Forwards UDP datagrams to one address, or drops them while cut. */
    private static final class UdpRelay implements AutoCloseable {
        private final DatagramSocket socket;
        private volatile boolean cut;

        UdpRelay(InetSocketAddress target) throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofPlatform().daemon().start(() -> {
                byte[] buffer = new byte[2048];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        socket.receive(packet);
                        if (!cut) {
                            socket.send(new DatagramPacket(packet.getData(), packet.getLength(), target));
                        }
                    } catch (Exception closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The pair's coordination through the test's external ensemble, which serves plaintext only. */
    private static String withEnsemble(String yaml, String connect) {
        return yaml.substring(0, yaml.indexOf("  zookeeper:")) + "  ensemble: " + connect + "\n  tls: none\n";
    }

    private static String withPeerAddress(String yaml, String site, int port) {
        return yaml.replaceFirst("(?m)^(  " + site + ":\\n    channel: )127\\.0\\.0\\.1:\\d+", "$1127.0.0.1:" + port);
    }

    @Test
    void anIsolatedPrimaryReleasesNothingAndTheBackupGoesLiveOnlyThroughTheQuorum() throws Exception {
        List<QuorumMember> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            members.add(new QuorumMember(i, "zk" + i, new InetSocketAddress("127.0.0.1", freePort()), freePort(),
                    freePort()));
        }
        for (QuorumMember member : members) {
            resources.add(QuorumPeer.start(dir.resolve(member.name()), member, members, Duration.ofMillis(200)));
        }
        // A peer opens its client port only once it serves: until then the lab's configuration,
        // written next, could be given that same port for a site's service (seen in CI).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (io.sitepair.tiebreaker.QuorumProbe.probe(members, Duration.ofSeconds(1)).serving().size() < 3) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the external ensemble did not form within 60 s");
            }
            Thread.sleep(100);
        }
        List<WanProxy> zookeeperFromA = new ArrayList<>();
        for (QuorumMember member : members) {
            WanProxy proxy = WanProxy.start(new InetSocketAddress("127.0.0.1", 0), member.client(), WanProfile.rtt(
                    Duration.ZERO, 0));
            resources.add(proxy);
            zookeeperFromA.add(proxy);
        }
        String direct = QuorumPeer.connectString(members);
        String viaProxies = zookeeperFromA.stream().map(p -> "127.0.0.1:" + p.address().getPort())
                .collect(Collectors.joining(","));

        LocalPair lab = new LocalPair(dir.resolve("lab"), yaml -> withEnsemble(yaml, direct));
        resources.add(lab);
        WanProxy channel = lab.routeThrough(WanProfile.rtt(Duration.ofMillis(1), 0)); // a dials b through it
        UdpRelay heartbeatsToB = new UdpRelay(lab.pair().site("b").channel());
        UdpRelay heartbeatsToA = new UdpRelay(lab.pair().site("a").channel());
        resources.add(heartbeatsToB);
        resources.add(heartbeatsToA);
        String base = Files.readString(lab.config());
        Path aView = lab.dir().resolve("a.yaml");
        Files.writeString(aView, withPeerAddress(base, "b", heartbeatsToB.port()).replace(direct, viaProxies));
        Path bView = lab.dir().resolve("b.yaml");
        Files.writeString(bView, withPeerAddress(base, "a", heartbeatsToA.port()));

        lab.start("b", bView);
        Process a = lab.start("a", aView);
        lab.await("a", 90, SiteStatus::pairProtected);
        var aService = lab.service("a");
        try (Jedis toA = new Jedis(aService.getHostString(), aService.getPort(), 60_000)) {
            for (int i = 0; i < 100; i++) {
                assertEquals("OK", toA.set("k" + i, "v" + i));
            }

            // Isolation: no logging channel, no heartbeats either way, no ZooKeeper for a.
            channel.cut();
            heartbeatsToA.cut = true;
            heartbeatsToB.cut = true;
            zookeeperFromA.forEach(WanProxy::cut);
            CompletableFuture<String> isolatedWrite = CompletableFuture.supplyAsync(() -> toA.set("isolated", "1"));

            SiteStatus b = lab.await("b", 30, s -> s.role() == Role.LIVE_ALONE);
            assertEquals(2L, b.epoch(), b.toString());
            assertThrows(TimeoutException.class, () -> isolatedWrite.get(3, TimeUnit.SECONDS),
                    "the isolated primary answered or dropped the client\n" + lab.log("a"));
            SiteStatus aStatus = lab.status("a");
            assertNotEquals(Role.LIVE_ALONE, aStatus.role(), "a went live without a quorum: " + aStatus);
            assertFalse(FailoverProcessTest.releasedByEpoch(aStatus).containsKey(2L),
                    "a released outputs in b's epoch: " + aStatus);

            var bService = lab.service("b");
            try (Jedis toB = new Jedis(bService.getHostString(), bService.getPort(), 10_000)) {
                for (int i = 0; i < 100; i++) {
                    assertEquals("v" + i, toB.get("k" + i), "acknowledged write k" + i + " lost");
                }
                assertNull(toB.get("isolated"));
                assertEquals("OK", toB.set("after", "failover"));
            }
            assertEquals("127.0.0.1:" + bService.getPort(), lab.endpoint());

            // The partition heals: a learns of epoch 2 and halts, having released nothing more.
            zookeeperFromA.forEach(WanProxy::restore);
            heartbeatsToA.cut = false;
            heartbeatsToB.cut = false;
            channel.restore();
            assertTrue(a.waitFor(60, TimeUnit.SECONDS), "the isolated primary must halt once it hears of epoch 2\n"
                    + lab.log("a"));
            String log = lab.log("a");
            assertTrue(log.contains("HALTED") && log.contains("epoch 2"), log);
            String reply;
            try {
                reply = isolatedWrite.get(10, TimeUnit.SECONDS);
            } catch (Exception connectionClosed) {
                reply = null;
            }
            assertNotEquals("OK", reply, "a write taken while isolated was acknowledged");
        }
    }

}
