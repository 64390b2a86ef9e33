package io.sitepair.replicator.vm;

import io.sitepair.disk.DiskImage;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.replicator.log.LogHeader;
import io.sitepair.replicator.log.LogReader;
import io.sitepair.replicator.log.LogTruncatedException;
import io.sitepair.replicator.log.LogWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Runs a guest on this machine with no peer: the synthetic workload LIVE or RECORDed to a log
 * file, or a REPLAY of such a file, optionally from a snapshot and optionally taking one. This is
 * what {@code sitepair guest run|replay}, the tests and the benchmark use. Outputs are only
 * counted: there are no clients.
 */
public final class OfflineRun {
    public static final String CPU_ARCH = System.getProperty("os.arch");

    /** Take a snapshot once this many events have been delivered. */
    public record SnapshotRequest(long afterEvents, Path file) {}

    /** What a run reached. {@code stateHash} is null if a torn log cut the last handler short. */
    public record Outcome(long events, long lastPosition, byte[] stateHash, long outputs, long outputBytes,
                          long elapsedNanos, Snapshot.Info snapshot, LogTruncatedException truncation) {}

    /** The synthetic stress workload, LIVE or (with {@code recordTo}) RECORD. */
    public record Workload(long seed, long events, Path recordTo, boolean loggedReads) {}

    private final GuestModule module;
    private final VmOptions options;
    private LongConsumer progress = events -> {};

    public OfflineRun(GuestModule module, VmOptions options) {
        this.module = module;
        this.options = options;
    }

    /** Called between events with the number delivered so far (cheap to call often). */
    public OfflineRun withProgress(LongConsumer progress) {
        this.progress = progress;
        return this;
    }

    public Outcome synthetic(List<Path> diskPaths, long newDiskSize, Workload workload, SnapshotRequest snapshot)
            throws Exception {
        return VmThread.call("sitepair-vm", () -> {
            try (OpenDisks disks = OpenDisks.open(diskPaths, newDiskSize);
                 GroupFlusher flusher = groupFlusher()) {
                GuestVm vm = GuestVm.create(module, options, disks.images());
                vm.flushDisksWith(flusher::request);
                SyntheticDriver driver = options.nic()
                        ? SyntheticDriver.nic(vm, workload.seed(), RealInputs.WallClock.SYSTEM::nanos)
                        : new SyntheticDriver(vm, workload.seed(), RealInputs.WallClock.SYSTEM::nanos);
                CountingSink counts = new CountingSink();
                OutputSink sink = driver.observing(counts);
                LogWriter log = null;
                try {
                    if (workload.recordTo() == null) {
                        vm.startLive(RealInputs.system(), sink);
                    } else {
                        LogHeader header = new LogHeader(module.hash(), CPU_ARCH, disks.blockCounts(),
                                workload.loggedReads(), 1);
                        log = LogWriter.create(workload.recordTo(), header, RealInputs.WallClock.SYSTEM::nanos);
                        vm.startRecording(RealInputs.system(), sink, log, workload.loggedReads());
                    }
                    SnapshotTaker taker = new SnapshotTaker(snapshot);
                    long start = System.nanoTime();
                    driver.run(workload.events(), taker);
                    long elapsed = System.nanoTime() - start;
                    return new Outcome(vm.eventsDelivered(), vm.position(), vm.stateHash(), counts.outputs, counts.bytes,
                            elapsed, taker.taken, null);
                } finally {
                    if (log != null) {
                        log.close();
                    }
                }
            }
        });
    }

