package io.sitepair.replicator.nic;

import io.sitepair.disk.DiskImage;
import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.vm.GuestAbi;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.OutputSink;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.replicator.vm.VmOptions;
import io.sitepair.replicator.vm.VmThread;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * A shipped guest booted LIVE in network mode nic and driven event by event: frames in, the
 * frames it sends collected, a test clock that only moves when told, timers fired when due.
 */
public final class NicGuest implements AutoCloseable {
    public static final long START_NANOS = 1_700_000_000_000L * 1_000_000L;
    public static final NicIdentity IDENTITY = identity();
    public static final Station STATION = Station.of(IDENTITY);

    private final DiskImage disk;
    private final GuestVm vm;
    private final List<byte[]> sent = new ArrayList<>();
    private long clock = START_NANOS;

    private NicGuest(String guest, Path image) throws Exception {
        GuestModule module = GuestModule.of(guest, ShippedGuest.load(guest));
        this.disk = DiskImage.openOrCreate(image, 8L << 20);
        RealInputs inputs = new RealInputs(() -> clock, new SplittableRandom(1));
        this.vm = onVm(() -> {
            GuestVm v = GuestVm.create(module, VmOptions.defaults().withConsole((m, l) -> {}).withNic(true), List.of(disk));
            v.startLive(inputs, new OutputSink() {
                @Override
                public void send(long position, int conn, byte[] data) {
                    if (conn != GuestAbi.NIC_CONN) {
                        throw new AssertionError("a nic-mode guest sent on host connection " + conn);
                    }
                    sent.add(data);
                }

                @Override
                public void close(long position, int conn) {
                    throw new AssertionError("a nic-mode guest closed host connection " + conn);
                }
            });
            v.deliver(new LogRecord.Init());
            return v;
        });
    }

    /** Whether the shipped {@code guest} carries the TCP/IP stack (until it does, nic tests are skipped). */
    public static boolean nicCapable(String guest) {
        return GuestModule.of(guest, ShippedGuest.load(guest)).nicCapable();
    }

    /** Boots {@code guest} and brings its NIC up. */
    public static NicGuest boot(String guest, Path image) throws Exception {
        NicGuest nic = new NicGuest(guest, image);
        nic.nicUp();
        return nic;
    }

    private static NicIdentity identity() {
        try {
            return new NicIdentity(0x02_00_5e_10_00_0aL,
                    (java.net.Inet4Address) java.net.InetAddress.getByAddress(new byte[] {10, 20, 0, 10}), 24, 6379);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static <T> T onVm(Callable<T> body) throws Exception {
        return Thread.currentThread() instanceof VmThread ? body.call() : VmThread.call("nic-test", body);
    }

    public void nicUp() throws Exception {
        deliver(new LogRecord.NicUp(IDENTITY.mac(), IDENTITY.addressBits(), IDENTITY.prefixLength(), IDENTITY.port()));
    }

    /** Delivers frames, one event each. */
    public void frames(List<byte[]> frames) throws Exception {
        onVm(() -> {
            for (byte[] frame : frames) {
                vm.deliver(new LogRecord.Frame(frame));
            }
            return null;
        });
    }

    private void deliver(LogRecord.Event event) throws Exception {
        onVm(() -> {
            vm.deliver(event);
            return null;
        });
    }

    /** The frames the guest sent since the last call. */
    public List<byte[]> takeSent() {
        List<byte[]> frames = List.copyOf(sent);
        sent.clear();
        return frames;
    }

    public long now() {
        return clock;
    }

    /** Moves the clock on and fires every timer that came due. */
    public void advanceMillis(long ms) throws Exception {
        clock += ms * 1_000_000L;
        onVm(() -> {
            for (Optional<Long> t; (t = vm.hostState().dueTimer(clock)).isPresent(); ) {
                vm.deliver(new LogRecord.TimerFired(t.get()));
            }
            return null;
        });
    }

    public long[] counters() throws Exception {
        return onVm(vm::nicCounters);
    }

    public long counter(NicCounter counter) throws Exception {
        return counter.in(counters());
    }

    public GuestVm vm() {
        return vm;
    }

    @Override
    public void close() throws Exception {
        disk.close();
    }
}
