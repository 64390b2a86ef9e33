package io.sitepair.replicator.vm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogRecord.Event;
import io.sitepair.replicator.log.LogSource;
import io.sitepair.replicator.log.LogAppender;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * One guest VM: a Chicory instance plus its host side, run in the reactor model. The host
 * delivers one {@link Event} at a time; between events the guest's stack is empty, which is when
 * the VM can be snapshotted, hashed or switched between modes.
 *
 * <p>Any trap, ABI violation, replay divergence or host failure halts the VM for good: it never
 * continues after a fault, in any mode. Not thread-safe; all calls run on a {@link VmThread}.
 */
public final class GuestVm {
    public enum Status { RUNNING, HALTED }

    private final GuestModule module;
    private final Instance instance;
    private final VmHost host;
    private final ExportFunction onInit, onOpen, onData, onClosed, onTimer, onFrame, onNicUp;
    private final int rxBuffer;
    private final int rxCapacity;
    private long eventsDelivered;
    private long startPosition;
    private VmException haltCause;

    private GuestVm(GuestModule module, VmOptions options, List<DiskImage> disks, boolean runInitialize) {
        this.module = module;
        if (options.nic() && !module.nicCapable()) {
            throw new GuestLoadException(module.name() + ": has no TCP/IP stack (exports no " + GuestAbi.ON_FRAME
                    + "), so it cannot run in network mode nic: build it with the SDK's stack, or use network mode socket");
        }
        this.host = new VmHost(disks, options.console(), options.nic());
        host.stampWritesWith(options.writeStamps());
        WasmModule wasm = module.parse();
        Instance.Builder builder = Instance.builder(wasm)
                .withImportValues(ImportValues.builder()
                        .withFunctions(HostImports.bind(host, module.wasiImports())).build())
                .withMemoryLimits(memoryLimits(module, options));
        if (options.engine() == VmOptions.Engine.COMPILED) {
            builder.withMachineFactory(MachineFactoryCompiler.builder(wasm)
                    .withInterpreterFallback(InterpreterFallback.FAIL).compile());
        }
        try {
            this.instance = builder.build();
        } catch (ChicoryException e) {
            throw new GuestLoadException(module.name() + ": cannot be instantiated: " + e.getMessage());
        }
        host.attach(instance.memory());
        this.onInit = instance.export(GuestAbi.ON_INIT);
        this.onOpen = instance.export(GuestAbi.ON_OPEN);
        this.onData = instance.export(GuestAbi.ON_DATA);
        this.onClosed = instance.export(GuestAbi.ON_CLOSED);
        this.onTimer = instance.export(GuestAbi.ON_TIMER);
        this.onFrame = options.nic() ? instance.export(GuestAbi.ON_FRAME) : null;
        this.onNicUp = options.nic() ? instance.export(GuestAbi.ON_NIC_UP) : null;
        this.rxBuffer = (int) instance.export(GuestAbi.EXPORT_RX_BUFFER).apply()[0];
        this.rxCapacity = (int) instance.export(GuestAbi.EXPORT_RX_CAPACITY).apply()[0];
        long memoryBytes = (long) instance.memory().pages() * Memory.PAGE_SIZE;
        if (rxCapacity < 1 || rxCapacity > GuestAbi.MAX_TRANSFER || rxBuffer < 0
                || (long) rxBuffer + rxCapacity > memoryBytes) {
            throw new GuestLoadException(module.name() + ": receive buffer [" + rxBuffer + ", +" + rxCapacity
                    + ") is not inside its " + memoryBytes + " bytes of memory or exceeds " + GuestAbi.MAX_TRANSFER);
        }
        if (runInitialize && module.hasReactorInitializer()) {
            // Not a handler: host calls made from here are refused (they would go unlogged).
            try {
                instance.export(GuestAbi.EXPORT_INITIALIZE).apply();
            } catch (Throwable t) {
                throw classify(t, GuestAbi.EXPORT_INITIALIZE, "module start-up");
            }
        }
    }

