package io.sitepair.replicator.channel;

import static io.sitepair.replicator.channel.ChannelTestKit.NO_COPY;
import static io.sitepair.replicator.channel.ChannelTestKit.NO_RESYNC;
import static io.sitepair.replicator.channel.ChannelTestKit.SECRET;
import static io.sitepair.replicator.channel.ChannelTestKit.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.replicator.log.LogRecord;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The logging channel on real loopback sockets: streaming, re-protection, handshake refusals, malformed frames. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LogChannelTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, Transport.ioHandlers());

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static PairIdentity identity(String pair, byte[] secret, String site, String peer) {
        return ChannelTestKit.identity(pair, secret, site, peer, null);
    }

    private LogReceiver backup(ReceivedLog log) throws Exception {
        LogReceiver receiver = new LogReceiver(identity("lab", SECRET, "b", "a"), 1, log, () -> 0, NO_COPY,
                LinkTiming.DEFAULTS);
        receiver.start(group, new InetSocketAddress("127.0.0.1", 0));
        return receiver;
    }

    private LogShipper primary(PairIdentity me, long epoch, ShipLog log, InetSocketAddress backup) {
        LogShipper shipper = unstartedPrimary(me, epoch, log, backup);
        shipper.start();
        return shipper;
    }

    private LogShipper unstartedPrimary(PairIdentity me, long epoch, ShipLog log, InetSocketAddress backup) {
        return new LogShipper(me, epoch, 42, log, NO_RESYNC, group.next(), backup, LinkTiming.DEFAULTS,
                new LogShipper.Listener() {
            public void acknowledged(long received, long replayed) {}
            public void backupStopped(long position, String reason) {}
            public void linkChanged(boolean streaming, String why) {}
        });
    }

    @Test
    void entriesStreamAndAreAcknowledged() throws Exception {
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver receiver = backup(received);
        ShipLog log = new ShipLog(() -> 7L);
        LogShipper shipper = primary(identity("lab", SECRET, "a", "b"), 1, log, receiver.address());
        group.next().submit(() -> {
            for (int i = 0; i < 100; i++) {
                log.append(new LogRecord.Clock(i));
            }
            return null;
        }).get();
        awaitTrue(() -> shipper.state() == LogShipper.State.STREAMING);
        group.next().submit(shipper::shipPending).get();
        awaitTrue(() -> received.received() == 100);
        for (int i = 0; i < 100; i++) {
            assertEquals(new LogRecord.Clock(i), received.next().record());
        }
    }

    @Test
    void aPrimaryOfAnotherPairOrWithoutTheSecretOrWithAStaleEpochIsRefusedOnBothEnds() throws Exception {
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver receiver = backup(received);
        LogShipper otherPair = primary(identity("other", SECRET, "a", "b"), 1, new ShipLog(() -> 0L), receiver.address());
        awaitTrue(() -> otherPair.lastProblem().contains("refused") && otherPair.lastProblem().contains("pair 'other'"));
        assertTrue(receiver.lastProblem().contains("belongs to pair 'other'"), receiver.lastProblem());
        otherPair.stop();

        LogShipper wrongSecret = primary(identity("lab", "fedcba9876543210fedc".getBytes(), "a", "b"), 1,
                new ShipLog(() -> 0L), receiver.address());
        awaitTrue(() -> wrongSecret.lastProblem().contains("did not prove it knows the pair's secret"));
        wrongSecret.stop();

        LogShipper stale = primary(identity("lab", SECRET, "a", "b"), 0, new ShipLog(() -> 0L), receiver.address());
        awaitTrue(() -> stale.lastProblem().contains("stale epoch"));
        assertTrue(receiver.lastProblem().contains("stale epoch"), receiver.lastProblem());
        stale.stop();
        assertEquals(0, received.received(), "nothing from a refused primary is kept");
    }

    @Test
    void aMalformedFrameDropsTheConnectionWithAReasonAndTouchesNothing() throws Exception {
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver receiver = backup(received);
        try (Socket socket = new Socket("127.0.0.1", receiver.address().getPort())) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(3);
            out.write(new byte[] {99, 1, 2}); // a message type that does not exist
            out.flush();
            socket.setSoTimeout(5000);
            int read;
            while ((read = socket.getInputStream().read()) >= 0) {
                // the refusal, then the close
            }
            assertEquals(-1, read);
        }
        awaitTrue(() -> receiver.lastProblem().contains("unknown message type 99"));
        assertEquals(0, received.received());
    }

    /** A peer that connects and never says a word is dropped by the backup's handshake limit. */
    @Test
    void aSilentPrimaryIsDroppedAtTheHandshakeLimit() throws Exception {
        LogReceiver receiver = new LogReceiver(identity("lab", SECRET, "b", "a"), 1, new ReceivedLog(1 << 20, 0),
                () -> 0, NO_COPY, LinkTiming.DEFAULTS);
        receiver.handshakeTimeout(Duration.ofMillis(300));
        receiver.start(group, new InetSocketAddress("127.0.0.1", 0));
        try (Socket socket = new Socket("127.0.0.1", receiver.address().getPort())) {
            socket.setSoTimeout(5000);
            long start = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read(), "closed without a word");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "not before the limit");
        }
        awaitTrue(() -> receiver.lastProblem().contains("no handshake from the primary within 300 ms"));
        receiver.stop();
    }

    /** A backup that accepts the connection and never answers the Hello is dropped and dialled again. */
    @Test
    void aBackupThatNeverAnswersIsDroppedAtTheHandshakeLimitAndDialledAgain() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            silent.setSoTimeout(5000);
            LogShipper shipper = unstartedPrimary(identity("lab", SECRET, "a", "b"), 1, new ShipLog(() -> 0L),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()));
            shipper.handshakeTimeout(Duration.ofMillis(300));
            shipper.start();
            try (Socket first = silent.accept()) {
                DataInputStream in = new DataInputStream(first.getInputStream());
                byte[] hello = new byte[in.readInt()];
                in.readFully(hello);
                assertEquals(1, hello[0], "the Hello's type code");
                assertEquals(-1, first.getInputStream().read(), "dropped after the limit");
            }
            awaitTrue(() -> shipper.lastProblem().equals("no answer to the handshake within 300 ms; dialling again"));
            silent.accept().close(); // and dialled again
            shipper.stop();
        }
    }
}
