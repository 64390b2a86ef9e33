package io.sitepair.replicator.service;

import io.netty.util.AttributeKey;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.HostState;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The VM thread's loop for a VM with real clients: takes network inputs in arrival order, turns
 * them into guest events (assigning connection ids), and fires timers when the clock passes
 * their deadlines. One event at a time, each handler run to completion.
 */
final class VmEventLoop {
    /** The guest's connection id, once the VM has accepted the channel. */
    static final AttributeKey<Integer> CONN = AttributeKey.valueOf("sitepair.conn");

    /** Longest sleep without a timer due, so a stop request is noticed promptly. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final GuestVm vm;
    private final BlockingQueue<ClientInput> inbox;
    private final ClientOutputs outputs;
    private final LongSupplier clock;

    VmEventLoop(GuestVm vm, BlockingQueue<ClientInput> inbox, ClientOutputs outputs, LongSupplier clock) {
        this.vm = vm;
        this.inbox = inbox;
        this.outputs = outputs;
        this.clock = clock;
    }

    /** Runs until a {@link ClientInput.Stop} arrives or the VM halts (then throws its cause). */
    void run() throws InterruptedException {
        HostState state = vm.hostState();
        while (true) {
            long now = clock.getAsLong();
            Optional<Long> due = state.dueTimer(now);
            if (due.isPresent()) {
                vm.deliver(new LogRecord.TimerFired(due.get()));
                continue;
            }
            long wait = Math.min(MAX_WAIT_NANOS, Math.max(0, state.nextDeadline() - now));
            ClientInput input = inbox.poll(wait, TimeUnit.NANOSECONDS);
            if (input instanceof ClientInput.Stop) {
                return;
            }
            if (input != null) {
                handle(input, state);
            }
        }
    }

    private void handle(ClientInput input, HostState state) {
        switch (input) {
            case ClientInput.Accepted a -> {
                int conn = state.nextConnectionId();
                a.channel().attr(CONN).set(conn);
                outputs.register(conn, a.channel());
                vm.deliver(new LogRecord.Opened(conn));
            }
            case ClientInput.Received r -> {
                Integer conn = r.channel().attr(CONN).get();
                if (conn != null && state.isOpen(conn)) {
                    deliverData(conn, r.bytes());
                } // else the guest has closed it: late bytes have nowhere to go
                ClientService.delivered(r.channel(), r.bytes().length);
            }
            case ClientInput.HungUp h -> {
                Integer conn = h.channel().attr(CONN).get();
                if (conn != null && state.isOpen(conn)) {
                    vm.deliver(new LogRecord.Closed(conn));
                }
                if (conn != null) {
                    outputs.forget(conn);
                }
            }
            case ClientInput.Stop s -> throw new IllegalStateException("handled by run()");
        }
    }

    /** One data event per receive-buffer-full: the guest sees input in bounded pieces. */
    private void deliverData(int conn, byte[] bytes) {
        int max = vm.maxDataEvent();
        if (bytes.length <= max) {
            vm.deliver(new LogRecord.Data(conn, bytes));
            return;
        }
        for (int from = 0; from < bytes.length; from += max) {
            vm.deliver(new LogRecord.Data(conn, Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + max))));
        }
    }
}
