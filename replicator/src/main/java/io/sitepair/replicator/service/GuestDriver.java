package io.sitepair.replicator.service;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.HostState;
import io.sitepair.replicator.nic.NicIdentity;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Turns network activity into guest events, on the event loop thread that also runs the guest:
 * a connection, its bytes and its hang-up are delivered as they happen, with no queue and no
 * thread hand-off (the paper's logging path avoids context switches the same way). Timers are
 * scheduled on the same loop for the earliest armed deadline.
 *
 * <p>Because a slow guest holds up the loop's reads, backpressure to clients is natural.
 */
final class GuestDriver {
    /** The guest's connection id, once the VM has accepted the channel. */
    static final AttributeKey<Integer> CONN = AttributeKey.valueOf("sitepair.conn");

    private final GuestVm vm;
    private final EventLoop loop;
    private final ClientOutputs outputs;
    private final LongSupplier clock;
    private final Consumer<Throwable> onHalt;
    private final Runnable afterEvent;
    private ScheduledFuture<?> timerWake;
    private long timerWakeAt = Long.MAX_VALUE;
    private boolean stopped;
    private boolean paused;
    private long busyNanos;
    private long oversizedFrames;
    /** Frames that arrived while paused; at most what the NIC's reader had in flight. */
    private final java.util.ArrayDeque<byte[]> heldFrames = new java.util.ArrayDeque<>();

    GuestDriver(GuestVm vm, EventLoop loop, ClientOutputs outputs, LongSupplier clock, Consumer<Throwable> onHalt,
                Runnable afterEvent) {
        this.vm = vm;
        this.loop = loop;
        this.outputs = outputs;
        this.clock = clock;
        this.onHalt = onHalt;
        this.afterEvent = afterEvent;
    }

    /**
     * Pauses or resumes event delivery. Paused, no client input is read (TCP pushes back on the
     * clients) and no timer fires; bytes already read are still delivered. The caller sets each
     * channel's auto-read; new connections start paused.
     */
    void paused(boolean paused) {
        boolean resumed = this.paused && !paused;
        this.paused = paused;
        if (resumed) {
            List<byte[]> waiting = List.copyOf(heldFrames);
            heldFrames.clear();
            frames(waiting);
            fireDueTimers();
        }
    }

    boolean paused() {
        return paused;
    }

    /** Time spent inside guest handlers since the last call (for throttling delivery). */
    long takeBusyNanos() {
        long busy = busyNanos;
        busyNanos = 0;
        return busy;
    }

    void accepted(Channel channel) {
        if (halted()) {
            channel.close();
            return;
        }
        if (paused) {
            channel.config().setAutoRead(false);
        }
        int conn = vm.hostState().nextConnectionId();
        channel.attr(CONN).set(conn);
        outputs.register(conn, channel);
        deliver(new LogRecord.Opened(conn));
    }

    void received(Channel channel, ByteBuf data) {
        Integer conn = channel.attr(CONN).get();
        if (conn == null || halted() || !vm.hostState().isOpen(conn)) {
            return; // the guest has closed it: late bytes have nowhere to go
        }
        // One data event per receive-buffer-full: the guest sees input in bounded pieces.
        int max = vm.maxDataEvent();
        while (data.isReadable() && !halted() && vm.hostState().isOpen(conn)) {
            byte[] bytes = new byte[Math.min(max, data.readableBytes())];
            data.readBytes(bytes);
            deliver(new LogRecord.Data(conn, bytes));
        }
    }

    void hungUp(Channel channel) {
        Integer conn = channel.attr(CONN).get();
        if (conn == null) {
            return;
        }
        if (!halted() && vm.hostState().isOpen(conn)) {
            deliver(new LogRecord.Closed(conn));
        }
        outputs.forget(conn);
    }

    /**
     * Frames from the virtual NIC, one event each. A frame the guest's receive buffer cannot hold
     * (only a link with a larger MTU than the guest's buffer makes one) is dropped, as a NIC drops
     * an oversized frame.
     *
     * <p>Frames the reader handed over before a pause wait until delivery resumes: a switchover's
     * marker must be the last event, and a frame delivered after it would produce replies that
     * leave (the backup holds their entries) from a VM whose successor never saw them. If the run
     * stops instead, they are dropped, unacknowledged, and the client sends them again.
     */
    void frames(List<byte[]> frames) {
        for (byte[] frame : frames) {
            if (halted()) {
                return;
            }
            if (paused) {
                heldFrames.add(frame);
                continue;
            }
            if (frame.length <= vm.maxDataEvent()) {
                deliver(new LogRecord.Frame(frame));
            } else {
                oversizedFrames++;
            }
        }
    }

    /** The virtual NIC is up where this VM serves: the guest announces itself and prompts its clients. */
    void nicUp(NicIdentity nic) {
        if (!halted()) {
            deliver(new LogRecord.NicUp(nic.mac(), nic.addressBits(), nic.prefixLength(), nic.port()));
        }
    }

    long oversizedFrames() {
        return oversizedFrames;
    }

    /** Delivers every due timer, then sleeps until the next deadline. */
    void fireDueTimers() {
        timerWake = null;
        timerWakeAt = Long.MAX_VALUE;
        if (paused) {
            return; // resuming fires them
        }
        HostState state = vm.hostState();
        for (Optional<Long> due = state.dueTimer(clock.getAsLong()); due.isPresent() && !halted();
             due = state.dueTimer(clock.getAsLong())) {
            deliver(new LogRecord.TimerFired(due.get()));
        }
        scheduleTimerWake();
    }

    private void deliver(LogRecord.Event event) {
        long start = System.nanoTime();
        try {
            vm.deliver(event);
        } catch (RuntimeException e) {
            onHalt.accept(e);
            return;
        } finally {
            busyNanos += System.nanoTime() - start;
        }
        afterEvent.run();
        scheduleTimerWake();
    }

    /** Keeps one wake-up scheduled, for the earliest armed deadline. */
    private void scheduleTimerWake() {
        long next = vm.hostState().nextDeadline();
        if (next >= timerWakeAt || halted() || paused) {
            return;
        }
        if (timerWake != null) {
            timerWake.cancel(false);
        }
        timerWakeAt = next;
        long delay = Math.max(0, next - clock.getAsLong());
        timerWake = loop.schedule(this::fireDueTimers, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * Delivers nothing more: the run's final state has been taken, and the hang-ups that closing
     * the clients causes must not change it (nor enter its recording).
     */
    void stop() {
        stopped = true;
        heldFrames.clear();
        if (timerWake != null) {
            timerWake.cancel(false);
        }
    }

    private boolean halted() {
        return stopped || vm.status() != GuestVm.Status.RUNNING;
    }
}
