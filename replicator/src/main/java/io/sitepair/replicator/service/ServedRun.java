package io.sitepair.replicator.service;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.replicator.channel.Transport;
import io.sitepair.replicator.log.LogAppender;
import io.sitepair.replicator.log.LogHeader;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogWriter;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.nic.FrameLink;
import io.sitepair.replicator.nic.NicSettings;
import io.sitepair.replicator.nic.TapDevice;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.OutputSink;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.replicator.vm.Snapshot;
import io.sitepair.replicator.vm.VmMode;
import io.sitepair.replicator.vm.VmOptions;
import io.sitepair.replicator.vm.VmThread;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guest serving real clients: LIVE, RECORD to a log file, or RECORD to a {@link Recording}
 * such as the logging channel of a protected primary, whose outputs then obey the Output Rule.
 *
 * <p>One event loop thread, a {@link VmThread}, does the network I/O and runs the guest. Disk
 * flushes are group-committed by a {@link GroupFlusher}; the {@link OutputGate} holds each reply
 * until the flushes before it are durable, so an acknowledged write is on disk.
 */
public final class ServedRun {
    private static final Logger LOG = LoggerFactory.getLogger(ServedRun.class);

    /** What the run reached when it stopped. */
    public record Result(long events, long lastPosition, byte[] stateHash, long outputs, long outputBytes,
                         GroupFlusher.Stats flushes) {}

    /**
     * Where a recording run's entries go. {@code outputRule}: outputs wait for
     * {@link #acknowledgedThrough}. {@code afterEvent} runs on the loop after every event.
     * {@code meters} is told how long outputs waited and disk flushes took.
     */
    public record Recording(LogAppender log, boolean loggedReads, boolean outputRule, Runnable afterEvent,
                            SiteMeters meters) {
        public Recording(LogAppender log, boolean loggedReads, boolean outputRule, Runnable afterEvent) {
            this(log, loggedReads, outputRule, afterEvent, SiteMeters.NONE);
        }
    }

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final List<DiskImage> disks = new ArrayList<>();
    private final CompletableFuture<Result> finished = new CompletableFuture<>();
    private GuestVm vm;
    private LogWriter logFile;
    private Recording recording;
    private GroupFlusher flusher;
    private ClientOutputs outputs;
    private Channel server;
    private ChannelGroup clients;
    private GuestDriver driver;
    private ClientNetwork network;
    private FrameLink link;
    private NicService nicService;
    private boolean flushStartPending; // loop thread only

    private ServedRun() {
        this.group = new MultiThreadIoEventLoopGroup(1, VmThread.factory("sitepair-vm"), Transport.ioHandlers());
        this.loop = group.next();
    }

    /** Boots the guest, attaches it to {@code network} and returns once clients can connect. */
    public static ServedRun start(GuestModule module, VmOptions options, List<Path> diskPaths, long newDiskSize,
                                  ClientNetwork network, Path recordTo) throws Exception {
        return start(module, options, diskPaths, newDiskSize, network, recordTo, null);
    }

    /** Boots the guest recording to {@code recording}, attaches it to {@code network} and returns once clients can connect. */
    public static ServedRun startRecording(GuestModule module, VmOptions options, List<Path> diskPaths,
                                           long newDiskSize, ClientNetwork network, Recording recording)
            throws Exception {
        return start(module, options, diskPaths, newDiskSize, network, null, recording);
    }

    private static ServedRun start(GuestModule module, VmOptions options, List<Path> diskPaths, long newDiskSize,
                                   ClientNetwork network, Path recordTo, Recording recording) throws Exception {
        ServedRun run = new ServedRun();
        return run.serve(network, () -> run.boot(module, options, diskPaths, newDiskSize, recordTo, recording));
    }