    /**
     * Replays {@code logFile} onto {@code diskPaths} (created with the log's geometry if missing),
     * from the beginning or from {@code fromSnapshot}.
     */
    public Outcome replay(List<Path> diskPaths, Path logFile, Path fromSnapshot, SnapshotRequest snapshot)
            throws Exception {
        return VmThread.call("sitepair-vm", () -> {
            try (LogReader log = LogReader.open(logFile)) {
                LogHeader header = log.header();
                Replayer.checkOrigin(header, module, CPU_ARCH);
                if (header.diskBlocks().size() != diskPaths.size()) {
                    throw new IllegalArgumentException("the log was recorded with " + header.diskBlocks().size()
                            + " disk(s); " + diskPaths.size() + " given");
                }
                try (OpenDisks disks = OpenDisks.open(diskPaths, header.diskBlocks());
                     GroupFlusher flusher = groupFlusher()) {
                    Replayer.checkDisks(header, disks.blockCounts());
                    GuestVm vm = fromSnapshot == null
                            ? GuestVm.create(module, options, disks.images())
                            : Snapshot.restore(fromSnapshot, module, options, disks.images());
                    vm.flushDisksWith(flusher::request);
                    Replayer replayer = new Replayer(vm, log);
                    replayer.skipToStart();
                    SnapshotTaker taker = new SnapshotTaker(snapshot);
                    long start = System.nanoTime();
                    try {
                        Replayer.Result result = replayer.run(taker);
                        return new Outcome(vm.eventsDelivered(), result.lastPosition(), vm.stateHash(), 0, 0,
                                System.nanoTime() - start, taker.taken, result.truncation());
                    } catch (LogUnreadable e) {
                        if (!(e.formatError() instanceof LogTruncatedException torn)) {
                            throw e;
                        }
                        // The tail was torn inside a handler: the events before it were replayed in
                        // full, the last one was cut off, so there is no state to hash.
                        return new Outcome(vm.eventsDelivered(), log.lastPosition(), null, 0, 0,
                                System.nanoTime() - start, taker.taken, torn);
                    }
                }
            }
        });
    }

    /**
     * Offline runs have no client waiting on a flush, so flushes are group-committed in the
     * background like a served VM's; closing the flusher (before the disks) drains them.
     */
    private static GroupFlusher groupFlusher() {
        return new GroupFlusher("sitepair-flush", ticket -> {});
    }

    /** Takes the requested snapshot at its event count and reports progress. */
    private final class SnapshotTaker implements Replayer.Checkpoint {
        private final SnapshotRequest request;
        Snapshot.Info taken;

        SnapshotTaker(SnapshotRequest request) {
            this.request = request;
        }

        @Override
        public boolean afterEvent(GuestVm vm) throws IOException {
            if (request != null && taken == null && vm.eventsDelivered() == request.afterEvents()) {
                taken = Snapshot.write(vm, request.file());
            }
            progress.accept(vm.eventsDelivered());
            return true;
        }
    }

    /** Counts outputs; the offline runs have no clients to deliver them to. */
    private static final class CountingSink implements OutputSink {
        long outputs;
        long bytes;

        @Override
        public void send(long position, int conn, byte[] data) {
            outputs++;
            bytes += data.length;
        }

        @Override
        public void close(long position, int conn) {
            outputs++;
        }
    }

    /** The run's disk images, closed together. */
    private record OpenDisks(List<DiskImage> images) implements Closeable {
        static OpenDisks open(List<Path> paths, long newDiskSize) throws IOException {
            List<DiskImage> images = new ArrayList<>();
            for (Path path : paths) {
                images.add(DiskImage.openOrCreate(path, newDiskSize));
            }
            return new OpenDisks(images);
        }

        /** Opens (or creates, sized from the log) one image per entry of {@code blocks}. */
        static OpenDisks open(List<Path> paths, List<Long> blocks) throws IOException {
            List<DiskImage> images = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                Path path = paths.get(i);
                images.add(Files.exists(path) ? DiskImage.open(path)
                        : DiskImage.openOrCreate(path, blocks.get(i) * DiskImage.BLOCK_SIZE));
            }
            return new OpenDisks(images);
        }

        List<Long> blockCounts() {
            return images.stream().map(DiskImage::blockCount).toList();
        }

        @Override
        public void close() throws IOException {
            for (DiskImage image : images) {
                image.close();
            }
        }
    }
}
