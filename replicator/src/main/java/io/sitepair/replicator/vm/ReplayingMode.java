package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogFormatException;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogRecord.Event;
import io.sitepair.replicator.log.LogSource;
import io.sitepair.replicator.log.LogTruncatedException;
import java.util.function.Supplier;

/**
 * Inputs from the log. Every host call must find the entry the primary logged for it, of the same
 * kind and with the same arguments; outputs are compared by length and CRC32C and suppressed.
 *
 * <p>If a successor mode is set (going live), the end of the log ends replay wherever it falls,
 * even in the middle of a handler: the host switches to the successor and the call that found no
 * entry is served live. Without a successor, the end of the log in a handler halts the VM.
 */
final class ReplayingMode implements ExecutionMode {
    private final LogSource log;
    private final VmHost host;
    private volatile Supplier<ExecutionMode> successor;

    ReplayingMode(LogSource log, VmHost host) {
        this.log = log;
        this.host = host;
    }

    /** From now on, the end of the log hands the VM to {@code next} instead of halting it. */
    void goLiveAtEndOfLog(Supplier<ExecutionMode> next) {
        this.successor = next;
    }

    @Override
    public VmMode kind() {
        return VmMode.REPLAY;
    }

    @Override
    public void beforeEvent(Event event) {
        // The replay driver has already consumed the event's entry.
    }

    @Override
    public long clock() {
        LogEntry entry = next("clock_now");
        if (entry == null) {
            return host.mode().clock();
        }
        return expect(entry, LogRecord.Clock.class, "clock_now").nanos();
    }

    @Override
    public void random(byte[] into) {
        LogEntry entry = next("random");
        if (entry == null) {
            host.mode().random(into);
            return;
        }
        byte[] logged = expect(entry, LogRecord.Random.class, "random").bytes();
        if (logged.length != into.length) {
            throw diverged(entry, "random(" + into.length + ")");
        }
        System.arraycopy(logged, 0, into, 0, logged.length);
    }

    @Override
    public byte[] diskRead(int disk, long block, int count, Supplier<byte[]> local) {
        String call = "disk_read(disk=" + disk + ", block=" + block + ", count=" + count + ")";
        LogEntry entry = next(call);
        if (entry == null) {
            return host.mode().diskRead(disk, block, count, local);
        }
        switch (entry.record()) {
            case LogRecord.DiskReadData r when r.disk() == disk && r.block() == block && r.count() == count -> {
                return r.data();
            }
            case LogRecord.DiskRead r when r.disk() == disk && r.block() == block && r.count() == count -> {
                byte[] data = local.get();
                if (RecordingMode.crc32c(data) != r.crc()) {
                    throw new ReplayDivergence(entry.position(), "disk " + disk + " blocks [" + block + ", "
                            + (block + count) + ") differ from the primary's (checksum mismatch): the disks are out of sync");
                }
                return data;
            }
            default -> throw diverged(entry, call);
        }
    }

    @Override
    public void send(int conn, byte[] data) {
        String call = "send(conn=" + conn + ", len=" + data.length + ")";
        LogEntry entry = next(call);
        if (entry == null) {
            host.mode().send(conn, data);
            return;
        }
        LogRecord.Sent sent = expect(entry, LogRecord.Sent.class, call);
        if (sent.conn() != conn || sent.length() != data.length || sent.crc() != RecordingMode.crc32c(data)) {
            throw new ReplayDivergence(entry.position(), "output differs: the primary logged " + sent.describe()
                    + ", replay produced " + new LogRecord.Sent(conn, data.length, RecordingMode.crc32c(data)).describe());
        }
    }

    @Override
    public void close(int conn) {
        LogEntry entry = next("close(conn=" + conn + ")");
        if (entry == null) {
            host.mode().close(conn);
            return;
        }
        if (!(entry.record() instanceof LogRecord.Hangup h) || h.conn() != conn) {
            throw diverged(entry, "close(conn=" + conn + ")");
        }
    }

    @Override
    public long position() {
        return log.lastPosition();
    }

    /**
     * The entry for the host call {@code call}, or {@code null} after switching the host to the
     * successor mode because the log has ended.
     */
    private LogEntry next(String call) {
        LogEntry entry;
        try {
            entry = log.next();
        } catch (LogTruncatedException e) {
            if (successor == null) {
                throw new LogUnreadable(e);
            }
            entry = null; // a torn tail was never acknowledged: treat it as the end
        } catch (LogFormatException e) {
            throw new LogUnreadable(e);
        }
        if (entry != null) {
            if (entry.record() instanceof Event || entry.record() instanceof LogRecord.Marker) {
                throw new ReplayDivergence(entry.position(), "the guest made a host call (" + call
                        + ") where the primary's handler had already returned (next entry: " + entry.record().describe() + ")");
            }
            return entry;
        }
        Supplier<ExecutionMode> next = successor;
        if (next == null) {
            throw new LogUnreadable("the log ends at position " + log.lastPosition() + " inside a handler (at " + call + ")");
        }
        host.switchMode(next.get());
        return null;
    }

    private static <T extends LogRecord> T expect(LogEntry entry, Class<T> type, String call) {
        if (!type.isInstance(entry.record())) {
            throw diverged(entry, call);
        }
        return type.cast(entry.record());
    }

    private static ReplayDivergence diverged(LogEntry entry, String call) {
        return new ReplayDivergence(entry.position(), "the guest called " + call + " where the primary logged "
                + entry.record().describe());
    }
}