    /**
     * Serves clients with a VM that replay has brought to the end of its log: a backup going live.
     * The run takes over the VM and its disks. A VM that replay left between events switches to
     * LIVE here; one that went live inside a handler (the log ended there) was given
     * {@code handover} as its output sink, which now forwards to the clients. Connections the host
     * terminated belonged to the old primary's clients: the guest sees each of them close. On a
     * virtual NIC the guest's own connections carry on: it is told that its link came up here.
     */
    public static ServedRun goLive(GuestVm vm, List<DiskImage> disks, ClientNetwork network, Handover handover)
            throws Exception {
        return goLive(vm, disks, network, handover, null);
    }

    /**
     * As {@link #goLive(GuestVm, List, ClientNetwork, Handover)}, but the VM goes on
     * recording to {@code recording} (a VM that went live inside a handler was armed with
     * {@link GuestVm#recordAtEndOfLog} on the same log), so a returning site can protect it later.
     * Outputs do not wait for acknowledgements until {@link #resumeOutputRule}.
     */
    public static ServedRun goLive(GuestVm vm, List<DiskImage> disks, ClientNetwork network, Handover handover,
                                   Recording recording) throws Exception {
        ServedRun run = new ServedRun();
        run.disks.addAll(disks);
        return run.serve(network, () -> run.adopt(vm, handover, recording));
    }

    /**
     * Serves clients, LIVE and recording nothing, with a VM restored from {@code state} (as
     * {@link io.sitepair.replicator.vm.Snapshot#captureState} took it at log position {@code position}
     * after {@code events} events) over the disk images at {@code diskPaths}, which hold the disks of
     * that moment: a backup's test clone. It knows no peer and no Output Rule; the guest sees the
     * connections it knew close, as on going live. It always listens on a socket: a clone must not
     * take the service's address, so a guest with a virtual NIC keeps its NIC's connections frozen
     * and its frames go nowhere. The run owns the images and closes them.
     */
    public static ServedRun restoreLive(GuestModule module, VmOptions options, List<Path> diskPaths, byte[] state,
                                        long position, long events, InetSocketAddress listen) throws Exception {
        ServedRun run = new ServedRun();
        return run.serve(new ClientNetwork.Socket(listen), () -> {
            for (Path path : diskPaths) {
                run.disks.add(DiskImage.open(path));
            }
            run.adopt(Snapshot.restoreState(module, options, run.disks, state, position, events), null, null);
        });
    }

    /** Buffers nothing: outputs before the hand-over are for connections whose clients are gone. */
    public static final class Handover implements OutputSink {
        private volatile OutputSink target;

        @Override
        public void send(long position, int conn, byte[] data) {
            var t = target;
            if (t != null) {
                t.send(position, conn, data);
            }
        }

        @Override
        public void close(long position, int conn) {
            var t = target;
            if (t != null) {
                t.close(position, conn);
            }
        }
    }

    private interface Boot {
        void run() throws IOException;
    }

