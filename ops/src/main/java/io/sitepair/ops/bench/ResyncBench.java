package io.sitepair.ops.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.disk.DiskHistory;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.Stamp;
import io.sitepair.disk.WriteTracker;
import io.sitepair.ops.config.UnitConverters;
import io.sitepair.ops.config.Units;
import io.sitepair.ops.lab.Scratch;
import io.sitepair.ops.wan.WanProfile;
import io.sitepair.ops.wan.WanProxy;
import io.sitepair.replicator.channel.LinkTiming;
import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.channel.PairIdentity;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.channel.Transport;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.pair.SiteRecords;
import io.sitepair.replicator.resync.BackupResync;
import io.sitepair.replicator.resync.CopySender;
import io.sitepair.replicator.resync.CopySource;
import io.sitepair.replicator.resync.CopyTarget;
import io.sitepair.replicator.resync.PrimaryResync;
import io.sitepair.replicator.resync.ResyncPolicy;
import io.sitepair.replicator.resync.ResyncWriter;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.replicator.tls.TlsIdentity;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair bench resync}: a resync after a failover, on real disk images, block maps and
 * lineages, over the real logging channel (optionally through the WAN emulator). Site b was
 * primary in epoch 1 and failed; a took over in epoch 2. Both wrote after the failover point: b
 * what it never replicated, a what it served alone. The bench resyncs b from a and prints the plan,
 * the bytes shipped against the bytes changed, the time and the throughput on the wire against the
 * link, then checks that the two images are identical. With TLS on the channel runs mutual TLS
 * 1.3 with certificates from a throwaway pair CA in the scratch directory; with both modes, they
 * are taken in turn, so both see the same machine conditions.
 */
@Command(name = "resync", mixinStandardHelpOptions = true,
        description = {"Resync of a returning site after a failover: real disk images, block maps and lineages,"
                + " over the logging channel, optionally through the WAN emulator. Prints the plan, bytes shipped"
                + " against bytes changed, time, and throughput on the wire against the link; checks the images"
                + " are identical."})
public final class ResyncBench implements Callable<Integer> {
    private static final long DIVERGENCE = 1000; // the log position of the failover
    private static final String PAIR = "bench";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--disk", defaultValue = "1G", description = "Disk size (default ${DEFAULT-VALUE}).")
    String disk;

    @Option(names = "--changed", defaultValue = "1", paramLabel = "PERCENT",
            description = "Blocks changed since the failover, in percent of the disk: 70%% of them on a, 40%% on b"
                    + " (10%% on both) (default ${DEFAULT-VALUE}).")
    double changed;

    @Option(names = "--run", defaultValue = "1", paramLabel = "BLOCKS",
            description = "Changed blocks come in runs of this many consecutive blocks (default ${DEFAULT-VALUE}:"
                    + " scattered 4 KiB blocks, the worst case).")
    int run;

    @Option(names = "--shared", defaultValue = "10", paramLabel = "PERCENT",
            description = "Blocks written before the failover, identical on both sites (default ${DEFAULT-VALUE}).")
    double shared;

    @Option(names = "--link", paramLabel = "RATE", converter = UnitConverters.BitsPerSecond.class,
            description = "Route the channel through the WAN emulator at this rate (100mbit, 1gbit); default: loopback.")
    Long link;

    @Option(names = "--delay", paramLabel = "DURATION", defaultValue = "1ms", converter = UnitConverters.Durations.class,
            description = "One-way delay of the emulated link (default ${DEFAULT-VALUE}).")
    Duration delay;

    @Option(names = "--rate", paramLabel = "RATE", description = "The resync's own rate limit (40M/s); default none.")
    String rate;

    @picocli.CommandLine.Mixin
    TlsModes tlsOption;
    private List<String> tlsModes;

    @Option(names = "--rounds", defaultValue = "1", description = "Measured resyncs per --tls mode, the modes taken"
            + " in the opposite order each round (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory (default: a temporary one).")
    Path dir;

    /** One measured resync: the copy's outcome and when the target planned and finished, from dialling. */
    private record Measured(CopySender.Outcome copy, double seconds, double copySeconds, boolean identical) {
        double wireMbit() {
            return copy.wireBytes() * 8 / seconds / 1e6;
        }

