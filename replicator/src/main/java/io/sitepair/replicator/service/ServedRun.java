package io.sitepair.replicator.service;

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
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A guest serving real clients on this machine with no peer site: LIVE, or RECORD to a log file.
 * (The protected primary builds on the same pieces and adds the backup's acknowledgements.)
 *
 * <p>Disk flushes are group-committed by a {@link GroupFlusher}; the {@link OutputGate} holds each
 * reply until the flushes before it are durable, so an acknowledged write is on disk.
 */
public final class ServedRun {
    /** What the run reached when it stopped. */
    public record Result(long events, long lastPosition, byte[] stateHash, long outputs, long outputBytes,
                         GroupFlusher.Stats flushes) {}

    private final LinkedBlockingQueue<ClientInput> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    private final CompletableFuture<Result> finished = new CompletableFuture<>();
    private final Thread vmThread;
    private volatile boolean epoll;

    private ServedRun(GuestModule module, VmOptions options, List<Path> diskPaths, long newDiskSize,
                      InetSocketAddress listen, Path recordTo) {
        this.vmThread = new Thread(() -> {
            try {
                finished.complete(VmThread.call("sitepair-vm",
                        () -> serve(module, options, diskPaths, newDiskSize, listen, recordTo)));
            } catch (Throwable t) {
                bound.completeExceptionally(t);
                finished.completeExceptionally(t);
            }
        }, "sitepair-served-run");
    }

    /** Boots the guest, binds {@code listen} and returns once clients can connect. */
    public static ServedRun start(GuestModule module, VmOptions options, List<Path> diskPaths, long newDiskSize,
                                  InetSocketAddress listen, Path recordTo) throws Exception {
        ServedRun run = new ServedRun(module, options, diskPaths, newDiskSize, listen, recordTo);
        run.vmThread.start();
        try {
            run.bound.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
        return run;
    }

    public InetSocketAddress address() {
        return bound.join();
    }

    public boolean usesEpoll() {
        return epoll;
    }

    /** Stops serving (closing client connections) and returns the final state. */
    public Result stop() throws Exception {
        inbox.add(new ClientInput.Stop());
        return await();
    }

    /** Waits until the run ends: by {@link #stop()}, or because the VM halted (then throws why). */
    public Result await() throws Exception {
        try {
            return finished.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    private Result serve(GuestModule module, VmOptions options, List<Path> diskPaths, long newDiskSize,
                         InetSocketAddress listen, Path recordTo) throws Exception {
        List<DiskImage> disks = new ArrayList<>();
        LogWriter log = null;
        ClientService service = null;
        ClientOutputs outputs = null;
        GroupFlusher flusher = null;
        try {
            for (Path path : diskPaths) {
                disks.add(DiskImage.openOrCreate(path, newDiskSize));
            }
            GuestVm vm = GuestVm.create(module, options, disks);
            ClientOutputs[] sinkRef = new ClientOutputs[1];
            flusher = new GroupFlusher("sitepair-flush", ticket -> sinkRef[0].flushedThrough(ticket));
            outputs = sinkRef[0] = new ClientOutputs(flusher);
            GroupFlusher requests = flusher;
            vm.flushDisksWith(requests::request);
            if (recordTo == null) {
                vm.startLive(RealInputs.system(), outputs);
            } else {
                log = LogWriter.create(recordTo, new LogHeader(module.hash(), OfflineRun.CPU_ARCH,
                        disks.stream().map(DiskImage::blockCount).toList(), false, 1), RealInputs.WallClock.SYSTEM::nanos);
                vm.startRecording(RealInputs.system(), outputs, log, false);
            }
            vm.deliver(new LogRecord.Init());
            service = ClientService.start(listen, inbox);
            epoll = service.usesEpoll();
            bound.complete(service.address());

            new VmEventLoop(vm, inbox, outputs, RealInputs.WallClock.SYSTEM::nanos).run();
            flusher.close();
            return new Result(vm.eventsDelivered(), vm.position(), vm.stateHash(), outputs.outputs.get(),
                    outputs.bytes.get(), flusher.stats());
        } finally {
            if (service != null) {
                service.close();
            }
            if (flusher != null) {
                flusher.close();
            }
            if (log != null) {
                log.close();
            }
            for (DiskImage disk : disks) {
                disk.close();
            }
        }
    }

    private static Exception unwrap(ExecutionException e) {
        return e.getCause() instanceof Exception cause ? cause : e;
    }
}