    private ServedRun serve(ClientNetwork network, Boot boot) throws Exception {
        try {
            loop.submit(() -> {
                boot.run();
                return null;
            }).get();
            driver = new GuestDriver(vm, loop, outputs, RealInputs.WallClock.SYSTEM::nanos, this::halted,
                    recording.afterEvent());
            loop.submit(driver::fireDueTimers).get(); // timers the guest armed at boot
            clients = new DefaultChannelGroup("sitepair-clients", loop);
            switch (network) {
                case ClientNetwork.Socket socket -> server = ClientService.bind(socket.listen(), group, driver, clients);
                case ClientNetwork.Nic nic -> attachNic(nic);
            }
            this.network = network;
        } catch (ExecutionException e) {
            shutDown();
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (Exception e) {
            shutDown();
            throw e;
        }
        return this;
    }

    /**
     * Opens the site's link, brings it up and tells the guest, which announces its address and
     * prompts its clients; only then does the reader start, so the guest's first frames answer
     * the world as it now is.
     */
    private void attachNic(ClientNetwork.Nic nic) throws Exception {
        link = nic.opener().open(nic.settings());
        loop.submit(() -> outputs.attachNic(link)).get();
        link.up(true);
        LOG.info("virtual NIC up: {} as {}", link.describe(), nic.settings().identity());
        loop.submit(() -> driver.nicUp(nic.settings().identity())).get();
        nicService = NicService.start(link, loop, driver);
    }

    private void boot(GuestModule module, VmOptions options, List<Path> diskPaths, long newDiskSize, Path recordTo,
                      Recording shipped) throws IOException {
        for (Path path : diskPaths) {
            disks.add(DiskImage.openOrCreate(path, newDiskSize));
        }
        vm = GuestVm.create(module, options, disks);
        if (recordTo != null) {
            logFile = LogWriter.create(recordTo, new LogHeader(module.hash(), OfflineRun.CPU_ARCH,
                    disks.stream().map(DiskImage::blockCount).toList(), false, 1), RealInputs.WallClock.SYSTEM::nanos);
            recording = new Recording(logFile, false, false, () -> {});
        } else {
            recording = shipped != null ? shipped : new Recording(null, false, false, () -> {});
        }
        // Releases happen on the loop: one task per fsync round, not one per output.
        flusher = new GroupFlusher("sitepair-flush", ticket -> loop.execute(() -> outputs.flushedThrough(ticket)),
                recording.meters()::disksFlushed);
        outputs = new ClientOutputs(flusher, recording.outputRule(), recording.meters());
        vm.flushDisksWith(this::flushAfterThisIteration);
        if (recording.log() == null) {
            vm.startLive(RealInputs.system(), outputs);
        } else {
            vm.startRecording(RealInputs.system(), outputs, recording.log(), recording.loggedReads());
        }
        vm.deliver(new LogRecord.Init());
        recording.afterEvent().run();
    }

    private void adopt(GuestVm replayed, Handover handover, Recording continued) {
        vm = replayed;
        recording = continued != null ? continued : new Recording(null, false, false, () -> {});
        flusher = new GroupFlusher("sitepair-flush", ticket -> loop.execute(() -> outputs.flushedThrough(ticket)),
                recording.meters()::disksFlushed);
        outputs = new ClientOutputs(flusher, false, recording.meters());
        vm.flushDisksWith(this::flushAfterThisIteration);
        if (vm.mode() == null) { // restored from a captured state: it has no mode yet
            vm.startLive(RealInputs.system(), outputs);
        } else if (vm.mode() == VmMode.REPLAY && recording.log() != null) {
            vm.recordNow(RealInputs.system(), outputs, recording.log(), recording.loggedReads());
        } else if (vm.mode() == VmMode.REPLAY) {
            vm.goLiveNow(RealInputs.system(), outputs);
        } else {
            handover.target = outputs;
        }
        for (int conn : toList(vm.hostState().connections())) {
            vm.deliver(new LogRecord.Closed(conn));
        }
    }

    private static List<Integer> toList(Iterable<Integer> items) {
        List<Integer> list = new ArrayList<>();
        items.forEach(list::add);
        return list;
    }

    // ---- for a protected primary; all on the loop thread ----

    /** The event loop that runs the guest and its network I/O. */
    public EventLoop loop() {
        return loop;
    }

    public EventLoopGroup group() {
        return group;
    }

    public GuestVm vm() {
        return vm;
    }

    /** The backup holds every entry up to {@code position}: outputs up to it may leave. */
    public void acknowledgedThrough(long position) {
        outputs.gate().acknowledgedThrough(position);
    }

    /** The backup is gone (diverged): outputs stop waiting for acknowledgements. */
    public void dropOutputRule() {
        outputs.gate().dropOutputRule();
    }

    /** A backup is being given this run's state: outputs wait for it again; see {@link OutputGate#resumeOutputRule}. */
    public void resumeOutputRule() {
        outputs.gate().resumeOutputRule();
    }

    /**
     * Holds every output while {@code fenced} (the site's ZooKeeper session is in doubt); the
     * guest keeps running. Any thread.
     */
    public void fenceOutputs(boolean fenced) {
        loop.execute(() -> outputs.gate().fence(fenced));
    }

    public int heldOutputs() {
        return outputs.gate().heldCount();
    }

    public long releasedOutputs() {
        return outputs.gate().released();
    }

    /** Pauses or resumes reading client input and firing timers (flow control, lag throttling). */
    public void pauseDelivery(boolean paused) {
        if (paused != driver.paused()) {
            driver.paused(paused);
            if (nicService != null) {
                nicService.paused(paused);
            }
            for (Channel client : clients) {
                client.config().setAutoRead(!paused);
            }
        }
    }

    public boolean deliveryPaused() {
        return driver.paused();
    }

    /** Time spent in guest handlers since the last call. */
    public long takeBusyNanos() {
        return driver.takeBusyNanos();
    }

    /**
     * A flush requested while the loop handles ready I/O starts once it has handled all of it:
     * tasks run after the I/O of an iteration, so one fsync covers every client served in it
     * (Redis does its appendfsync in beforeSleep for the same reason). No timer is involved.
     */
    private void flushAfterThisIteration(DiskImage disk) {
        flusher.requestLater(disk);
        if (!flushStartPending) {
            flushStartPending = true;
            loop.execute(() -> {
                flushStartPending = false;
                flusher.start();
            });
        }
    }

    // ---- network mode nic, for the site's status; on the loop thread ----

    /** The virtual NIC's settings; null in network mode socket (or before the run serves). */
    public NicSettings nicSettings() {
        return network instanceof ClientNetwork.Nic nic ? nic.settings() : null;
    }

    /** Whether the virtual NIC's frames are read: false in socket mode, or once reading the link failed. */
    public boolean nicReading() {
        return nicService != null && nicService.reading();
    }

    /** What the NIC's TAP device passed and dropped; null in socket mode or on a link that is not a TAP device. */
    public TapDevice.Counters tapCounters() {
        return link instanceof TapDevice tap ? tap.counters() : null;
    }

    /** Frames from the link dropped as larger than the guest's receive buffer. */
    public long oversizedFrames() {
        return driver.oversizedFrames();
    }

    /** Frames the guest sent that could not leave: no link, or sending failed. */
    public long unsentFrames() {
        return outputs.droppedFrames;
    }

    /** Where clients reach the guest: the socket bound, or the virtual NIC's address and port. */
    public InetSocketAddress address() {
        return switch (network) {
            case ClientNetwork.Nic nic -> nic.service();
            case ClientNetwork.Socket socket -> (InetSocketAddress) server.localAddress();
        };
    }

    public boolean usesEpoll() {
        return Transport.epoll();
    }

    /** Stops serving (closing client connections) and returns the final state. */
    public Result stop() throws Exception {
        if (!finished.isDone()) {
            try {
                Result result = loop.submit(() -> {
                    driver.stop(); // from here on, late connections are turned away
                    flusher.close(); // drain: every flush requested so far is durable
                    return new Result(vm.eventsDelivered(), vm.position(), vm.stateHash(), outputs.outputs,
                            outputs.bytes, flusher.stats());
                }).get();
                finished.complete(result);
            } catch (ExecutionException e) {
                finished.completeExceptionally(e.getCause());
            }
            shutDown();
        }
        return await();
    }

    /** Waits until the run ends: by {@link #stop()}, or because the VM halted (then throws why). */
    public Result await() throws Exception {
        try {
            return finished.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The VM halted on the loop thread: end the run with its cause and drop every client. */
    private void halted(Throwable cause) {
        if (finished.completeExceptionally(cause)) {
            new Thread(this::shutDown, "sitepair-halt").start();
        }
    }

    private void shutDown() {
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        if (nicService != null) {
            nicService.paused(true); // no more frames in; the link closes after the loop's last sends
        }
        if (clients != null) {
            // Closed explicitly and awaited: the loop's own shutdown does not reliably close them.
            clients.close().awaitUninterruptibly();
        }
        if (flusher != null) {
            flusher.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (nicService != null) {
            nicService.close();
        } else if (link != null) {
            link.close(); // opened, but serving never began
        }
        try {
            if (logFile != null) {
                logFile.close();
            }
            for (DiskImage disk : disks) {
                disk.close();
            }
        } catch (IOException e) {
            LOG.error("closing the log or disks failed: {}", e.getMessage());
        }
    }
}