        double copyWireMbit() {
            return copy.wireBytes() * 8 / copySeconds / 1e6;
        }
    }

    @Override
    public Integer call() throws Exception {
        long bytes = Units.bytes(disk);
        if (bytes <= 0 || bytes % DiskImage.BLOCK_SIZE != 0 || changed <= 0 || changed + shared > 100 || shared < 0
                || run < 1 || run > 1024 || rounds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--disk must be a positive multiple of 4096,"
                    + " --changed > 0, --changed + --shared <= 100, --run between 1 and 1024 and --rounds >= 1");
        }
        tlsModes = tlsOption.checked(spec);
        long limit = rate == null ? 0 : Units.bytesPerSecond(rate);
        java.io.PrintWriter out = spec.commandLine().getOut();
        Path scratch = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sitepair-resync-bench");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, Transport.ioHandlers());
        try {
            Map<String, Map<String, TlsIdentity>> identities = new LinkedHashMap<>();
            for (String mode : tlsModes) {
                identities.put(mode, mode.equals("on") ? throwawayPki(scratch.resolve("tls")) : null);
            }
            // A site daemon runs warm: a resync first in each mode, so the measured one is not the JVM's first. It
            // ships about 130 MB (less for a smaller disk): after 3 MB, TLS's AES-GCM still ran in its Java code
            // (GHASH.processBlocks in a profile) through the first measured resync, at a quarter of the later rate.
            for (String mode : tlsModes) {
                try (Sites warmUp = Sites.create(scratch.resolve("warm-up-" + mode), Math.min(bytes, 256L << 20), 0.1,
                        0.5, run)) {
                    run(group, warmUp, limit, identities.get(mode));
                }
                Scratch.deleteTree(scratch.resolve("warm-up-" + mode));
            }
            Map<String, List<Measured>> results = new LinkedHashMap<>();
            boolean identical = true;
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(tlsModes);
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (String mode : order) {
                    Path measuredDir = scratch.resolve("measured-tls-" + mode);
                    try (Sites sites = Sites.create(measuredDir, bytes, shared / 100, changed / 100, run)) {
                        out.printf("TLS %s, round %d:%n", mode, round);
                        Measured measured = measure(out, group, sites, limit, identities.get(mode));
                        results.computeIfAbsent(mode, m -> new ArrayList<>()).add(measured);
                        identical &= measured.identical();
                    }
                    Scratch.deleteTree(measuredDir);
                }
            }
            printSummary(out, results);
            return identical ? 0 : 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (dir == null) {
                Scratch.deleteTree(scratch);
            }
        }
    }

    private Measured measure(java.io.PrintWriter out, EventLoopGroup group, Sites sites, long limit,
                             Map<String, TlsIdentity> tls) throws Exception {
        out.printf("  %s disk, %d blocks written before the failover on both sites; since: %d blocks on a, %d on b,"
                        + " %d of them on both: %d changed (%.2f%%)%n", disk, sites.sharedBlocks, sites.changedOnA,
                sites.changedOnB, sites.changedOnBoth, sites.changedBlocks(), 100.0 * sites.changedBlocks() / sites.blocks);
        long scanStart = System.nanoTime();
        sites.recordsA.writtenAfter(0, sites.blocks, new Stamp(1, DIVERGENCE - 1));
        out.printf("  one scan of a's block map (what planning does on each site): %.0f ms%n",
                (System.nanoTime() - scanStart) / 1e6);
        long start = System.nanoTime();
        CopySender.Outcome copy = run(group, sites, limit, tls);
        // Until the target applied the end of the copy: what the sender queued may still be in flight.
        Measured m = new Measured(copy, (sites.targetDoneNanos - start) / 1e9,
                (sites.targetDoneNanos - sites.targetPlanNanos) / 1e9, sites.identical());
        long changedBytes = sites.changedBlocks() * DiskImage.BLOCK_SIZE;
        out.printf("  plan: %s, %d blocks%n", copy.kind(), copy.plannedBlocks());
        long shipped = copy.plannedBlocks() + copy.changedBlocks();
        out.printf("  shipped: %d blocks for %d changed (%.3f x; %d bytes for %d), %d of them as zero ranges;"
                        + " %d bytes of block data, %d on the wire%n", shipped, sites.changedBlocks(),
                shipped / (double) sites.changedBlocks(), shipped * DiskImage.BLOCK_SIZE, changedBytes,
                copy.zeroBlocks(), copy.bytes(), copy.wireBytes());
        out.printf("  copy phase (the target's plan to its last block): %.2f s, %.1f Mbit/s on the wire%s%n",
                m.copySeconds(), m.copyWireMbit(), ofLink(m.copyWireMbit(), " = %.1f%% of the link"));
        out.printf("  took %.2f s from dialling to the target's last block: %.1f Mbit/s on the wire%s%n", m.seconds(),
                m.wireMbit(), link == null ? " (loopback)"
                        : ofLink(m.wireMbit(), " = %.1f%% of the " + Units.formatBitsPerSecond(link) + " link"));
        out.println("  images identical: " + m.identical());
        out.flush();
        return m;
    }

    private String ofLink(double mbit, String format) {
        return link == null ? "" : String.format(format, mbit * 1e6 / link * 100);
    }

    /** Each mode's medians, and with both, TLS on against off. */
    private void printSummary(java.io.PrintWriter out, Map<String, List<Measured>> results) {
        out.printf("summary (medians of %d round(s)):%n", rounds);
        Map<String, double[]> medians = new LinkedHashMap<>();
        for (Map.Entry<String, List<Measured>> mode : results.entrySet()) {
            List<Measured> runs = mode.getValue();
            double seconds = Scratch.median(runs.stream().mapToDouble(Measured::seconds).toArray());
            double wire = Scratch.median(runs.stream().mapToDouble(Measured::wireMbit).toArray());
            double copyWire = Scratch.median(runs.stream().mapToDouble(Measured::copyWireMbit).toArray());
            medians.put(mode.getKey(), new double[] {seconds, wire, copyWire});
            out.printf("  TLS %-3s end to end %.2f s, %.1f Mbit/s%s; copy phase %.1f Mbit/s%s%n", mode.getKey(), seconds,
                    wire, ofLink(wire, " (%.1f%% of the link)"), copyWire, ofLink(copyWire, " (%.1f%% of the link)"));
        }
        if (medians.containsKey("on") && medians.containsKey("off")) {
            double[] on = medians.get("on");
            double[] off = medians.get("off");
            out.printf("  TLS on/off: end-to-end throughput %.3f, copy phase %.3f%n", on[1] / off[1], on[2] / off[2]);
        }
        if (link != null && medians.containsKey("on")) {
            double share = medians.get("on")[1] * 1e6 / link;
            out.printf("  aim: with TLS at least 90%% of the link end to end: %s, measured %.1f%%%n",
                    share >= 0.9 ? "met" : "MISSED", share * 100);
        }
        out.flush();
    }

    /** Sites a's and b's TLS identities, issued by a throwaway pair CA written to {@code dir}. */
    private static Map<String, TlsIdentity> throwawayPki(Path dir) throws java.io.IOException {
        Instant now = Instant.now();
        PairAuthority ca = PairAuthority.create(PAIR, now, PairAuthority.CA_VALIDITY);
        Path caFile = dir.toAbsolutePath().resolve("ca.crt");
        ca.write(caFile, caFile.resolveSibling("ca.key"));
        Map<String, TlsIdentity> identities = new LinkedHashMap<>();
        for (String site : List.of("a", "b")) {
            TlsFiles files = new TlsFiles(caFile, caFile.resolveSibling(site + ".crt"), caFile.resolveSibling(site + ".key"));
            ca.issue(PairPrincipal.site(PAIR, site), List.of("localhost", "127.0.0.1"), now, Duration.ofDays(1))
                    .write(files.certificate(), files.key());
            identities.put(site, TlsIdentity.load(PAIR, files));
        }
        return identities;
    }

    private CopySender.Outcome run(EventLoopGroup group, Sites sites, long limit, Map<String, TlsIdentity> tls)
            throws Exception {
        List<Long> blocks = List.of(sites.blocks);
        byte[] secret = "resync-bench-secret-0123456789".getBytes();
        PairIdentity a = new PairIdentity(PAIR, secret, "a", "b", new byte[32], "amd64", blocks, false,
                tls == null ? null : tls.get("a"));
        PairIdentity b = new PairIdentity(PAIR, secret, "b", "a", new byte[32], "amd64", blocks, false,
                tls == null ? null : tls.get("b"));
        ReceivedLog received = new ReceivedLog(1 << 20, 0);
        LogReceiver receiver = new LogReceiver(b, 1, received, () -> 0, new BackupResync(blocks, sites.target(received)),
                LinkTiming.DEFAULTS);
        receiver.start(group, new InetSocketAddress("127.0.0.1", 0));
        WanProxy proxy = link == null ? null : WanProxy.start(new InetSocketAddress("127.0.0.1", 0), receiver.address(),
                WanProfile.symmetric(delay, link));
        try {
            ShipLog log = new ShipLog(() -> 7L);
            long last = sites.lastPositionOnA;
            group.next().submit(() -> {
                for (long i = 0; i < last; i++) {
                    log.append(new LogRecord.Clock(i));
                }
                log.discardThrough(log.lastPosition()); // served alone: nothing kept for a backup
                return null;
            }).get();
            CompletableFuture<CopySender.Outcome> outcome = new CompletableFuture<>();
            PrimaryResync resyncs = new PrimaryResync(a, sites.source(log), new ResyncPolicy(limit, false),
                    outcome::complete);
            LogShipper shipper = new LogShipper(a, 1, 42, log, resyncs, group.next(),
                    proxy == null ? receiver.address() : proxy.address(), LinkTiming.DEFAULTS,
                    new LogShipper.Listener() {
                        public void acknowledged(long r, long p) {}
                        public void backupStopped(long position, String reason) {}
                        public void linkChanged(boolean streaming, String why) {}
                    });
            shipper.start();
            CopySender.Outcome copy = outcome.get(30, TimeUnit.MINUTES);
            sites.targetDone.get(1, TimeUnit.MINUTES);
            shipper.stop();
            return copy;
        } finally {
            receiver.stop();
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    /** The two sites' images and records, written as the scenario says. */
    private static final class Sites implements AutoCloseable {
        final long blocks;
        final DiskImage imageA;
        final DiskImage imageB;
        final SiteRecords recordsA;
        final SiteRecords recordsB;
        final Path progressB;
        final CompletableFuture<Long> targetDone = new CompletableFuture<>();
        final BitSet onA = new BitSet();
        final BitSet onB = new BitSet();
        long sharedBlocks;
        long changedOnA;
        long changedOnB;
        long changedOnBoth;
        long lastPositionOnA;
        volatile long targetPlanNanos;
        volatile long targetDoneNanos;

        private Sites(Path dir, long bytes) throws Exception {
            blocks = bytes / DiskImage.BLOCK_SIZE;
            Files.createDirectories(dir);
            Files.createDirectories(dir.resolve("a"));
            Files.createDirectories(dir.resolve("b"));
            imageA = DiskImage.openOrCreate(dir.resolve("a/disk0.img"), bytes);
            imageB = DiskImage.openOrCreate(dir.resolve("b/disk0.img"), bytes);
            recordsA = SiteRecords.open(dir.resolve("a"));
            recordsB = SiteRecords.open(dir.resolve("b"));
            progressB = dir.resolve("b/resync-progress");
        }

        /** b primary in epoch 1 until it failed; a live in epoch 2 from {@link #DIVERGENCE}. */
        static Sites create(Path dir, long bytes, double sharedFraction, double changedFraction, int run)
                throws Exception {
            Sites s = new Sites(dir, bytes);
            Random random = new Random(42);
            s.recordsA.enter(1, 0, "b");
            s.recordsB.enter(1, 0, "b");
            long[] order = shuffledBlocks(s.blocks, run, random);
            int shared = (int) (s.blocks * sharedFraction);
            int changed = (int) Math.max(1, s.blocks * changedFraction);
            byte[] block = new byte[DiskImage.BLOCK_SIZE];
            WriteTracker stampsA = s.recordsA.stamps();
            WriteTracker stampsB = s.recordsB.stamps();
            for (int i = 0; i < shared; i++) {
                random.nextBytes(block);
                long position = 1 + (long) i * (DIVERGENCE - 2) / Math.max(1, shared);
                write(s.imageA, stampsA, order[i], block, position);
                write(s.imageB, stampsB, order[i], block, position);
            }
            s.sharedBlocks = shared;
            s.recordsA.enter(2, DIVERGENCE, "a");
            // Of the changed blocks, the first 60% only on a, the next 10% on both, the last 30% only on b.
            int onlyA = (int) (changed * 0.6);
            int both = (int) (changed * 0.1);
            for (int i = 0; i < changed; i++) {
                long target = order[shared + i];
                if (i < onlyA + both) {
                    random.nextBytes(block);
                    write(s.imageA, stampsA, target, block, DIVERGENCE + i);
                    s.onA.set((int) target);
                }
                if (i >= onlyA) {
                    random.nextBytes(block);
                    write(s.imageB, stampsB, target, block, DIVERGENCE + i);
                    s.onB.set((int) target);
                }
            }
            s.lastPositionOnA = DIVERGENCE + changed;
            s.changedOnA = s.onA.cardinality();
            s.changedOnB = s.onB.cardinality();
            BitSet overlap = (BitSet) s.onA.clone();
            overlap.and(s.onB);
            s.changedOnBoth = overlap.cardinality();
            s.imageA.flush();
            s.imageB.flush();
            return s;
        }

        private static void write(DiskImage image, WriteTracker stamps, long block, byte[] data, long position) {
            stamps.written(0, block, 1, position);
            image.write(block, 1, data, 0);
        }

        /** Every block once, in runs of {@code run} consecutive blocks, the runs in random order. */
        private static long[] shuffledBlocks(long blocks, int run, Random random) {
            int runs = (int) (blocks / run);
            int[] runOrder = new int[runs];
            for (int i = 0; i < runs; i++) {
                runOrder[i] = i;
            }
            for (int i = runs - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = runOrder[i];
                runOrder[i] = runOrder[j];
                runOrder[j] = t;
            }
            long[] order = new long[runs * run];
            for (int i = 0; i < runs; i++) {
                for (int k = 0; k < run; k++) {
                    order[i * run + k] = (long) runOrder[i] * run + k;
                }
            }
            return order;
        }

        long changedBlocks() {
            BitSet union = (BitSet) onA.clone();
            union.or(onB);
            return union.cardinality();
        }

        CopySource source(ShipLog log) {
            return new CopySource() {
                public List<DiskImage> disks() { return List.of(imageA); }
                public void trackWrites(WriteTracker tracker) {}
                public Capture capture() { return new Capture(log.lastPosition(), 0, new byte[0], new byte[32]); }
                public DiskHistory history() { return recordsA.at(() -> lastPositionOnA); }
            };
        }

        CopyTarget target(ReceivedLog received) {
            ResyncWriter writer = new ResyncWriter(List.of(imageB), progressB);
            return new CopyTarget() {
                public boolean wantsCopy() { return true; }
                public DiskHistory history() { return recordsB; }
                public Stamp resumable(String source) { return writer.resumable(source); }
                public BitSet pending(int d) throws java.io.IOException { return writer.pending(d); }
                public boolean acceptsCopy() { return !targetDone.isDone(); }
                public CompletableFuture<Void> plan(String source, Stamp begun, List<BitSet> planned)
                        throws java.io.IOException {
                    targetPlanNanos = System.nanoTime();
                    writer.begin(source, begun, planned);
                    return CompletableFuture.completedFuture(null);
                }
                public void blocks(int d, long first, int count, byte[] data, int offset) throws java.io.IOException {
                    writer.blocks(d, first, count, data, offset);
                }
                public void zeros(int d, long first, int count) throws java.io.IOException {
                    writer.zeros(d, first, count);
                }
                public CompletableFuture<Void> done(long position, long events, byte[] state, byte[] hash,
                                                    List<io.sitepair.disk.Lineage.Entry> lineage)
                        throws java.io.IOException {
                    writer.finish();
                    targetDoneNanos = System.nanoTime();
                    received.startAfter(position);
                    targetDone.complete(position);
                    return CompletableFuture.completedFuture(null);
                }
            };
        }

        boolean identical() throws Exception {
            MessageDigest da = MessageDigest.getInstance("SHA-256");
            MessageDigest db = MessageDigest.getInstance("SHA-256");
            imageA.digest(da);
            imageB.digest(db);
            return Arrays.equals(da.digest(), db.digest());
        }

        @Override
        public void close() throws Exception {
            imageA.close();
            imageB.close();
            recordsA.close();
            recordsB.close();
        }
    }
}
