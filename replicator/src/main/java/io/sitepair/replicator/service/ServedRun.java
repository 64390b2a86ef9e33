package io.sitepair.replicator.service;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.replicator.log.LogHeader;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogWriter;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.OfflineRun;
import io.sitepair.replicator.vm.RealInputs;
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

/**
 * A guest serving real clients on this machine with no peer site: LIVE, or RECORD to a log file.
 * (The protected primary builds on the same pieces and adds the backup's acknowledgements.)
 *
 * <p>One event loop thread, a {@link VmThread}, does the network I/O and runs the guest. Disk
 * flushes are group-committed by a {@link GroupFlusher}; the {@link OutputGate} holds each reply
 * until the flushes before it are durable, so an acknowledged write is on disk.
 */
public final class ServedRun {
    /** What the run reached when it stopped. */
    public record Result(long events, long lastPosition, byte[] stateHash, long outputs, long outputBytes,
                         GroupFlusher.Stats flushes) {}

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final List<DiskImage> disks = new ArrayList<>();
    private final CompletableFuture<Result> finished = new CompletableFuture<>();
    private GuestVm vm;
    private LogWriter log;
    private GroupFlusher flusher;
    private ClientOutputs outputs;
    private Channel server;
    private ChannelGroup clients;
    private GuestDriver driver;
    private boolean flushStartPending; // loop thread only

    private ServedRun() {
        this.group = new MultiThreadIoEventLoopGroup(1, VmThread.factory("sitepair-vm"), ClientService.ioHandlers());
        this.loop = group.next();
    }

    /** Boots the guest, binds {@code listen} and returns once clients can connect. */
    public static ServedRun start(GuestModule module, VmOptions options, List<Path> diskPaths, long newDiskSize,
                                  InetSocketAddress listen, Path recordTo) throws Exception {
        ServedRun run = new ServedRun();
        try {
            run.loop.submit(() -> {
                run.boot(module, options, diskPaths, newDiskSize, recordTo);
                return null;
            }).get();
            run.driver = new GuestDriver(run.vm, run.loop, run.outputs, RealInputs.WallClock.SYSTEM::nanos, run::halted);
            run.loop.submit(run.driver::fireDueTimers).get(); // timers the guest armed at boot
            run.clients = new DefaultChannelGroup("sitepair-clients", run.loop);
            run.server = ClientService.bind(listen, run.group, run.driver, run.clients);
        } catch (ExecutionException e) {
            run.shutDown();
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (Exception e) {
            run.shutDown();
            throw e;
        }
        return run;
    }

    private void boot(GuestModule module, VmOptions options, List<Path> diskPaths, long newDiskSize, Path recordTo)
            throws IOException {
        for (Path path : diskPaths) {
            disks.add(DiskImage.openOrCreate(path, newDiskSize));
        }
        vm = GuestVm.create(module, options, disks);
        // Releases happen on the loop: one task per fsync round, not one per output.
        flusher = new GroupFlusher("sitepair-flush", ticket -> loop.execute(() -> outputs.flushedThrough(ticket)));
        outputs = new ClientOutputs(flusher);
        vm.flushDisksWith(this::flushAfterThisIteration);
        if (recordTo == null) {
            vm.startLive(RealInputs.system(), outputs);
        } else {
            log = LogWriter.create(recordTo, new LogHeader(module.hash(), OfflineRun.CPU_ARCH,
                    disks.stream().map(DiskImage::blockCount).toList(), false, 1), RealInputs.WallClock.SYSTEM::nanos);
            vm.startRecording(RealInputs.system(), outputs, log, false);
        }
        vm.deliver(new LogRecord.Init());
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

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public boolean usesEpoll() {
        return ClientService.epoll();
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
        if (clients != null) {
            // Closed explicitly and awaited: the loop's own shutdown does not reliably close them.
            clients.close().awaitUninterruptibly();
        }
        if (flusher != null) {
            flusher.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            if (log != null) {
                log.close();
            }
            for (DiskImage disk : disks) {
                disk.close();
            }
        } catch (IOException e) {
            System.err.println("sitepair: closing the log or disks failed: " + e.getMessage());
        }
    }
}
