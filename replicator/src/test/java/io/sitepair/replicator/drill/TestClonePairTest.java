package io.sitepair.replicator.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.disk.DiskImage;
import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.channel.PairIdentity;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.pair.PairSite;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.pair.SiteSettings;
import io.sitepair.replicator.resync.ResyncPolicy;
import io.sitepair.replicator.service.ClientNetwork;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.VmOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A real pair in this JVM (the kv guest, TLS off, no quorum) whose backup serves a test clone
 * while a client writes to the primary: the clone holds every write acknowledged before the
 * request, the pair stays protected and never sees the clone's writes, and the copies go when the
 * clone ends, by request or by its lease.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestClonePairTest {
    private static final GuestModule KV = GuestModule.of("kv", ShippedGuest.load("kv"));
    private static final long DISK_BYTES = 64L << 20;

    @TempDir
    Path dir;

    private Site a;
    private Site b;
    private InetSocketAddress service;
    private InetSocketAddress serviceB;
    /** Any free port: a port picked before the pair starts may be taken by one of its connections. */
    private final InetSocketAddress anyPort = loopback(0);

    @BeforeEach
    void startPair() throws Exception {
        InetSocketAddress channelA = loopback(freePort());
        InetSocketAddress channelB = loopback(freePort());
        service = loopback(freePort());
        serviceB = loopback(freePort());
        b = PairSite.startBackup(settings("b", "a", channelB, channelA, serviceB), null);
        a = PairSite.startPrimary(settings("a", "b", channelA, channelB, service), null);
        await(() -> a.status().pairProtected(), "the pair is protected");
        // The primary counts itself protected a moment before its backup counts itself streaming.
        await(() -> b.status() instanceof BackupStatus backup && backup.role() == Role.BACKUP
                && "streaming".equals(backup.channel()), "site b streams as the backup");
    }

    @AfterEach
    void stopPair() throws Exception {
        if (a != null) {
            a.stop();
            a.await();
            b.await();
        }
    }

    @Test
    void theCloneServesWhatWasAcknowledgedWhileThePairGoesOnProtectedAndNeverSeesItsWrites() throws Exception {
        try (Writer writer = new Writer(service)) {
            await(() -> writer.acknowledged.get() >= 200, "the primary acknowledges writes");
            long acknowledgedBefore = writer.acknowledged.get();

            TestClone.Started started = b.startTestClone(anyPort, Duration.ofSeconds(60));

            InetSocketAddress cloneAddress = address(started);
            assertTrue(started.position() > 0 && started.eventsDelivered() > acknowledgedBefore, started.toString());
            assertTrue(List.of("reflink", "sparse copy").contains(started.copyMethod()), started.copyMethod());
            assertTrue(started.bytesCopied() > 0 && started.replayPauseMs() >= 0
                    && started.timeToServeMs() >= started.replayPauseMs(), started.toString());
            Path copies = dir.resolve("b").resolve(TestClones.DIRECTORY);
            assertEquals(copies.toString(), started.copies());
            assertTrue(Files.exists(copies.resolve("0-disk0.img")));
            try (Jedis clone = client(cloneAddress)) {
                for (long i = 0; i < acknowledgedBefore; i++) {
                    assertEquals("value" + i, clone.get("key" + i), "acknowledged before the request: key" + i);
                }
                assertEquals("OK", clone.set("clone-only", "written-on-the-test-clone"));
                assertEquals("written-on-the-test-clone", clone.get("clone-only"));
            }
            IllegalStateException second = assertThrows(IllegalStateException.class,
                    () -> b.startTestClone(anyPort, Duration.ofSeconds(60)));
            assertTrue(second.getMessage().startsWith("a test clone is already serving on " + started.address()
                    + " since "), second.getMessage());

            long duringClone = writer.acknowledged.get();
            await(() -> writer.acknowledged.get() > duringClone + 200, "the primary goes on acknowledging");
            assertTrue(a.status().pairProtected(), "and stays protected");
            long replayedAtClone = started.position();
            await(() -> ((BackupStatus) b.status()).positions().replayed() > replayedAtClone, "the backup replays on");
            try (Jedis primary = client(service)) {
                assertNull(primary.get("clone-only"), "the clone's write never reaches the pair");
            }
            assertTrue(contains(copies.resolve("0-disk0.img"), "written-on-the-test-clone"),
                    "the clone wrote its copy");

            String ended = b.endTestClone();

            assertTrue(ended.contains("copies deleted"), ended);
            assertFalse(Files.exists(copies), "the copies are gone");
            assertThrows(ConnectException.class, () -> new Socket(cloneAddress.getAddress(), cloneAddress.getPort()),
                    "the clone no longer serves");
            assertThrows(IllegalStateException.class, b::endTestClone, "nothing left to end");
        }
        a.stop();
        a.await();
        b.await();
        a = null;
        for (String site : List.of("a", "b")) {
            assertFalse(contains(dir.resolve(site).resolve("disk0.img"), "written-on-the-test-clone"),
                    "site " + site + "'s disk never saw the clone's write");
        }
    }

    @Test
    void aCloneWhoseLeaseRunsOutEndsItselfAndDeletesItsCopies() throws Exception {
        // No client: the backup has replayed all it received and waits; the request must wake it.
        await(() -> {
            BackupStatus.Positions at = ((BackupStatus) b.status()).positions();
            return at.replayed() > 0 && at.replayed() == at.received();
        }, "the backup has replayed the primary's boot");
        InetSocketAddress cloneAddress = address(b.startTestClone(anyPort, Duration.ofSeconds(1)));
        Path copies = dir.resolve("b").resolve(TestClones.DIRECTORY);
        assertTrue(Files.exists(copies));
        assertTrue(b.renewTestClone().contains("renewed"));
        Thread.sleep(700);
        assertTrue(Files.exists(copies), "renewed: the lease runs from the renewal");

        await(() -> !Files.exists(copies), "the lease runs out and the copies are deleted");
        assertThrows(ConnectException.class, () -> new Socket(cloneAddress.getAddress(), cloneAddress.getPort()));
        IllegalStateException none = assertThrows(IllegalStateException.class, b::renewTestClone);
        assertTrue(none.getMessage().contains("serves no test clone"), none.getMessage());
    }

    @Test
    void aCloneEndsFirstWhenTheBackupStops() throws Exception {
        InetSocketAddress cloneAddress = address(b.startTestClone(anyPort, Duration.ofSeconds(60)));
        a.stop(); // a clean power-off: the backup stops with it
        a.await();
        b.await();
        a = null;
        assertFalse(Files.exists(dir.resolve("b").resolve(TestClones.DIRECTORY)), "the copies are gone");
        assertThrows(ConnectException.class, () -> new Socket(cloneAddress.getAddress(), cloneAddress.getPort()));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> b.startTestClone(anyPort, Duration.ofSeconds(60)));
        assertTrue(refused.getMessage().contains("only a protected backup"), refused.getMessage());
    }

    @Test
    void onlyTheProtectedBackupTakesAClone() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> a.startTestClone(anyPort, Duration.ofSeconds(60)));
        assertEquals("site 'a' is primary; only a protected backup can take a test clone", refused.getMessage());
        IllegalArgumentException onService = assertThrows(IllegalArgumentException.class,
                () -> b.startTestClone(serviceB, Duration.ofSeconds(60)));
        assertTrue(onService.getMessage().contains("is the pair's service address"), onService.getMessage());
    }

    private SiteSettings settings(String site, String peer, InetSocketAddress channel, InetSocketAddress peerChannel,
                                  InetSocketAddress serviceAddress) throws IOException {
        Path dataDir = Files.createDirectories(dir.resolve(site));
        Path disk = dataDir.resolve("disk0.img");
        DiskImage.create(disk, DISK_BYTES);
        PairIdentity identity = new PairIdentity("lab", "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), site,
                peer, KV.hash(), OfflineRun.CPU_ARCH, List.of(DISK_BYTES / DiskImage.BLOCK_SIZE), false, null);
        return new SiteSettings(identity, 1, KV, VmOptions.defaults().withConsole((mode, line) -> {}), List.of(disk),
                DISK_BYTES, channel, peerChannel, peerChannel, new ClientNetwork.Socket(serviceAddress), 64L << 20, Duration.ofSeconds(1),
                Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMillis(200), null, dataDir, 0, "a",
                ResyncPolicy.DEFAULTS, SiteMeters.NONE);
    }

    /** Writes key<i> = value<i> in order, counting the writes acknowledged. */
    private static final class Writer implements AutoCloseable {
        final AtomicLong acknowledged = new AtomicLong();
        private final Thread thread;
        private volatile boolean stop;

        Writer(InetSocketAddress service) {
            thread = Thread.ofPlatform().name("writer").start(() -> {
                try (Jedis jedis = client(service)) {
                    for (long i = 0; !stop; i++) {
                        jedis.set("key" + i, "value" + i);
                        acknowledged.set(i + 1);
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }

    private static Jedis client(InetSocketAddress address) {
        return new Jedis(address.getHostString(), address.getPort(), 10_000);
    }

    private static boolean contains(Path file, String text) throws IOException {
        byte[] data = Files.readAllBytes(file);
        byte[] wanted = text.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + wanted.length <= data.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (data[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static InetSocketAddress address(TestClone.Started started) {
        assertTrue(started.address().startsWith("127.0.0.1:"), started.address());
        return loopback(Integer.parseInt(started.address().substring("127.0.0.1:".length())));
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
