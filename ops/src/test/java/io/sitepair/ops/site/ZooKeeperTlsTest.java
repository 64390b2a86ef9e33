package io.sitepair.ops.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.TestPki;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.QuorumMember;
import io.sitepair.tiebreaker.QuorumPeer;
import io.sitepair.tiebreaker.QuorumProbe;
import io.sitepair.tiebreaker.Tiebreaker;
import io.sitepair.tiebreaker.ZooKeeperTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real ZooKeeper peers over TLS with the pair's certificates: only the sites' certificates change
 * the pair's record, and a client or a peer without a certificate of the pair's CA is not served.
 *
 * <p>Peers started in this JVM share ZooKeeper's JVM-wide TLS settings, so they all present the
 * last one's certificate (every certificate here names the loopback addresses); a peer that must
 * present a certificate of its own runs in a child JVM ({@link #main}).
 */
class ZooKeeperTlsTest {
    private static final String PAIR = "lab";
    private static final Duration SESSION = Duration.ofSeconds(2);
    private static final byte[] SECRET = new byte[32];
    private static final Duration TICK = Duration.ofMillis(200);
    private static final List<String> SITES = List.of(PairPrincipal.site(PAIR, "a").subject(),
            PairPrincipal.site(PAIR, "b").subject());

    @TempDir
    static Path pki;
    static ZooKeeperTls siteA;
    static ZooKeeperTls siteB;
    static ZooKeeperTls witness;
    /** A certificate naming site a of the pair, from another CA, with the pair's CA trusted: refused by the other end. */
    static ZooKeeperTls foreign;

    @TempDir
    Path dir;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void issueCertificates() throws IOException {
        TestPki pair = new TestPki(Files.createDirectory(pki.resolve("pair")), PAIR);
        siteA = zooKeeperTls(pair.issue(PairPrincipal.site(PAIR, "a")));
        siteB = zooKeeperTls(pair.issue(PairPrincipal.site(PAIR, "b")));
        witness = zooKeeperTls(pair.issue(PairPrincipal.witness(PAIR, "witness")));
        TlsFiles other = new TestPki(Files.createDirectory(pki.resolve("other")), PAIR)
                .issue(PairPrincipal.site(PAIR, "a"));
        foreign = new ZooKeeperTls(siteA.ca(), other.certificate(), other.key());
    }

    private static ZooKeeperTls zooKeeperTls(TlsFiles files) {
        return new ZooKeeperTls(files.ca(), files.certificate(), files.key());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void onlyTheSitesCertificatesChangeTheRecordAndNoClientWithoutThePairsCertificateIsServed() throws Exception {
        List<QuorumMember> members = members();
        for (QuorumMember member : members) {
            resources.add(QuorumPeer.start(dir.resolve(member.name()), member, members, TICK, siteA));
        }
        String ensemble = QuorumPeer.connectString(members);
        Tiebreaker a = connected(ensemble, siteA);
        EpochRecord first = a.initialize(new EpochRecord(1, "a", 0, "127.0.0.1:7000"));
        assertEquals(new EpochRecord(1, "a", 0, "127.0.0.1:7000"), first);

        Tiebreaker b = connected(ensemble, siteB);
        Claim claim = b.claim(1, "b", 42, "127.0.0.1:7001");
        assertTrue(claim.won(), "site b's certificate takes epoch 2: " + claim);

        Tiebreaker asWitness = connected(ensemble, witness);
        assertEquals(claim.record(), asWitness.current(), "anyone authenticated reads the record");
        assertThrows(SecurityException.class, () -> asWitness.claim(2, "a", 50, "127.0.0.1:7000"));
        assertThrows(SecurityException.class, () -> asWitness.markInconsistent("b", true));
        assertEquals(claim.record(), a.current(), "the witness changed nothing");

        assertEquals(3, QuorumProbe.probe(members, Duration.ofSeconds(2), witness).serving().size(),
                "the probe asks over TLS");
        assertEquals(0, QuorumProbe.probe(members, Duration.ofSeconds(2)).serving().size(), "nothing answers plaintext");

        Tiebreaker plaintext = Tiebreaker.connect(ensemble, PAIR, SECRET, SESSION);
        resources.add(plaintext);
        assertFalse(plaintext.awaitConnected(Duration.ofSeconds(3)), "a plaintext client is not served");

        Tiebreaker otherCa = Tiebreaker.connect(ensemble, PAIR, SECRET, foreign, SITES, SESSION);
        resources.add(otherCa);
        assertFalse(otherCa.awaitConnected(Duration.ofSeconds(3)), "a certificate of another CA is refused");
    }

    @Test
    void sitesUpgradedToTlsTakeOverTheRecordsThePairLeftWithoutIt() throws Exception {
        List<QuorumMember> members = members();
        String ensemble = QuorumPeer.connectString(members);
        List<QuorumPeer> plaintext = new ArrayList<>();
        for (QuorumMember member : members) {
            plaintext.add(QuorumPeer.start(dir.resolve(member.name()), member, members, TICK, null));
        }
        try (Tiebreaker before = Tiebreaker.connect(ensemble, PAIR, SECRET, SESSION)) {
            assertTrue(before.awaitConnected(Duration.ofSeconds(60)), "the plaintext ensemble formed");
            before.initialize(new EpochRecord(1, "a", 0, "127.0.0.1:7000"));
            assertTrue(before.claim(1, "b", 10, "127.0.0.1:7001").won(), "b took epoch 2 before TLS");
        }
        plaintext.forEach(QuorumPeer::close);
        for (QuorumMember member : members) {
            resources.add(QuorumPeer.start(dir.resolve(member.name()), member, members, TICK, siteA));
        }
        Tiebreaker a = connected(ensemble, siteA);
        EpochRecord record = a.initialize(new EpochRecord(1, "a", 0, "127.0.0.1:7000"));
        assertEquals(2, record.epoch(), "the record the pair left");
        assertTrue(a.claim(2, "a", 20, "127.0.0.1:7000").won(), "site a's certificate takes epoch 3");
        Tiebreaker asWitness = connected(ensemble, witness);
        assertThrows(SecurityException.class, () -> asWitness.claim(3, "b", 30, "127.0.0.1:7001"),
                "the digest credential no longer writes: the witness, which holds it too, may not");
    }

    @Test
    void aPeerWithACertificateOfAnotherCaDoesNotJoinTheQuorum() throws Exception {
        List<QuorumMember> members = members();
        resources.add(QuorumPeer.start(dir.resolve("a"), members.get(0), members, TICK, siteA));
        Process intruder = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), ZooKeeperTlsTest.class.getName(), dir.resolve("witness").toString(),
                foreign.ca().toString(), foreign.certificate().toString(), foreign.key().toString(),
                QuorumPeer.connectString(members), members.stream().map(m -> m.peerPort() + ":" + m.electionPort())
                        .reduce((x, y) -> x + "," + y).orElseThrow())
                .inheritIO().start();
        resources.add(() -> {
            intruder.destroy();
            intruder.waitFor(10, TimeUnit.SECONDS);
        });
        String peerA = QuorumPeer.connectString(members.subList(0, 1));
        Tiebreaker a = Tiebreaker.connect(peerA, PAIR, SECRET, siteA, SITES, SESSION);
        resources.add(a);
        assertFalse(a.awaitConnected(Duration.ofSeconds(8)), "site a's peer and the intruder formed a quorum");
        assertTrue(intruder.isAlive(), "the intruding peer ran meanwhile");

        resources.add(QuorumPeer.start(dir.resolve("b"), members.get(1), members, TICK, siteB));
        assertTrue(a.awaitConnected(Duration.ofSeconds(30)), "site b's peer makes the quorum");
    }

    /** Session establishment with and without TLS, for docs/benchmarks.md: {@code -Dsitepair.bench=true}. */
    @Test
    @EnabledIfSystemProperty(named = "sitepair.bench", matches = "true")
    void sessionEstablishmentTime() throws Exception {
        for (boolean tls : List.of(false, true)) {
            List<QuorumMember> members = members();
            List<QuorumPeer> peers = new ArrayList<>();
            for (QuorumMember member : members) {
                peers.add(QuorumPeer.start(dir.resolve((tls ? "tls-" : "plain-") + member.name()), member, members,
                        TICK, tls ? siteA : null));
            }
            String ensemble = QuorumPeer.connectString(members);
            List<Long> micros = new ArrayList<>();
            for (int run = 0; run < 12; run++) {
                long start = System.nanoTime();
                try (Tiebreaker t = tls ? Tiebreaker.connect(ensemble, PAIR, SECRET, siteA, SITES, SESSION)
                        : Tiebreaker.connect(ensemble, PAIR, SECRET, SESSION)) {
                    assertTrue(t.awaitConnected(Duration.ofSeconds(30)));
                    micros.add((System.nanoTime() - start) / 1000);
                }
            }
            System.out.println("ZooKeeper session " + (tls ? "with TLS" : "plaintext") + ", first (ensemble forming)"
                    + " then warm, microseconds: " + micros);
            peers.forEach(QuorumPeer::close);
        }
    }

    private Tiebreaker connected(String ensemble, ZooKeeperTls tls) throws InterruptedException {
        Tiebreaker t = Tiebreaker.connect(ensemble, PAIR, SECRET, tls, SITES, SESSION);
        resources.add(t);
        assertTrue(t.awaitConnected(Duration.ofSeconds(60)), "connected with " + tls.certificate());
        return t;
    }

    private static List<QuorumMember> members() throws IOException {
        List<QuorumMember> members = new ArrayList<>();
        String[] names = {"a", "b", "witness"};
        for (int i = 0; i < 3; i++) {
            members.add(new QuorumMember(i + 1, names[i], new InetSocketAddress("127.0.0.1", freePort()), freePort(),
                    freePort()));
        }
        return members;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * A third peer in a JVM of its own, with its own certificate: DATA_DIR CA CERT KEY, the ensemble's
     * client addresses (comma-separated) and their quorum:election ports (comma-separated); it is the
     * last member.
     */
    public static void main(String[] args) throws Exception {
        String[] clients = args[4].split(",");
        String[] ports = args[5].split(",");
        List<QuorumMember> members = new ArrayList<>();
        for (int i = 0; i < clients.length; i++) {
            String[] hostPort = clients[i].split(":");
            String[] peer = ports[i].split(":");
            members.add(new QuorumMember(i + 1, "m" + (i + 1), new InetSocketAddress(hostPort[0],
                    Integer.parseInt(hostPort[1])), Integer.parseInt(peer[0]), Integer.parseInt(peer[1])));
        }
        try (QuorumPeer peer = QuorumPeer.start(Path.of(args[0]), members.getLast(), members, TICK,
                new ZooKeeperTls(Path.of(args[1]), Path.of(args[2]), Path.of(args[3])))) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
