package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogRecord;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Generates a seeded stream of network events for a guest with no real clients: connections
 * open and close, data of varied sizes arrives, and armed timers fire when the clock passes their
 * deadline. In network mode nic ({@link #nic}) the events are Ethernet frames from synthetic TCP
 * clients that answer what the guest sends them, plus some junk. Used by the stress runs, tests
 * and benchmarks; the seed fixes the workload, while the clock and the guest's own random bytes
 * stay real (they are what recording captures).
 */
public final class SyntheticDriver {
    private static final int MAX_CONNECTIONS = 48;

    private final GuestVm vm;
    private final SplittableRandom random;
    private final LongSupplier clock;
    private final SyntheticClients nic;
    private boolean nicUp;

    public SyntheticDriver(GuestVm vm, long seed, LongSupplier clock) {
        this(vm, seed, clock, null);
    }

    private SyntheticDriver(GuestVm vm, long seed, LongSupplier clock, SyntheticClients nic) {
        this.vm = vm;
        this.random = new SplittableRandom(seed);
        this.clock = clock;
        this.nic = nic;
    }

    /**
     * Network mode nic: frames from synthetic TCP clients. The guest's outputs must pass through
     * {@link #observing} so that the clients see what it sends them.
     */
    public static SyntheticDriver nic(GuestVm vm, long seed, LongSupplier clock) {
        return new SyntheticDriver(vm, seed, clock, new SyntheticClients(seed, clock));
    }

    /** {@code sink}, and in network mode nic the clients too, told of every output. */
    public OutputSink observing(OutputSink sink) {
        if (nic == null) {
            return sink;
        }
        return new OutputSink() {
            @Override
            public void send(long position, int conn, byte[] data) {
                sink.send(position, conn, data);
                if (conn == GuestAbi.NIC_CONN) {
                    nic.fromGuest(data);
                }
            }

            @Override
            public void close(long position, int conn) {
                sink.close(position, conn);
            }
        };
    }

    /** Delivers the init event if needed, then events until {@code total} have been delivered. */
    public void run(long total, Replayer.Checkpoint checkpoint) throws Exception {
        if (!vm.hostState().booted()) {
            vm.deliver(new LogRecord.Init());
            if (checkpoint != null && !checkpoint.afterEvent(vm)) {
                return;
            }
        }
        while (vm.eventsDelivered() < total) {
            vm.deliver(nextEvent());
            if (checkpoint != null && !checkpoint.afterEvent(vm)) {
                return;
            }
        }
    }

    LogRecord.Event nextEvent() {
        HostState state = vm.hostState();
        Optional<Long> due = state.dueTimer(clock.getAsLong());
        if (due.isPresent()) {
            return new LogRecord.TimerFired(due.get());
        }
        if (nic != null) {
            if (!nicUp) {
                nicUp = true;
                return nic.nicUp();
            }
            return new LogRecord.Frame(nic.nextFrame());
        }
        int open = state.openConnections();
        int roll = random.nextInt(100);
        if (open == 0 || (roll < 6 && open < MAX_CONNECTIONS)) {
            return new LogRecord.Opened(state.nextConnectionId());
        }
        int conn = pick(state, random.nextInt(open));
        if (roll < 10) {
            return new LogRecord.Closed(conn);
        }
        return new LogRecord.Data(conn, payload());
    }

    private byte[] payload() {
        int size = random.nextInt(100) < 95 ? 1 + random.nextInt(256) : 1 + random.nextInt(Math.min(16 << 10, vm.maxDataEvent()));
        byte[] data = new byte[size];
        random.nextBytes(data);
        // '!' asks the stress guest to hang up: about one data event in a hundred.
        data[0] = random.nextInt(100) == 0 ? (byte) '!' : (byte) ('a' + (data[0] & 15));
        return data;
    }

    private static int pick(HostState state, int index) {
        for (int conn : state.connections()) {
            if (index-- == 0) {
                return conn;
            }
        }
        throw new IllegalStateException("no open connection " + index);
    }
}
