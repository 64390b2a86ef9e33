package io.sitepair.replicator.channel;

import static io.sitepair.replicator.channel.ChannelTestKit.NO_COPY;
import static io.sitepair.replicator.channel.ChannelTestKit.NO_RESYNC;
import static io.sitepair.replicator.channel.ChannelTestKit.SECRET;
import static io.sitepair.replicator.channel.ChannelTestKit.identity;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.TestPki;
import io.sitepair.replicator.tls.TlsIdentity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long the logging channel takes from dialling to streaming (TCP connect, the TLS handshake if
 * on, the pair's handshake), with TLS and without, for docs/benchmarks.md: {@code -Dsitepair.bench=true}.
 * Each connection is made by a fresh primary and backup, as after a site's restart, so TLS does a
 * full handshake (no session resumed); the two modes alternate connection by connection.
 */
@EnabledIfSystemProperty(named = "sitepair.bench", matches = "true")
class ChannelHandshakeTimeTest {
    private static final String PAIR = "lab";
    private static final int CONNECTIONS = 60;

    @TempDir
    Path dir;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, Transport.ioHandlers());

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void connectionToStreaming() throws Exception {
        TestPki pki = new TestPki(dir, PAIR);
        Map<Boolean, TlsIdentity[]> ends = Map.of(true, new TlsIdentity[] {
                pki.identity(PairPrincipal.site(PAIR, "a")), pki.identity(PairPrincipal.site(PAIR, "b"))},
                false, new TlsIdentity[] {null, null});
        Map<Boolean, List<Long>> micros = Map.of(true, new ArrayList<>(), false, new ArrayList<>());
        for (int i = 0; i < CONNECTIONS; i++) {
            for (boolean tls : i % 2 == 0 ? List.of(true, false) : List.of(false, true)) {
                micros.get(tls).add(connect(ends.get(tls)[0], ends.get(tls)[1]));
            }
        }
        for (boolean tls : List.of(false, true)) {
            List<Long> times = micros.get(tls);
            long[] warm = times.subList(1, times.size()).stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("logging channel, dialling to streaming, %s: first %.2f ms; then %d connections:"
                            + " min %.2f, median %.2f, p90 %.2f, max %.2f ms%n", tls ? "with TLS" : "plaintext",
                    times.getFirst() / 1e3, warm.length, warm[0] / 1e3, warm[warm.length / 2] / 1e3,
                    warm[warm.length * 9 / 10] / 1e3, warm[warm.length - 1] / 1e3);
        }
    }

    /** Microseconds from a fresh primary's dialling until it streams to a fresh backup. */
    private long connect(TlsIdentity primaryTls, TlsIdentity backupTls) throws Exception {
        LogReceiver receiver = new LogReceiver(identity(PAIR, SECRET, "b", "a", backupTls), 1,
                new ReceivedLog(1 << 20, 0), () -> 0, NO_COPY, LinkTiming.DEFAULTS);
        receiver.start(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        CompletableFuture<Long> streaming = new CompletableFuture<>();
        LogShipper shipper = new LogShipper(identity(PAIR, SECRET, "a", "b", primaryTls), 1, 42,
                new ShipLog(() -> 0L), NO_RESYNC, group.next(), receiver.address(), LinkTiming.DEFAULTS,
                new LogShipper.Listener() {
                    public void acknowledged(long received, long replayed) {}
                    public void backupStopped(long position, String reason) {}
                    public void linkChanged(boolean up, String why) {
                        if (up) {
                            streaming.complete(System.nanoTime());
                        }
                    }
                });
        long start = System.nanoTime();
        shipper.start();
        try {
            return (streaming.get(10, TimeUnit.SECONDS) - start) / 1000;
        } finally {
            shipper.stop();
            receiver.stop();
        }
    }
}
