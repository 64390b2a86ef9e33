package io.sitepair.replicator.channel;

import static io.sitepair.replicator.channel.ChannelTestKit.NO_COPY;
import static io.sitepair.replicator.channel.ChannelTestKit.NO_RESYNC;
import static io.sitepair.replicator.channel.ChannelTestKit.SECRET;
import static io.sitepair.replicator.channel.ChannelTestKit.awaitTrue;
import static io.sitepair.replicator.channel.ChannelTestKit.identity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TestPki;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.replicator.tls.TlsIdentity;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logging channel in mutual TLS on real loopback sockets: a pair streams; every peer that is not
 * the other site of this pair, holding a certificate of this pair's CA that is valid now, is refused
 * in the TLS handshake, on both ends, with the reason logged in one line, and nothing is applied.
 *
 * <p>The rogue peers are plain JDK TLS ends that present a chosen certificate (or none) and trust
 * anything, so each check of the end under test is what refuses them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogChannelTlsTest {
    private static final String PAIR = "lab";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;
    private TestPki pki;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, Transport.ioHandlers());
    private final Logger channelLog = Logger.getLogger(LogReceiver.class.getPackageName());
    private final List<java.util.logging.LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(java.util.logging.LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void setUp() {
        pki = new TestPki(dir, PAIR);
        channelLog.addHandler(capture);
    }

    @AfterEach
    void shutDown() {
        channelLog.removeHandler(capture);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        for (java.util.logging.LogRecord record : logged) {
            assertEquals(null, record.getThrown(), "a refusal is one line, not a stack trace: " + record.getMessage());
        }
    }

    private TlsIdentity site(String name) {
        return pki.identity(PairPrincipal.site(PAIR, name));
    }

    private LogReceiver backup(TlsIdentity tls, ReceivedLog log) throws Exception {
        LogReceiver receiver = new LogReceiver(identity(PAIR, SECRET, "b", "a", tls), 1, log, () -> 0, NO_COPY,
                LinkTiming.DEFAULTS);
        receiver.start(group, new InetSocketAddress(LOOPBACK, 0));
        return receiver;
    }

    private LogShipper primary(TlsIdentity tls, ShipLog log, InetSocketAddress backup, AtomicLong acknowledged) {
        LogShipper shipper = new LogShipper(identity(PAIR, SECRET, "a", "b", tls), 1, 42, log, NO_RESYNC, group.next(),
                backup, LinkTiming.DEFAULTS, new LogShipper.Listener() {
            public void acknowledged(long received, long replayed) { acknowledged.set(received); }
            public void backupStopped(long position, String reason) {}
            public void linkChanged(boolean streaming, String why) {}
        });
        shipper.start();
        return shipper;
    }

    private LogShipper primary(TlsIdentity tls, InetSocketAddress backup) {
        return primary(tls, new ShipLog(() -> 0L), backup, new AtomicLong());
    }

    @Test
    void aTlsPairStreamsEntriesAndTheyAreAcknowledged() throws Exception {
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver receiver = backup(site("b"), received);
        ShipLog log = new ShipLog(() -> 7L);
        AtomicLong acknowledged = new AtomicLong(-1);
        LogShipper shipper = primary(site("a"), log, receiver.address(), acknowledged);
        group.next().submit(() -> {
            for (int i = 0; i < 100; i++) {
                log.append(new LogRecord.Clock(i));
            }
            return null;
        }).get();
        awaitTrue(() -> shipper.state() == LogShipper.State.STREAMING);
        group.next().submit(shipper::shipPending).get();
        awaitTrue(() -> received.received() == 100 && acknowledged.get() == 100);
        for (int i = 0; i < 100; i++) {
            assertEquals(new LogRecord.Clock(i), received.next().record());
        }
        assertEquals("", receiver.lastProblem());
        assertEquals("", shipper.lastProblem());
        shipper.stop();
        receiver.stop();
    }

    @Test
    void aPlaintextPrimaryIsRefusedByATlsBackup() throws Exception {
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver receiver = backup(site("b"), received);
        LogShipper plaintext = primary(null, receiver.address());
        awaitLogged(LogReceiver.class, "does not speak TLS (a plaintext peer, or a sitepair without TLS)");
        awaitLogged(LogShipper.class, "closed the connection during the handshake (does it require TLS?");
        assertTrue(receiver.lastProblem().startsWith("the peer at 127.0.0.1:"), receiver.lastProblem());
        plaintext.stop();
        assertNothingApplied(receiver, received);
        assertNotEquals(LogShipper.State.STREAMING, plaintext.state());
    }

    @Test
    void aTlsPrimaryDiallingAPlaintextBackupFailsCleanlyOnBothEnds() throws Exception {
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver plaintext = backup(null, received);
        LogShipper shipper = primary(site("a"), plaintext.address());
        awaitLogged(LogShipper.class, "closed the connection during the TLS handshake");
        awaitLogged(LogReceiver.class, "speaks TLS, but TLS is off on this site");
        shipper.stop();
        assertNothingApplied(plaintext, received);
        assertNotEquals(LogShipper.State.STREAMING, shipper.state());
    }

    /** A peer that connects and never starts TLS is dropped at the handshake limit, which covers TLS too. */
    @Test
    void aSilentPeerIsDroppedAtTheHandshakeLimit() throws Exception {
        LogReceiver receiver = new LogReceiver(identity(PAIR, SECRET, "b", "a", site("b")), 1,
                new ReceivedLog(1 << 20, 0), () -> 0, NO_COPY, LinkTiming.DEFAULTS);
        receiver.handshakeTimeout(Duration.ofMillis(300));
        receiver.start(group, new InetSocketAddress(LOOPBACK, 0));
        try (Socket socket = new Socket(LOOPBACK, receiver.address().getPort())) {
            socket.setSoTimeout(5000);
            assertEquals(-1, socket.getInputStream().read(), "closed without a word");
        }
        awaitLogged(LogReceiver.class, "no handshake from the primary within 300 ms");
        receiver.stop();
    }

    @Test
    void aPeerWithNoCertificateIsRefused() throws Exception {
        assertBackupRefuses(null, "the peer presented no certificate");
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        TestPki rogue = new TestPki(Files.createDirectory(dir.resolve("rogue")), PAIR);
        String reason = "is not issued by this pair's CA (its issuer is 'CN=sitepair lab CA";
        assertBackupRefuses(rogue.issue(PairPrincipal.site(PAIR, "a")), reason);
        assertPrimaryRefuses(site("a"), rogue.issue(PairPrincipal.site(PAIR, "b")), reason);
    }

    /** Another pair's certificate, even from a CA this site trusts (one CA file shared by two pairs). */
    @Test
    void anotherPairsCertificateIsRefused() throws Exception {
        TestPki prod = new TestPki(Files.createDirectory(dir.resolve("prod")), "prod");
        List<X509Certificate> both = new ArrayList<>(PemFiles.readCertificates(pki.caFile()));
        both.addAll(PemFiles.readCertificates(prod.caFile()));
        Path sharedCa = dir.resolve("both-pairs-ca.crt");
        PemFiles.writeCertificates(sharedCa, both);
        TlsFiles a = pki.issue(PairPrincipal.site(PAIR, "a"));
        TlsFiles b = pki.issue(PairPrincipal.site(PAIR, "b"));
        String reason = "belongs to pair 'prod', not to 'lab'";
        assertBackupRefuses(TlsIdentity.load(PAIR, new TlsFiles(sharedCa, b.certificate(), b.key())),
                prod.issue(PairPrincipal.site("prod", "a")), reason);
        assertPrimaryRefuses(TlsIdentity.load(PAIR, new TlsFiles(sharedCa, a.certificate(), a.key())),
                prod.issue(PairPrincipal.site("prod", "b")), reason);
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofDays(10));
        assertBackupRefuses(pki.issue(PairPrincipal.site(PAIR, "a"), longAgo, Duration.ofDays(1)), "expired on");
        assertPrimaryRefuses(site("a"), pki.issue(PairPrincipal.site(PAIR, "b"), longAgo, Duration.ofDays(1)),
                "expired on");
    }

    @Test
    void aNotYetValidCertificateIsRefused() throws Exception {
        Instant later = Instant.now().plus(Duration.ofDays(10));
        String reason = "is not valid until";
        assertBackupRefuses(pki.issue(PairPrincipal.site(PAIR, "a"), later, Duration.ofDays(30)), reason);
        assertPrimaryRefuses(site("a"), pki.issue(PairPrincipal.site(PAIR, "b"), later, Duration.ofDays(30)), reason);
    }

    /** The backup b accepts only site a: b's own certificate or the witness's, presented by a third party, is refused. */
    @Test
    void theWrongHoldersCertificateIsRefused() throws Exception {
        assertBackupRefuses(pki.issue(PairPrincipal.site(PAIR, "b")),
                "belongs to site 'b' of pair 'lab'; only site 'a' of pair 'lab' may connect here");
        assertBackupRefuses(pki.issue(PairPrincipal.witness(PAIR, "w")),
                "belongs to witness 'w' of pair 'lab'; only site 'a' of pair 'lab' may connect here");
        assertPrimaryRefuses(site("a"), pki.issue(PairPrincipal.site(PAIR, "a")),
                "belongs to site 'a' of pair 'lab'; only site 'b' of pair 'lab' may connect here");
        assertPrimaryRefuses(site("a"), pki.issue(PairPrincipal.witness(PAIR, "w")),
                "belongs to witness 'w' of pair 'lab'; only site 'b' of pair 'lab' may connect here");
    }

    /** A sitepair that dials as site a with b's certificate: the backup refuses it, and it logs the TLS alert. */
    @Test
    void aThirdPartyWithTheBackupsOwnCertificateIsRefusedAndHearsWhy() throws Exception {
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver receiver = backup(site("b"), received);
        LogShipper thief = primary(site("b"), receiver.address());
        awaitLogged(LogReceiver.class, "only site 'a' of pair 'lab' may connect here");
        awaitLogged(LogShipper.class, "refused this site's certificate (TLS alert: ");
        thief.stop();
        assertNothingApplied(receiver, received);
        assertNotEquals(LogShipper.State.STREAMING, thief.state());
    }

    // ---- the rogue peers ----

    /**
     * A TLS client presenting {@code presented} (null: no certificate) dials a TLS backup and, if its
     * handshake gets that far, sends a Hello: the backup must refuse it with {@code reason}, never
     * answer, and keep nothing.
     */
    private void assertBackupRefuses(TlsFiles presented, String reason) throws Exception {
        assertBackupRefuses(site("b"), presented, reason);
    }

    private void assertBackupRefuses(TlsIdentity backupTls, TlsFiles presented, String reason) throws Exception {
        logged.clear();
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver receiver = backup(backupTls, received);
        try (SSLSocket socket = (SSLSocket) rogue(presented).getSocketFactory()
                .createSocket(LOOPBACK, receiver.address().getPort())) {
            socket.setSoTimeout(5000);
            int answer;
            try {
                socket.startHandshake();
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                byte[] hello = encode(new ChannelMessage.Hello(ChannelMessage.PROTOCOL_VERSION, PAIR, "a", 1,
                        ChannelTestKit.GUEST, "amd64", List.of(16384L), false, 42, Handshake.nonce()));
                out.writeInt(hello.length);
                out.write(hello);
                out.flush();
                answer = socket.getInputStream().read();
            } catch (IOException refused) {
                answer = -1;
            }
            assertEquals(-1, answer, "the backup answered a peer it must refuse");
        }
        awaitLogged(LogReceiver.class, reason);
        assertTrue(receiver.lastProblem().startsWith("refused the peer at 127.0.0.1:"), receiver.lastProblem());
        assertNothingApplied(receiver, received);
        receiver.stop();
    }

    /**
     * A TLS server presenting {@code presented} takes the primary's call: the primary must refuse it
     * with {@code reason} before sending anything of the pair's protocol.
     */
    private void assertPrimaryRefuses(TlsIdentity primaryTls, TlsFiles presented, String reason) throws Exception {
        logged.clear();
        try (SSLServerSocket server = (SSLServerSocket) rogue(presented).getServerSocketFactory()
                .createServerSocket(0, 10, LOOPBACK)) {
            server.setNeedClientAuth(true);
            CompletableFuture<String> heard = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.setSoTimeout(5000);
                    socket.startHandshake();
                    return "read " + socket.getInputStream().read();
                } catch (IOException e) {
                    return "refused: " + e.getMessage();
                }
            });
            LogShipper shipper = primary(primaryTls, new InetSocketAddress("127.0.0.1", server.getLocalPort()));
            awaitLogged(LogShipper.class, reason);
            shipper.stop();
            assertTrue(shipper.lastProblem().startsWith("refused the peer at 127.0.0.1:"), shipper.lastProblem());
            assertNotEquals(LogShipper.State.STREAMING, shipper.state());
            String outcome = heard.get(10, TimeUnit.SECONDS);
            assertTrue(outcome.startsWith("refused"), "the primary sent something: " + outcome);
        }
    }

    /** A JDK TLS 1.3 context that presents {@code presented} (null: nothing) and trusts any peer. */
    private static SSLContext rogue(TlsFiles presented) throws Exception {
        KeyManager[] keys = null;
        if (presented != null) {
            char[] password = "rogue".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("rogue", PemFiles.readKey(presented.key()), password,
                    PemFiles.readCertificates(presented.certificate()).toArray(Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            keys = factory.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance(TlsIdentity.PROTOCOL);
        context.init(keys, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return context;
    }

    private static byte[] encode(ChannelMessage message) {
        ByteBuf buf = Unpooled.buffer();
        MessageType.encode(message, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    // ---- observation ----

    private void awaitLogged(Class<? extends ChannelEnd> end, String text) throws InterruptedException {
        try {
            awaitTrue(() -> logged.stream().anyMatch(r -> r.getLoggerName().equals(end.getName())
                    && r.getMessage().contains(text)));
        } catch (AssertionError notLogged) {
            fail(end.getSimpleName() + " logged no line with \"" + text + "\"; it logged: "
                    + logged.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList());
        }
    }

    private static void assertNothingApplied(LogReceiver receiver, ReceivedLog received) {
        assertEquals(0, received.received(), "nothing from a refused peer is kept");
        assertEquals(ChannelEnd.State.CONNECTING, receiver.state(), "no primary is streaming");
        assertEquals(0, receiver.streamId(), "no handshake completed");
    }
}