    /** A freshly booted VM (the init event is still to be delivered). */
    public static GuestVm create(GuestModule module, VmOptions options, List<DiskImage> disks) {
        VmThread.requireCurrent();
        return new GuestVm(module, options, disks, true);
    }

    /** A VM for restoring a snapshot into: instantiated, not initialized. */
    static GuestVm forRestore(GuestModule module, VmOptions options, List<DiskImage> disks) {
        VmThread.requireCurrent();
        return new GuestVm(module, options, disks, false);
    }

    private static MemoryLimits memoryLimits(GuestModule module, VmOptions options) {
        MemoryLimits declared = module.declaredMemory();
        int hostPages = (int) Math.min(MemoryLimits.MAX_PAGES, options.maxMemoryBytes() / Memory.PAGE_SIZE);
        if (declared.initialPages() > hostPages) {
            throw new GuestLoadException(module.name() + ": needs " + declared.initialPages() * (long) Memory.PAGE_SIZE
                    + " bytes of memory at start, above the host cap of " + options.maxMemoryBytes());
        }
        return new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), hostPages));
    }

    // ---- modes ----

    public void startLive(RealInputs inputs, OutputSink outputs) {
        host.switchMode(new LiveMode(inputs, outputs));
    }

    /** RECORD: every event and input is appended to {@code log}; outputs carry their positions. */
    public void startRecording(RealInputs inputs, OutputSink outputs, LogAppender log, boolean loggedReads) {
        host.switchMode(new RecordingMode(inputs, outputs, log, loggedReads));
    }

    /** REPLAY: inputs come from {@code log}; the caller delivers the log's events (see {@link Replayer}). */
    public void startReplay(LogSource log) {
        host.switchMode(new ReplayingMode(log, host));
    }

    /**
     * Arms go-live: when replay reaches the end of the log, even inside a handler, the VM continues
     * LIVE with these inputs and outputs instead of halting.
     */
    public void goLiveAtEndOfLog(RealInputs inputs, OutputSink outputs) {
        if (!(host.mode() instanceof ReplayingMode replay)) {
            throw new IllegalStateException("go-live applies to a replaying VM; this one is " + mode());
        }
        replay.goLiveAtEndOfLog(() -> new LiveMode(inputs, outputs));
    }

    /**
     * Arms going live with a log: when replay reaches the end of its log, even inside a handler,
     * the VM continues in RECORD with {@code log} continuing the replayed positions, so this site
     * can later be protected by a backup of its own.
     */
    public void recordAtEndOfLog(RealInputs inputs, OutputSink outputs, LogAppender log, boolean loggedReads) {
        if (!(host.mode() instanceof ReplayingMode replay)) {
            throw new IllegalStateException("go-live applies to a replaying VM; this one is " + mode());
        }
        replay.goLiveAtEndOfLog(() -> {
            log.continueAfter(host.mode().position());
            return new RecordingMode(inputs, outputs, log, loggedReads);
        });
    }

    /** Switches a replaying VM to RECORD between events, {@code log} continuing the replayed positions. */
    public void recordNow(RealInputs inputs, OutputSink outputs, LogAppender log, boolean loggedReads) {
        if (host.mode().kind() != VmMode.REPLAY) {
            throw new IllegalStateException("go-live applies to a replaying VM; this one is " + mode());
        }
        log.continueAfter(position());
        startRecording(inputs, outputs, log, loggedReads);
    }

    /** Tells {@code tracker} of every block the guest writes from now on (replacing any earlier one). */
    public void trackWrites(io.sitepair.disk.WriteTracker tracker) {
        host.trackWritesWith(tracker);
    }

    /** Switches a replaying VM to LIVE between events (the log ended at an event boundary). */
    public void goLiveNow(RealInputs inputs, OutputSink outputs) {
        if (host.mode().kind() != VmMode.REPLAY) {
            throw new IllegalStateException("go-live applies to a replaying VM; this one is " + mode());
        }
        startLive(inputs, outputs);
    }

    /**
     * Replaces the synchronous disk flush, e.g. with a {@link io.sitepair.disk.GroupFlusher}
     * request. The caller then owns the promise a synchronous flush kept: no output produced
     * after a flush may leave before that flush is durable.
     */
    public void flushDisksWith(Consumer<DiskImage> flusher) {
        host.flushWith(flusher);
    }

    public VmMode mode() {
        return host.mode() == null ? null : host.mode().kind();
    }

    // ---- events ----

    /** The largest data event the guest accepts; bigger inputs must be split. */
    public int maxDataEvent() {
        return rxCapacity;
    }

    /** Delivers one event to the guest and runs its handler to completion. */
    public void deliver(Event event) {
        VmThread.requireCurrent();
        if (haltCause != null) {
            throw new IllegalStateException("the VM has halted: " + haltCause.getMessage(), haltCause);
        }
        if (host.mode() == null) {
            throw new IllegalStateException("no mode: call startLive, startRecording or startReplay first");
        }
        HostState state = host.state();
        String problem = refusal(event, state);
        if (problem != null) {
            if (host.mode().kind() == VmMode.REPLAY) {
                throw halt(new ReplayDivergence(position(), problem));
            }
            throw new IllegalArgumentException(problem);
        }
        host.mode().beforeEvent(event);
        switch (event) {
            case LogRecord.Init i -> {
                state.markBooted();
                call(onInit, GuestAbi.ON_INIT, event);
            }
            case LogRecord.Opened o -> {
                state.open(o.conn());
                call(onOpen, GuestAbi.ON_OPEN, event, o.conn());
            }
            case LogRecord.Data d -> {
                instance.memory().write(rxBuffer, d.bytes());
                call(onData, GuestAbi.ON_DATA, event, d.conn(), d.bytes().length);
            }
            case LogRecord.Closed c -> {
                state.remove(c.conn());
                call(onClosed, GuestAbi.ON_CLOSED, event, c.conn());
            }
            case LogRecord.TimerFired t -> {
                state.cancelTimer(t.timer());
                call(onTimer, GuestAbi.ON_TIMER, event, t.timer());
            }
            case LogRecord.Frame f -> {
                instance.memory().write(rxBuffer, f.bytes());
                call(onFrame, GuestAbi.ON_FRAME, event, f.bytes().length);
            }
            case LogRecord.NicUp n -> call(onNicUp, GuestAbi.ON_NIC_UP, event, n.mac(), n.address() & 0xFFFF_FFFFL,
                    n.prefixLength(), n.port());
        }
        eventsDelivered++;
    }

    /** Why the event cannot be delivered in the current host state, or null if it can. */
    private String refusal(Event event, HostState state) {
        if (!state.booted() && !(event instanceof LogRecord.Init)) {
            return event.describe() + " before the init event";
        }
        return switch (event) {
            case LogRecord.Init i -> state.booted() ? "a second init event" : null;
            case LogRecord.Opened o -> o.conn() == state.nextConnectionId() ? null
                    : "connection id " + o.conn() + " where " + state.nextConnectionId() + " is next";
            case LogRecord.Data d -> !state.isOpen(d.conn()) ? "data for connection " + d.conn() + ", which is not open"
                    : d.bytes().length == 0 || d.bytes().length > rxCapacity
                            ? "data event of " + d.bytes().length + " bytes (allowed 1.." + rxCapacity + ")" : null;
            case LogRecord.Closed c -> state.isOpen(c.conn()) ? null : "close of connection " + c.conn() + ", which is not open";
            case LogRecord.TimerFired t -> state.isArmed(t.timer()) ? null : "timer " + t.timer() + " fired but is not armed";
            case LogRecord.Frame f -> onFrame == null ? "a frame for a VM without a NIC (network mode socket)"
                    : f.bytes().length == 0 || f.bytes().length > rxCapacity
                            ? "frame of " + f.bytes().length + " bytes (allowed 1.." + rxCapacity + ")" : null;
            case LogRecord.NicUp n -> onNicUp == null ? "nic-up for a VM without a NIC (network mode socket)" : null;
        };
    }

    private void call(ExportFunction handler, String name, Object context, long... args) {
        host.enterHandler();
        try {
            handler.apply(args);
        } catch (Throwable t) {
            throw halt(classify(t, name, context));
        } finally {
            host.leaveHandler();
        }
    }

    /** Our own exceptions pass through (Chicory may wrap them); anything else is the guest's fault. */
    private VmException classify(Throwable t, String handler, Object context) {
        String what = context instanceof Event e ? e.describe() : String.valueOf(context);
        String where = handler + " (" + what + ", log position " + position() + ")";
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof GuestFault abiViolation) {
                return new GuestFault("guest fault in " + where + ": " + abiViolation.getMessage(), abiViolation);
            }
            if (c instanceof VmException own) {
                return own;
            }
            if (c instanceof UncheckedIOException io) {
                return new VmException("host I/O failed in " + handler + ": " + io.getMessage()
                        + (io.getCause() != null ? ": " + io.getCause().getMessage() : ""), io);
            }
        }
        String why = t instanceof StackOverflowError ? "call stack exhausted" : String.valueOf(t.getMessage());
        return new GuestFault("guest trapped in " + where + ": " + t.getClass().getSimpleName() + ": " + why, t);
    }

    private VmException halt(VmException cause) {
        if (haltCause == null) {
            haltCause = cause;
        }
        return cause;
    }

    // ---- observation ----

    /**
     * Whether no handler is running: the VM is between two events, where its state may be
     * captured. A replaying handler waiting for its next log entry is inside one.
     */
    public boolean betweenEvents() {
        return !host.inHandler();
    }

    public Status status() {
        return haltCause == null ? Status.RUNNING : Status.HALTED;
    }

    /** Why the VM halted, or null. */
    public VmException haltCause() {
        return haltCause;
    }

    /** Position of the last log entry produced or consumed. */
    public long position() {
        return host.mode() == null ? 0 : host.mode().position();
    }

    public long eventsDelivered() {
        return eventsDelivered;
    }

    public HostState hostState() {
        return host.state();
    }

    public GuestModule module() {
        return module;
    }

    public List<DiskImage> disks() {
        return host.disks();
    }

    Instance instance() {
        return instance;
    }

    /**
     * The guest stack's counters (network mode nic), in the order of {@code enum sp_net_stat} in
     * sitepair.h (see {@link io.sitepair.replicator.nic.NicCounter}); empty without a NIC. Read
     * between events: the array the guest's {@code sp_net_stats} export points at.
     */
    public long[] nicCounters() {
        VmThread.requireCurrent();
        if (onFrame == null) {
            return new long[0];
        }
        int address = (int) instance.export(GuestAbi.EXPORT_NET_STATS).apply()[0];
        int count = (int) instance.export(GuestAbi.EXPORT_NET_STATS_COUNT).apply()[0];
        long memoryBytes = (long) instance.memory().pages() * Memory.PAGE_SIZE;
        if (address < 0 || count < 0 || (long) address + 8L * count > memoryBytes) {
            throw new GuestFault(module.name() + ": " + GuestAbi.EXPORT_NET_STATS + " points at " + count
                    + " counters at " + address + ", outside its " + memoryBytes + " bytes of memory");
        }
        long[] counters = new long[count];
        for (int i = 0; i < count; i++) {
            counters[i] = instance.memory().readLong(address + 8 * i);
        }
        return counters;
    }

    void restoreCounters(long events) {
        this.eventsDelivered = events;
    }

    void restoredAt(long position) {
        this.startPosition = position;
    }

    /** The log position this VM's state began at: 0 for a fresh boot, the snapshot's for a restore. */
    public long startPosition() {
        return startPosition;
    }

    /**
     * SHA-256 over memory, globals, tables and host state, without the disks: cheap enough for
     * the primary to log periodically for the backup to compare (disk differences show up in the
     * disk-read checksums).
     */
    public byte[] vmStateHash() {
        return VmStateCodec.hashVm(this);
    }

    /** Halts the VM for a divergence found outside a handler (a failed state check). */
    ReplayDivergence diverged(ReplayDivergence divergence) {
        halt(divergence);
        return divergence;
    }

    /** SHA-256 over memory, globals, tables, host state and every disk's contents. */
    public byte[] stateHash() {
        return VmStateCodec.hash(this);
    }
}
