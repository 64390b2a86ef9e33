package io.sitepair.replicator.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.disk.DiskHistory;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import java.util.BitSet;
import io.sitepair.disk.WriteTracker;
import io.sitepair.replicator.log.LogRecord;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The logging channel on real loopback sockets: streaming, re-protection, handshake refusals, malformed frames. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LogChannelTest {
    private static final byte[] SECRET = "0123456789abcdef0123".getBytes();
    private static final byte[] GUEST = new byte[32];
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, Transport.ioHandlers());

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static PairIdentity identity(String pair, byte[] secret, String site, String peer) {
        return new PairIdentity(pair, secret, site, peer, GUEST, "amd64", List.of(16384L), false);
    }

    /** A site's history as a test gives it: a lineage, a position, and the blocks it wrote after any point. */
    private static DiskHistory history(List<Lineage.Entry> lineage, long last, BitSet... written) {
        return new DiskHistory() {
            public Lineage lineage() { return Lineage.of(lineage); }
            public long lastPosition() { return last; }
            public BitSet writtenAfter(int disk, long blocks, Stamp point) {
                return written.length > disk ? (BitSet) written[disk].clone() : new BitSet();
            }
        };
    }

    private static final DiskHistory NO_HISTORY = history(List.of(), 0);

    /** A backup that takes no copies. */
    private static final CopyTarget NO_COPY = new CopyTarget() {
        public DiskHistory history() { return NO_HISTORY; }
        public boolean wantsCopy() { return false; }
        public boolean acceptsCopy() { return false; }
        public void blocks(int disk, long first, byte[] data) { throw new AssertionError("no copy expected"); }
        public void done(long position, long events, byte[] state, byte[] hash) { throw new AssertionError(); }
    };

    private LogReceiver backup(ReceivedLog log) throws Exception {
        return backup(log, NO_COPY);
    }

    private LogReceiver backup(ReceivedLog log, CopyTarget copies) throws Exception {
        LogReceiver receiver = new LogReceiver(identity("lab", SECRET, "b", "a"), 1, log, () -> 0, copies);
        receiver.start(group, new InetSocketAddress("127.0.0.1", 0));
        return receiver;
    }

    private LogShipper primary(PairIdentity me, long epoch, ShipLog log, InetSocketAddress backup) {
        return primary(me, epoch, log, null, backup, outcome -> {});
    }

    private LogShipper primary(PairIdentity me, long epoch, ShipLog log, CopySource source, InetSocketAddress backup,
                               java.util.function.Consumer<CopySender.Outcome> reprotected) {
        LogShipper shipper = new LogShipper(me, epoch, 42, log, source, group.next(), backup, new LogShipper.Listener() {
            public void acknowledged(long received, long replayed) {}
            public void diverged(long position, String reason) {}
            public void linkChanged(boolean streaming, String why) {}
            public void reprotected(CopySender.Outcome outcome) { reprotected.accept(outcome); }
        });
        shipper.start();
        return shipper;
    }

    /**
     * A backup that cannot continue from the log the primary holds gets the primary's disks and
     * VM state, including a block the guest rewrote during the copy, then entries after them.
     */
    @Test
    void aBackupMissingTheLogIsCopiedInFullThenStreamsFromTheCopysPosition(@TempDir Path dir) throws Exception {
        long blocks = 16384;
        try (DiskImage source = DiskImage.openOrCreate(dir.resolve("a.img"), blocks * DiskImage.BLOCK_SIZE);
             DiskImage target = DiskImage.openOrCreate(dir.resolve("b.img"), blocks * DiskImage.BLOCK_SIZE)) {
            source.write(5, 1, filled(0x11), 0);
            source.write(9000, 1, filled(0x22), 0);
            target.write(7000, 1, filled(0x33), 0); // stale: must be overwritten with the primary's zeros
            ShipLog log = new ShipLog(() -> 7L);
            byte[] vmState = new byte[3 << 20];
            new java.util.Random(1).nextBytes(vmState);
            CopySource copySource = new CopySource() {
                public List<DiskImage> disks() { return List.of(source); }
                public void trackWrites(WriteTracker tracker) {
                    if (tracker != WriteTracker.NONE) {
                        // The guest rewrites an early block while the copy is under way.
                        group.next().execute(() -> {
                            tracker.written(0, 5, 1, 49);
                            source.write(5, 1, filled(0x44), 0);
                        });
                    }
                }
                public Capture capture() { return new Capture(log.lastPosition(), 3, vmState, new byte[32]); }
                public DiskHistory history() { return NO_HISTORY; } // nothing shared: a full copy
            };
            group.next().submit(() -> {
                for (int i = 0; i < 50; i++) {
                    log.append(new LogRecord.Clock(i));
                }
                log.discardThrough(log.lastPosition()); // served alone: nothing kept for a backup
                return null;
            }).get();

            ReceivedLog received = new ReceivedLog(1 << 20, 0);
            java.util.concurrent.CompletableFuture<byte[]> copiedState = new java.util.concurrent.CompletableFuture<>();
            LogReceiver receiver = backup(received, new CopyTarget() {
                public DiskHistory history() { return NO_HISTORY; }
                public boolean wantsCopy() { return false; }
                public boolean acceptsCopy() { return true; }
                public void blocks(int disk, long first, byte[] data) {
                    target.write(first, data.length / DiskImage.BLOCK_SIZE, data, 0);
                }
                public void done(long position, long events, byte[] state, byte[] hash) {
                    assertEquals(50, position);
                    assertEquals(3, events);
                    received.startAfter(position);
                    copiedState.complete(state);
                }
            });
            java.util.concurrent.CompletableFuture<CopySender.Outcome> outcome = new java.util.concurrent.CompletableFuture<>();
            LogShipper shipper = primary(identity("lab", SECRET, "a", "b"), 1, log, copySource, receiver.address(),
                    outcome::complete);

            CopySender.Outcome copy = outcome.get(20, TimeUnit.SECONDS);
            assertEquals(50, copy.position());
            assertEquals(1, copy.changedBlocks(), "the block rewritten during the copy is sent again");
            assertEquals((blocks + 1) * DiskImage.BLOCK_SIZE, copy.bytes());
            assertTrue(copy.wireBytes() - vmState.length < copy.bytes() / 50, "zero blocks compress: " + copy.wireBytes());
            assertArrayEquals(vmState, copiedState.get(5, TimeUnit.SECONDS));
            awaitTrue(() -> shipper.state() == LogShipper.State.STREAMING);
            group.next().submit(() -> {
                log.append(new LogRecord.Clock(99));
                shipper.shipPending();
                return null;
            }).get();
            awaitTrue(() -> received.received() == 51);
            assertEquals(new LogRecord.Clock(99), received.next().record());
            java.security.MessageDigest a = java.security.MessageDigest.getInstance("SHA-256");
            java.security.MessageDigest b = java.security.MessageDigest.getInstance("SHA-256");
            source.digest(a);
            target.digest(b);
            assertArrayEquals(a.digest(), b.digest(), "the backup's disk equals the primary's");
            assertArrayEquals(filled(0x44), target.read(5, 1));
        }
    }

    /**
     * Two sites sharing epoch 1 up to position 50: only the blocks either wrote after the
     * divergence point travel, each once, and they arrive as the primary holds them.
     */
    @Test
    void aBackupSharingTheHistoryGetsOnlyTheBlocksEitherSiteWroteSince(@TempDir Path dir) throws Exception {
        long blocks = 16384;
        try (DiskImage source = DiskImage.openOrCreate(dir.resolve("a.img"), blocks * DiskImage.BLOCK_SIZE);
             DiskImage target = DiskImage.openOrCreate(dir.resolve("b.img"), blocks * DiskImage.BLOCK_SIZE)) {
            for (int b : new int[] {3, 7, 9, 100}) {
                source.write(b, 1, filled(0x50 + b), 0);
            }
            target.write(3, 1, filled(0x66), 0); // written on the backup after the divergence: undone
            target.write(9, 1, filled(0x67), 0); // written on both sides: shipped once
            List<Lineage.Entry> shared = List.of(new Lineage.Entry(1, 0, "a"));
            ShipLog log = new ShipLog(() -> 7L);
            CopySource copySource = new CopySource() {
                public List<DiskImage> disks() { return List.of(source); }
                public void trackWrites(WriteTracker tracker) {}
                public Capture capture() { return new Capture(log.lastPosition(), 1, new byte[100], new byte[32]); }
                public DiskHistory history() { return LogChannelTest.history(shared, 100, bits(7, 9)); }
            };
            group.next().submit(() -> {
                for (int i = 0; i < 100; i++) {
                    log.append(new LogRecord.Clock(i));
                }
                log.discardThrough(log.lastPosition());
                return null;
            }).get();
            ReceivedLog received = new ReceivedLog(1 << 20, 0);
            java.util.concurrent.CompletableFuture<Stamp> askedFrom = new java.util.concurrent.CompletableFuture<>();
            LogReceiver receiver = backup(received, new CopyTarget() {
                public DiskHistory history() {
                    return new DiskHistory() {
                        public Lineage lineage() { return Lineage.of(shared); }
                        public long lastPosition() { return 50; }
                        public BitSet writtenAfter(int disk, long n, Stamp point) {
                            askedFrom.complete(point);
                            return bits(3, 9);
                        }
                    };
                }
                public boolean wantsCopy() { return false; }
                public boolean acceptsCopy() { return true; }
                public void blocks(int disk, long first, byte[] data) {
                    target.write(first, data.length / DiskImage.BLOCK_SIZE, data, 0);
                }
                public void done(long position, long events, byte[] state, byte[] hash) {
                    received.startAfter(position);
                }
            });
            java.util.concurrent.CompletableFuture<CopySender.Outcome> outcome = new java.util.concurrent.CompletableFuture<>();
            primary(identity("lab", SECRET, "a", "b"), 1, log, copySource, receiver.address(), outcome::complete);

            CopySender.Outcome copy = outcome.get(20, TimeUnit.SECONDS);
            assertEquals(new Stamp(1, 49), askedFrom.get(), "shared up to the backup's position, less the last one");
            assertEquals(3, copy.plannedBlocks(), "blocks 3, 7 and 9, block 9 once");
            assertEquals(3L * DiskImage.BLOCK_SIZE, copy.bytes());
            assertTrue(copy.kind().startsWith("incremental from epoch 1 position 49"), copy.kind());
            awaitTrue(() -> received.received() == 100); // the backup has applied the whole copy
            for (int b : new int[] {3, 7, 9}) {
                assertArrayEquals(source.read(b, 1), target.read(b, 1), "block " + b);
            }
            assertArrayEquals(new byte[DiskImage.BLOCK_SIZE], target.read(100, 1), "block 100 was not in the plan");
        }
    }

    private static BitSet bits(int... set) {
        BitSet bits = new BitSet();
        for (int b : set) {
            bits.set(b);
        }
        return bits;
    }

    private static byte[] filled(int value) {
        byte[] block = new byte[DiskImage.BLOCK_SIZE];
        java.util.Arrays.fill(block, (byte) value);
        return block;
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

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(20);
        }
    }
}
