package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogFormatException;
import io.sitepair.replicator.log.LogHeader;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogRecord.Event;
import io.sitepair.replicator.log.LogSource;
import io.sitepair.replicator.log.LogTruncatedException;
import java.util.HexFormat;
import java.util.List;

/**
 * Drives a REPLAY VM from a log: takes each event entry and delivers it; the handler then takes
 * its own host-call entries from the same source. Replay stops at the end of the log, or halts at
 * the first divergence, corrupt entry or fault.
 */
public final class Replayer {
    /** Called between events, e.g. to take a snapshot; return false to stop replaying. */
    @FunctionalInterface
    public interface Checkpoint {
        boolean afterEvent(GuestVm vm) throws Exception;
    }

    /**
     * How a replay ended. {@code truncation} is set when the log's tail was torn; {@code endedBy}
     * when the primary's log ended with a control marker (a clean power-off or a switchover).
     */
    public record Result(long lastPosition, long events, LogTruncatedException truncation,
                         LogRecord.Control.Operation endedBy) {
        public boolean poweredOff() {
            return endedBy == LogRecord.Control.Operation.POWER_OFF;
        }

        public boolean switchover() {
            return endedBy == LogRecord.Control.Operation.SWITCHOVER;
        }
    }

    /** Told what each disk check found: the blocks of the check that differ here. */
    @FunctionalInterface
    public interface DiskCheckListener {
        void checked(long position, LogRecord.DiskCheck check, long[] differing);
    }

    private final GuestVm vm;
    private final LogSource log;
    private DiskCheckListener diskChecks = (position, check, differing) -> {};
    private Runnable stateCheckPassed = () -> {};

    public Replayer(GuestVm vm, LogSource log) {
        this.vm = vm;
        this.log = log;
        vm.startReplay(log);
    }

    /** Where the results of the primary's disk checks (online verify) go. */
    public Replayer onDiskCheck(DiskCheckListener listener) {
        this.diskChecks = listener;
        return this;
    }

    /** Told of each state check the VM passes (a failed one throws). */
    public Replayer onStateCheckPassed(Runnable listener) {
        this.stateCheckPassed = listener;
        return this;
    }

    /** Refuses a log that was not recorded from this guest on this kind of machine. */
    public static void checkOrigin(LogHeader header, GuestModule module, String arch) {
        if (!java.util.Arrays.equals(header.guestHash(), module.hash())) {
            throw new IllegalArgumentException("the log was recorded from guest module " + header.guestHashHex()
                    + ", but " + module.name() + " is " + module.hashHex());
        }
        if (!header.cpuArch().equals(arch)) {
            throw new IllegalArgumentException("the log was recorded on CPU architecture " + header.cpuArch()
                    + ", this machine is " + arch + " (floating-point NaN bits would differ)");
        }
    }

    /** Refuses local disks whose geometry differs from the primary's. */
    public static void checkDisks(LogHeader header, List<Long> diskBlocks) {
        if (!header.diskBlocks().equals(diskBlocks)) {
            throw new IllegalArgumentException("the log's disks have " + header.diskBlocks()
                    + " blocks, the local disks " + diskBlocks);
        }
    }

    /**
     * Reads and verifies entries up to the VM's start position (a restored snapshot's), without
     * delivering them; the next entry must then be an event.
     */
    public void skipToStart() throws LogFormatException {
        long start = vm.startPosition();
        while (log.lastPosition() < start) {
            if (log.next() == null) {
                throw new LogFormatException("the log ends at position " + log.lastPosition()
                        + ", before the snapshot's position " + start);
            }
        }
    }

    /** Replays until the end of the log or until {@code checkpoint} says stop. */
    public Result run(Checkpoint checkpoint) throws Exception {
        while (true) {
            LogEntry entry;
            try {
                entry = log.next();
            } catch (LogTruncatedException e) {
                return new Result(log.lastPosition(), vm.eventsDelivered(), e, null);
            } catch (LogFormatException e) {
                throw new LogUnreadable(e);
            }
            if (entry == null) {
                return new Result(log.lastPosition(), vm.eventsDelivered(), null, null);
            }
            if (entry.record() instanceof LogRecord.Control control) {
                return new Result(log.lastPosition(), vm.eventsDelivered(), null, control.operation());
            }
            if (entry.record() instanceof LogRecord.BlockRepair repair) {
                if (repair.disk() >= vm.disks().size() || !vm.disks().get(repair.disk()).inRange(repair.first(), repair.blocks())) {
                    throw new ReplayDivergence(entry.position(), "a block repair names blocks this site's disks do not have: "
                            + repair.describe());
                }
                vm.disks().get(repair.disk()).write(repair.first(), repair.blocks(), repair.data(), 0);
                if (checkpoint != null && !checkpoint.afterEvent(vm)) {
                    return new Result(log.lastPosition(), vm.eventsDelivered(), null, null);
                }
                continue;
            }
            if (entry.record() instanceof LogRecord.DiskCheck check) {
                diskChecks.checked(entry.position(), check, differing(check));
                if (checkpoint != null && !checkpoint.afterEvent(vm)) {
                    return new Result(log.lastPosition(), vm.eventsDelivered(), null, null);
                }
                continue;
            }
            if (entry.record() instanceof LogRecord.StateCheck check) {
                checkState(entry, check);
                stateCheckPassed.run();
                // Still between events: progress includes the marker (a backup reports it).
                if (checkpoint != null && !checkpoint.afterEvent(vm)) {
                    return new Result(log.lastPosition(), vm.eventsDelivered(), null, null);
                }
                continue;
            }
            if (!(entry.record() instanceof Event event)) {
                throw new ReplayDivergence(entry.position(), "the guest's handler returned where the primary's went on to "
                        + entry.record().describe());
            }
            vm.deliver(event);
            if (checkpoint != null && !checkpoint.afterEvent(vm)) {
                return new Result(log.lastPosition(), vm.eventsDelivered(), null, null);
            }
        }
    }

    /**
     * The blocks of a disk check whose CRC32C here differs from the primary's: a difference the
     * disk-read checksums have not met yet (a block not read since), reported, not fatal.
     */
    private long[] differing(LogRecord.DiskCheck check) {
        var disks = vm.disks();
        if (check.disk() >= disks.size()) {
            return new long[] {check.first()};
        }
        var disk = disks.get(check.disk());
        int count = (int) Math.max(0, Math.min(check.blocks(), disk.blockCount() - check.first()));
        int[] mine = count == 0 ? new int[0] : disk.blockChecksums(check.first(), count);
        java.util.List<Long> differ = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (mine[i] != check.crc(i)) {
                differ.add(check.first() + i);
            }
        }
        return differ.stream().mapToLong(Long::longValue).toArray();
    }

    /** The VM's state must hash to what the primary logged at this point. */
    private void checkState(LogEntry entry, LogRecord.StateCheck check) {
        byte[] mine = vm.vmStateHash();
        if (!java.util.Arrays.equals(mine, check.hash())) {
            throw vm.diverged(new ReplayDivergence(entry.position(), "the VM state differs from the primary's"
                    + " (primary " + HexFormat.of().formatHex(check.hash(), 0, 8) + "..., here "
                    + HexFormat.of().formatHex(mine, 0, 8) + "...); the first differing output or disk read"
                    + " went unnoticed before this check"));
        }
    }
}
