package io.sitepair.replicator.resync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.disk.DiskHistory;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import io.sitepair.disk.WriteTracker;
import io.sitepair.replicator.channel.LinkTiming;
import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.channel.PairIdentity;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.channel.Transport;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.status.ResyncPlanStatus;
import io.sitepair.replicator.status.ResyncStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resync over the logging channel on real loopback sockets: what is planned and shipped (full,
 * incremental, resumed), zero runs, the rate limit, a manual start and the split-brain refusal.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResyncTest {
    private static final byte[] SECRET = "0123456789abcdef0123".getBytes();
    private static final long BLOCKS = 16384;
    private static final List<Lineage.Entry> SHARED = List.of(new Lineage.Entry(1, 0, "a"));
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, Transport.ioHandlers());

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static PairIdentity identity(String site, String peer) {
        return new PairIdentity("lab", SECRET, site, peer, new byte[32], "amd64", List.of(BLOCKS), false, null);
    }

    /** A history with this lineage and position, answering {@code writtenAfter} per point. */
    private static DiskHistory history(List<Lineage.Entry> lineage, long last, Function<Stamp, BitSet> written) {
        return new DiskHistory() {
            public Lineage lineage() { return Lineage.of(lineage); }
            public long lastPosition() { return last; }
            public BitSet writtenAfter(int disk, long blocks, Stamp point) { return written.apply(point); }
        };
    }

    /** The primary's side: one disk, a log of {@code positions} entries none of which a backup holds. */
    private class Source implements CopySource {
        final DiskImage disk;
        final ShipLog log = new ShipLog(() -> 7L);
        DiskHistory history;
        WriteTracker tracker = WriteTracker.NONE;

        Source(DiskImage disk, DiskHistory history, int positions) throws Exception {
            this.disk = disk;
            this.history = history;
            group.next().submit(() -> {
                for (int i = 0; i < positions; i++) {
                    log.append(new LogRecord.Clock(i));
                }
                log.discardThrough(log.lastPosition());
                return null;
            }).get();
        }

        public List<DiskImage> disks() { return List.of(disk); }
        public void trackWrites(WriteTracker tracker) { this.tracker = tracker; }
        public Capture capture() { return new Capture(log.lastPosition(), 1, new byte[100], new byte[32]); }
        public DiskHistory history() { return history; }
    }

    /** The backup's side on one disk image, keeping its pending set as a real target does. */
    private static final class Target implements CopyTarget {
        final DiskImage disk;
        final ReceivedLog received = new ReceivedLog(1 << 20, 0);
        final CompletableFuture<Long> done = new CompletableFuture<>();
        DiskHistory history;
        long failAtBlock = -1; // the first write at or past this block fails, once: the site "dies"
        Runnable beforeFailing = () -> {};
        long answeredPending = -1;
        Stamp begun;
        BitSet pending;
        List<BitSet> lastPlan;
        List<Lineage.Entry> adopted;
        volatile long blocksLanded;
        CompletableFuture<Void> planMarked = CompletableFuture.completedFuture(null); // the quorum's mark

        Target(DiskImage disk, DiskHistory history) {
            this.disk = disk;
            this.history = history;
        }

        public boolean wantsCopy() { return pending != null; }
        public DiskHistory history() { return history; }
        public Stamp resumable(String source) { return pending == null ? null : begun; }
        public BitSet pending(int d) {
            answeredPending = pending.cardinality();
            return (BitSet) pending.clone();
        }
        public boolean acceptsCopy() { return !done.isDone(); }

        public CompletableFuture<Void> plan(String source, Stamp begun, List<BitSet> blocks) {
            this.begun = begun;
            this.lastPlan = blocks;
            this.pending = (BitSet) blocks.getFirst().clone();
            return planMarked;
        }

        public void blocks(int d, long first, int count, byte[] data, int offset) throws IOException {
            failIfDue(first + count);
            disk.write(first, count, data, offset);
            pending.clear((int) first, (int) first + count);
            blocksLanded += count;
        }

        public void zeros(int d, long first, int count) throws IOException {
            failIfDue(first + count);
            disk.zero(first, count);
            pending.clear((int) first, (int) first + count);
            blocksLanded += count;
        }

        private void failIfDue(long end) throws IOException {
            if (failAtBlock >= 0 && end > failAtBlock) {
                failAtBlock = -1;
                beforeFailing.run();
                throw new IOException("injected: the target died");
            }
        }

        public CompletableFuture<Void> done(long position, long events, byte[] state, byte[] hash,
                                            List<Lineage.Entry> lineage) {
            adopted = lineage;
            pending = null;
            received.startAfter(position);
            done.complete(position);
            return CompletableFuture.completedFuture(null);
        }
    }

    private LogShipper connect(Source source, Target target, ResyncPolicy policy,
                               java.util.function.Consumer<CopySender.Outcome> outcomes) throws Exception {
        LogReceiver receiver = new LogReceiver(identity("b", "a"), 1, target.received, () -> 0,
                new BackupResync(List.of(BLOCKS), target), LinkTiming.DEFAULTS);
        receiver.start(group, new InetSocketAddress("127.0.0.1", 0));
        LogShipper shipper = new LogShipper(identity("a", "b"), 1, 42, source.log,
                new PrimaryResync(identity("a", "b"), source, policy, outcomes), group.next(), receiver.address(),
                LinkTiming.DEFAULTS, new LogShipper.Listener() {
            public void acknowledged(long received, long replayed) {}
            public void backupStopped(long position, String reason) {}
            public void linkChanged(boolean streaming, String why) {}
        });
        shipper.start();
        return shipper;
    }

    private CopySender.Outcome resync(Source source, Target target, ResyncPolicy policy) throws Exception {
        CompletableFuture<CopySender.Outcome> outcome = new CompletableFuture<>();
        connect(source, target, policy, outcome::complete);
        return outcome.get(30, TimeUnit.SECONDS);
    }

    /**
     * A full copy ships the source's data blocks and only ranges for its zeros (a stale block on
     * the target is zeroed), sends a block rewritten during the copy again, and ends with the two
     * disks identical.
     */
    @Test
    void aFullCopyShipsOnlyDataBlocksZeroesTheRestAndResendsWhatChangedMeanwhile(@TempDir Path dir) throws Exception {
        try (DiskImage a = image(dir, "a"); DiskImage b = image(dir, "b")) {
            a.write(5, 1, filled(0x11), 0);
            a.write(9000, 1, filled(0x22), 0);
            b.write(7000, 1, filled(0x33), 0); // stale: must become the source's zeros
            Source source = new Source(a, history(List.of(), 50, p -> new BitSet()), 50) {
                @Override
                public void trackWrites(WriteTracker tracker) {
                    super.trackWrites(tracker);
                    if (tracker != WriteTracker.NONE) {
                        group.next().execute(() -> { // the guest rewrites a block during the copy
                            tracker.written(0, 5, 1, 49);
                            a.write(5, 1, filled(0x44), 0);
                        });
                    }
                }
            };
            Target target = new Target(b, history(List.of(), 0, p -> new BitSet()));

            CopySender.Outcome copy = resync(source, target, ResyncPolicy.DEFAULTS);

            assertEquals(50, copy.position());
            assertEquals(BLOCKS, copy.plannedBlocks());
            assertEquals(1, copy.changedBlocks(), "the block rewritten during the copy is sent again");
            assertEquals(3L * DiskImage.BLOCK_SIZE, copy.bytes(), "two data blocks, and the rewritten one again");
            assertEquals(BLOCKS - 2, copy.zeroBlocks());
            assertTrue(copy.wireBytes() < 64 * 1024, "zero runs cost nothing on the wire: " + copy.wireBytes());
            target.done.get(5, TimeUnit.SECONDS);
            assertSameImage(a, b);
            assertArrayEquals(filled(0x44), b.read(5, 1));
        }
    }

    /**
     * The returning site's inconsistent mark in the quorum (a ZooKeeper write) completes off its
     * network loop: while it is slow, no copied block lands, and the loop runs on (it carries the
     * site's heartbeats too). Once it is written, the copy completes.
     */
    @Test
    void aSlowInconsistentMarkHoldsTheCopiedBlocksBackButNotTheNetworkLoop(@TempDir Path dir) throws Exception {
        try (DiskImage a = image(dir, "a"); DiskImage b = image(dir, "b")) {
            a.write(5, 1, filled(0x11), 0);
            Source source = new Source(a, history(List.of(), 50, p -> new BitSet()), 50);
            Target target = new Target(b, history(List.of(), 0, p -> new BitSet()));
            CompletableFuture<Void> marked = new CompletableFuture<>();
            target.planMarked = marked;
            CompletableFuture<CopySender.Outcome> outcome = new CompletableFuture<>();
            connect(source, target, ResyncPolicy.DEFAULTS, outcome::complete);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (target.lastPlan == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(target.lastPlan != null, "the plan arrived");
            Thread.sleep(300); // time for blocks to arrive, were they not held back
            for (var loop : group) { // the receiver's loop among them: free while the mark is pending
                assertTrue(loop.submit(() -> true).get(1, TimeUnit.SECONDS));
            }
            assertEquals(0, target.blocksLanded, "a block landed before the disks were marked inconsistent");
            assertTrue(!target.done.isDone(), "the copy completed before the disks were marked inconsistent");

            marked.complete(null);
            assertEquals(50, outcome.get(30, TimeUnit.SECONDS).position());
            target.done.get(5, TimeUnit.SECONDS);
            assertSameImage(a, b);
        }
    }

    /**
     * Two sites sharing epoch 1 up to position 50: only the blocks either wrote after the
     * divergence point travel, each once (bytes shipped equal the changed blocks' size).
     */
    @Test
    void anIncrementalResyncShipsEachBlockEitherSiteWroteOnce(@TempDir Path dir) throws Exception {
        try (DiskImage a = image(dir, "a"); DiskImage b = image(dir, "b")) {
            for (int block : new int[] {3, 7, 9, 100}) {
                a.write(block, 1, filled(0x50 + block), 0);
            }
            b.write(3, 1, filled(0x66), 0); // written on the backup after the divergence: undone
            b.write(9, 1, filled(0x67), 0); // written on both sides: shipped once
            CompletableFuture<Stamp> askedFrom = new CompletableFuture<>();
            Source source = new Source(a, history(SHARED, 100, p -> bits(7, 9)), 100);
            Target target = new Target(b, history(SHARED, 50, p -> {
                askedFrom.complete(p);
                return bits(3, 9);
            }));

            CopySender.Outcome copy = resync(source, target, ResyncPolicy.DEFAULTS);

            assertEquals(new Stamp(1, 49), askedFrom.get(), "shared up to the backup's position, less the last one");
            assertEquals(3, copy.plannedBlocks(), "blocks 3, 7 and 9, block 9 once");
            assertEquals(3L * DiskImage.BLOCK_SIZE, copy.bytes(), "shipped: exactly the changed blocks");
            assertTrue(copy.kind().startsWith("incremental from epoch 1 position 49"), copy.kind());
            target.done.get(5, TimeUnit.SECONDS);
            for (int block : new int[] {3, 7, 9}) {
                assertArrayEquals(a.read(block, 1), b.read(block, 1), "block " + block);
            }
            assertArrayEquals(new byte[DiskImage.BLOCK_SIZE], b.read(100, 1), "block 100 was not in the plan");
        }
    }

    /**
     * The target dies half-way (its write fails, the connection drops); on the next connection it
     * offers to resume, and only its pending blocks plus the block the source wrote since the copy
     * began travel again.
     */
    @Test
    void anInterruptedCopyResumesWithThePendingBlocksAndWhatTheSourceWroteSince(@TempDir Path dir) throws Exception {
        try (DiskImage a = image(dir, "a"); DiskImage b = image(dir, "b")) {
            byte[] data = new byte[4096 * DiskImage.BLOCK_SIZE];
            new Random(7).nextBytes(data);
            a.write(0, 4096, data, 0);
            Stamp begun = new Stamp(1, 60);
            // The source's block map: block 10 was written after the copy began (below).
            Source source = new Source(a, history(List.of(new Lineage.Entry(1, 0, "a")), 60,
                    p -> p.equals(begun) ? bits(10) : new BitSet()), 60);
            Target target = new Target(b, history(List.of(), 0, p -> new BitSet())); // shares nothing: a full copy
            target.failAtBlock = 2048;
            // Before the target dies, the source rewrites block 10, long since copied.
            target.beforeFailing = () -> a.write(10, 1, filled(0x77), 0);
            List<CopySender.Outcome> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
            connect(source, target, ResyncPolicy.DEFAULTS, outcomes::add);

            awaitTrue(() -> !outcomes.isEmpty());
            CopySender.Outcome copy = outcomes.getFirst();
            assertEquals(begun, target.begun, "the resumed copy begins where the source is");
            assertTrue(copy.kind().startsWith("resumed"), copy.kind());
            long pending = target.answeredPending;
            assertTrue(pending > 0 && pending <= BLOCKS - 2048, "pending at the resume: " + pending);
            assertEquals(pending + 1, copy.plannedBlocks(), "the pending blocks and block 10");
            target.done.get(5, TimeUnit.SECONDS);
            assertSameImage(a, b);
        }
    }

    /** The limit holds: 8 MiB of incompressible blocks at 4 MiB/s take at least the time the bucket allows. */
    @Test
    void theRateLimitPacesTheCopy(@TempDir Path dir) throws Exception {
        try (DiskImage a = image(dir, "a"); DiskImage b = image(dir, "b")) {
            byte[] data = new byte[2048 * DiskImage.BLOCK_SIZE];
            new Random(3).nextBytes(data);
            a.write(0, 2048, data, 0);
            Source source = new Source(a, history(List.of(), 10, p -> new BitSet()), 10);
            Target target = new Target(b, history(List.of(), 0, p -> new BitSet()));
            long start = System.nanoTime();
            CopySender.Outcome copy = resync(source, target, new ResyncPolicy(4L << 20, false));
            double seconds = (System.nanoTime() - start) / 1e9;
            // 8 MiB less a burst of 2 MiB at 4 MiB/s: 1.5 s at the least; a slow machine only adds.
            assertTrue(seconds >= 1.4, "8 MiB at 4 MiB/s took " + seconds + " s");
            assertTrue(copy.wireBytes() > 8_000_000, "random blocks do not compress: " + copy.wireBytes());
            target.done.get(5, TimeUnit.SECONDS);
            assertSameImage(a, b);
        }
    }

    /** With a manual start, the plan waits, visible in status, until an operator approves it. */
    @Test
    void aManualResyncWaitsForApproval(@TempDir Path dir) throws Exception {
        try (DiskImage a = image(dir, "a"); DiskImage b = image(dir, "b")) {
            a.write(42, 1, filled(0x42), 0);
            Source source = new Source(a, history(SHARED, 100, p -> bits(42)), 100);
            Target target = new Target(b, history(SHARED, 50, p -> bits(43)));
            CompletableFuture<CopySender.Outcome> outcome = new CompletableFuture<>();
            LogShipper shipper = connect(source, target, new ResyncPolicy(0, true), outcome::complete);

            ResyncPlanStatus plan = awaitStatus(shipper, ResyncStatus.Phase.AWAITING_APPROVAL).plan();
            assertEquals(2, plan.blocks());
            assertEquals(new ResyncPlanStatus.Direction("a", "b"), plan.direction());
            Thread.sleep(300);
            assertTrue(!outcome.isDone() && target.lastPlan == null, "nothing is copied before the approval");
            group.next().submit(() -> { // the guest writes a block outside the plan while it waits
                source.tracker.written(0, 77, 1, 101);
                a.write(77, 1, filled(0x77), 0);
            }).get();

            String answer = group.next().submit(() -> shipper.approveResync(0, null)).get();
            assertTrue(answer.startsWith("resync started"), answer);
            CopySender.Outcome copy = outcome.get(20, TimeUnit.SECONDS);
            assertEquals(2, copy.plannedBlocks());
            assertEquals(1, copy.changedBlocks(), "the block written while the plan waited is sent at the end");
            target.done.get(5, TimeUnit.SECONDS);
            assertArrayEquals(filled(0x42), b.read(42, 1));
            assertArrayEquals(filled(0x77), b.read(77, 1));
        }
    }

    /**
     * Both sites served on their own after epoch 1 (each has an epoch 2 of its own): nothing is
     * copied until an operator discards the returning site's writes; discarding the live site's
     * is refused.
     */
    @Test
    void aSplitBrainIsRefusedUntilAnOperatorDiscardsTheReturningSite(@TempDir Path dir) throws Exception {
        try (DiskImage a = image(dir, "a"); DiskImage b = image(dir, "b")) {
            a.write(1, 1, filled(0x01), 0);
            b.write(2, 1, filled(0x02), 0);
            Source source = new Source(a, history(List.of(new Lineage.Entry(1, 0, "a"), new Lineage.Entry(2, 80, "a")),
                    120, p -> bits(1)), 120);
            Target target = new Target(b, history(List.of(new Lineage.Entry(1, 0, "a"), new Lineage.Entry(2, 70, "b")),
                    90, p -> bits(2)));
            CompletableFuture<CopySender.Outcome> outcome = new CompletableFuture<>();
            LogShipper shipper = connect(source, target, ResyncPolicy.DEFAULTS, outcome::complete);

            String why = awaitStatus(shipper, ResyncStatus.Phase.SPLIT_BRAIN).plan().splitBrain();
            assertEquals("a served epoch 2 from position 80; b served epoch 2 from position 70", why);
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> approve(shipper, null));
            assertTrue(refused.getMessage().contains("--discard b"), refused.getMessage());
            IllegalStateException live = assertThrows(IllegalStateException.class, () -> approve(shipper, "a"));
            assertTrue(live.getMessage().contains("live site"), live.getMessage());
            assertTrue(target.lastPlan == null, "nothing copied while refused");

            assertTrue(approve(shipper, "b").startsWith("resync started"));
            assertEquals(2, outcome.get(20, TimeUnit.SECONDS).plannedBlocks(), "blocks 1 and 2");
            target.done.get(5, TimeUnit.SECONDS);
            assertArrayEquals(filled(0x01), b.read(1, 1));
            assertArrayEquals(new byte[DiskImage.BLOCK_SIZE], b.read(2, 1), "b's own write is discarded");
            assertEquals(List.of(new Lineage.Entry(1, 0, "a"), new Lineage.Entry(2, 80, "a")), target.adopted,
                    "b takes a's history, and none of its own epoch 2");
        }
    }

    private String approve(LogShipper shipper, String discard) throws Exception {
        try {
            return group.next().submit(() -> shipper.approveResync(0, discard)).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private ResyncStatus awaitStatus(LogShipper shipper, ResyncStatus.Phase phase) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ResyncStatus status = group.next().submit(shipper::resyncStatus).get();
            if (status != null && status.phase() == phase) {
                return status;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the resync never reached phase " + phase);
    }

    private static DiskImage image(Path dir, String name) throws IOException {
        return DiskImage.openOrCreate(dir.resolve(name + ".img"), BLOCKS * DiskImage.BLOCK_SIZE);
    }

    private static void assertSameImage(DiskImage a, DiskImage b) throws Exception {
        MessageDigest da = MessageDigest.getInstance("SHA-256");
        MessageDigest db = MessageDigest.getInstance("SHA-256");
        a.digest(da);
        b.digest(db);
        assertArrayEquals(da.digest(), db.digest(), "the target's disk equals the source's");
    }

    private static BitSet bits(int... set) {
        BitSet bits = new BitSet();
        for (int block : set) {
            bits.set(block);
        }
        return bits;
    }

    private static byte[] filled(int value) {
        byte[] block = new byte[DiskImage.BLOCK_SIZE];
        java.util.Arrays.fill(block, (byte) value);
        return block;
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in time");
            }
            Thread.sleep(10);
        }
    }
}
