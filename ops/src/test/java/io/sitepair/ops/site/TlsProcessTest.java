package io.sitepair.ops.site;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.config.TlsHolder;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.lab.WriteLoad;
import io.sitepair.ops.wan.Direction;
import io.sitepair.ops.wan.WanCapture;
import io.sitepair.ops.wan.WanProfile;
import io.sitepair.ops.wan.WanProxy;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PemFiles;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The pair's TLS seen from outside, with real {@code sitepair} processes: what a tap on the
 * logging channel sees, sites refusing unsafe or expired key material at start, and certificates
 * (and the CA) rotated under a write load.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsProcessTest {
    private static final Duration CLI = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aTapOnTheLoggingChannelSeesNoWrittenValueWithTlsAndSeesItWithTlsOff() throws Exception {
        byte[] value = new byte[64];
        new SecureRandom().nextBytes(value); // incompressible: LZ4 leaves it in clear when TLS is off
        byte[] prefix = Arrays.copyOf(value, 16);

        Tap encrypted = tapASet(dir.resolve("tls-on"), true, value);
        for (Direction d : Direction.values()) {
            assertFalse(encrypted.carried(d, value), "the value crossed the link in clear, " + d);
            assertFalse(encrypted.carried(d, prefix), "the value's first 16 bytes crossed the link in clear, " + d);
        }

        Tap plain = tapASet(dir.resolve("tls-off"), false, value); // the control: the tap does see the log
        assertTrue(plain.carried(Direction.FORWARD, value), "with TLS off, the tap should see the value in the log");
    }

    /** What the logging channel carried while a protected primary took {@code SET k value} and its backup acknowledged it. */
    private static Tap tapASet(Path dir, boolean tls, byte[] value) throws Exception {
        Files.createDirectories(dir);
        Tap tap = new Tap();
        try (LocalPair lab = new LocalPair(dir, tls, yaml -> yaml);
             WanProxy proxy = lab.routeThrough(WanProfile.NONE)) {
            lab.start("b"); // two of the three ZooKeeper peers are a quorum: no witness needed here
            lab.start("a");
            lab.await("a", 60, SiteStatus::pairProtected);
            proxy.capture(tap);
            try (Jedis client = new Jedis(lab.service("a").getHostString(), lab.service("a").getPort(), 10_000)) {
                assertEquals("OK", client.set("k".getBytes(), value));
                long logged = ((PrimaryStatus) lab.status("a")).positions().logged();
                lab.await("a", 10, s -> ((PrimaryStatus) s).positions().acknowledged() >= logged);
                assertArrayEquals(value, client.get("k".getBytes()), "the guest stored the value");
            }
            proxy.capture(WanCapture.NONE);
        }
        assertTrue(tap.size(Direction.FORWARD) >= 64 && tap.size(Direction.REVERSE) > 0,
                "the tap saw the log and its acknowledgements: " + tap);
        return tap;
    }

    @Test
    void aSiteWhoseKeyOthersCanReadRefusesToStart() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            Path key = lab.pair().tls().files("a").key();
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
            String refusal = refusedStart(lab);
            assertTrue(refusal.contains(key.toString()) && refusal.contains("0644") && refusal.contains("chmod 600"),
                    refusal);
        }
    }

    @Test
    void aSiteWhoseCertificateExpiredRefusesToStart() throws Exception {
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml)) {
            var files = lab.pair().tls().files("a");
            PairAuthority ca = PairAuthority.load(lab.pair().pair(), files.ca(), TlsHolder.defaultCaKey(lab.pair()));
            ca.issue(PairPrincipal.site(lab.pair().pair(), "a"), TlsHolder.LOOPBACK,
                    Instant.now().minus(Duration.ofDays(30)), Duration.ofDays(1))
                    .write(files.certificate(), files.key());
            String refusal = refusedStart(lab);
            assertTrue(refusal.contains(files.certificate().toString()) && refusal.contains("expired"), refusal);
        }
    }

    /** What {@code sitepair up --site a} said when it refused to start: at once, non-zero, in one line, no trace. */
    private static String refusedStart(LocalPair lab) throws Exception {
        long started = System.nanoTime();
        LocalPair.Cli up = lab.cli(Duration.ofSeconds(30), "up", "--site", "a");
        double seconds = (System.nanoTime() - started) / 1e9;
        assertNotEquals(0, up.exit(), up.text());
        assertTrue(seconds < 15, "the refusal took " + seconds + " s");
        assertFalse(up.text().contains("\tat "), "a refusal is not a bug: no stack trace\n" + up.text());
        assertEquals(1, up.text().strip().lines().count(), up.text());
        return up.text();
    }

    /**
     * Certificates re-issued, then a new CA brought in and the old one dropped, while clients
     * write: each step takes effect when the logging channel reconnects, the pair is protected
     * again each time, and every acknowledged write is there at the end.
     */
    @Test
    void rotatingCertificatesAndTheCaUnderLoadKeepsThePairProtectedAndLosesNoWrite() throws Exception {
        // A reconnection well within the failure timeout: the primary waits for its backup.
        try (LocalPair lab = new LocalPair(dir, yaml -> yaml.replace("suspect-after: 1s", "suspect-after: 10s"));
             WanProxy proxy = lab.routeThrough(WanProfile.NONE)) {
            lab.startProtected();
            String before = serial(lab, "a");
            Map<String, String> ledger;
            try (WriteLoad writers = new WriteLoad(2, "w", Map.of("a", lab.service("a")), "a")) {
                writers.awaitAcknowledged(200, 30);

                rotate(lab, proxy, writers);
                reconnect(lab, proxy, writers);
                assertNotEquals(before, serial(lab, "a"));
                assertPresented(lab);

                rotate(lab, proxy, writers, "--ca");
                reconnect(lab, proxy, writers);
                rotate(lab, proxy, writers, "--finish");
                assertEquals(1, PemFiles.readCertificates(lab.pair().tls().ca()).size(), "only the new CA is trusted");
                reconnect(lab, proxy, writers); // a certificate of the old CA would now be refused
                assertPresented(lab);
                ledger = Map.copyOf(writers.acknowledged());
            }
            assertEquals(0, WriteLoad.missing(ledger, lab.service("a")), "acknowledged writes lost");
            System.out.printf("rotation under load: %d acknowledged writes all present%n", ledger.size());
        }
    }

    /** {@code sitepair cert rotate <options>} while the clients write on: the link in use carries on. */
    private static void rotate(LocalPair lab, WanProxy proxy, WriteLoad writers, String... options) throws Exception {
        long connections = proxy.stats().accepted();
        LocalPair.Cli rotate = lab.cli(CLI, "cert rotate", options);
        assertEquals(0, rotate.exit(), rotate.text());
        writers.awaitAcknowledged(writers.acknowledged().size() + 50, 30);
        lab.await("a", 10, SiteStatus::pairProtected);
        assertEquals(connections, proxy.stats().accepted(), "the rotation broke the logging channel in use");
    }

    /**
     * Cuts the logging channel and brings it back: a new connection, so new handshakes with the
     * files as they are now; waits until the pair is protected again and writes flow.
     */
    private static void reconnect(LocalPair lab, WanProxy proxy, WriteLoad writers) throws Exception {
        long accepted = proxy.stats().accepted();
        proxy.cut();
        Thread.sleep(300);
        proxy.restore();
        WriteLoad.await(() -> proxy.stats().accepted() > accepted && proxy.stats().open() > 0, 20,
                "a new logging channel connection");
        lab.await("a", 30, SiteStatus::pairProtected);
        writers.awaitAcknowledged(writers.acknowledged().size() + 100, 30);
    }

    /** Each site presents, to a new connection, the certificate its file holds now. */
    private static void assertPresented(LocalPair lab) {
        AdminClient fresh = AdminClient.of(lab.pair()); // a new client: new connections, full handshakes
        for (String site : lab.pair().siteNames()) {
            SiteStatus status = fresh.status(site);
            String presented = fresh.presented(site).map(c -> c.getSerialNumber().toString(16))
                    .orElseThrow(() -> new AssertionError("site " + site + " presented no certificate: " + status));
            assertEquals(serial(lab, site), presented, "the certificate site " + site + " presents");
        }
    }

    /** The serial (hex) of the certificate in {@code site}'s file. */
    private static String serial(LocalPair lab, String site) {
        return PemFiles.readCertificates(lab.pair().tls().files(site).certificate()).getFirst().getSerialNumber()
                .toString(16);
    }

    /** Every byte the link carried while attached, by direction. */
    private static final class Tap implements WanCapture {
        private final Map<Direction, ByteArrayOutputStream> carried = new EnumMap<>(Direction.class);

        @Override
        public synchronized void carried(Direction direction, ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            carried.computeIfAbsent(direction, d -> new ByteArrayOutputStream()).writeBytes(copy);
        }

        synchronized int size(Direction direction) {
            ByteArrayOutputStream bytes = carried.get(direction);
            return bytes == null ? 0 : bytes.size();
        }

        synchronized boolean carried(Direction direction, byte[] needle) {
            ByteArrayOutputStream bytes = carried.get(direction);
            byte[] haystack = bytes == null ? new byte[0] : bytes.toByteArray();
            for (int i = 0; i + needle.length <= haystack.length; i++) {
                if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public synchronized String toString() {
            return size(Direction.FORWARD) + " bytes forward, " + size(Direction.REVERSE) + " back";
        }
    }
}
