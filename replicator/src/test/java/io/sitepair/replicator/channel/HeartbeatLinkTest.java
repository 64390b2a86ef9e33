package io.sitepair.replicator.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Heartbeats on real UDP sockets, relayed through a capturing socket in the middle: a replay is not heard, a restart is. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HeartbeatLinkTest {
    private static final byte[] SECRET = "0123456789abcdef0123".getBytes();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration INTERVAL = Duration.ofMillis(50);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlers());

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static PairIdentity identity(String site, String peer) {
        return new PairIdentity("lab", SECRET, site, peer, new byte[32], "amd64", List.of(16384L), false, null);
    }

    private HeartbeatLink started(String site, String peer, InetSocketAddress sendTo) throws Exception {
        HeartbeatLink link = new HeartbeatLink(identity(site, peer), 1, sendTo);
        link.start(group.next(), new InetSocketAddress(LOOPBACK, 0), INTERVAL);
        return link;
    }

    /** The next heartbeat {@code sender} sent to {@code capture}, skipping any other sender's. */
    private static byte[] captureFrom(HeartbeatLink sender, DatagramSocket capture) throws Exception {
        while (true) {
            DatagramPacket packet = new DatagramPacket(new byte[512], 512);
            capture.receive(packet);
            if (packet.getPort() == sender.localAddress().getPort()) {
                return Arrays.copyOf(packet.getData(), packet.getLength());
            }
        }
    }

    @Test
    void aCapturedHeartbeatReplayedLaterIsIgnoredAndARestartedSenderIsHeard() throws Exception {
        try (DatagramSocket capture = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket sink = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            capture.setSoTimeout(5000);
            HeartbeatLink b = started("b", "a", (InetSocketAddress) sink.getLocalSocketAddress());
            HeartbeatLink a = started("a", "b", (InetSocketAddress) capture.getLocalSocketAddress());
            byte[] captured = captureFrom(a, capture);
            a.stop();
            capture.send(new DatagramPacket(captured, captured.length, b.localAddress()));
            awaitTrue(() -> b.nanosSinceHeard() >= 0, "the relayed heartbeat is heard");

            Thread.sleep(300);
            for (int i = 0; i < 3; i++) {
                capture.send(new DatagramPacket(captured, captured.length, b.localAddress()));
            }
            Thread.sleep(200);
            assertTrue(b.nanosSinceHeard() >= TimeUnit.MILLISECONDS.toNanos(450),
                    "the replay was heard: " + b.nanosSinceHeard() / 1_000_000 + " ms since the last heartbeat");

            HeartbeatLink restarted = started("a", "b", (InetSocketAddress) capture.getLocalSocketAddress());
            byte[] fresh = captureFrom(restarted, capture);
            capture.send(new DatagramPacket(fresh, fresh.length, b.localAddress()));
            awaitTrue(() -> b.nanosSinceHeard() < TimeUnit.MILLISECONDS.toNanos(200), "the restarted sender is heard");
            restarted.stop();
            b.stop();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 5 s");
            }
            Thread.sleep(10);
        }
    }
}
