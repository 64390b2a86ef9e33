package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.log.LogRecord.Event;
import io.sitepair.replicator.log.LogAppender;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/** Real inputs, each logged; each output logged before it goes to the sink with its position. */
final class RecordingMode implements ExecutionMode {
    private final RealInputs inputs;
    private final OutputSink outputs;
    private final LogAppender log;
    private final boolean loggedReads;

    RecordingMode(RealInputs inputs, OutputSink outputs, LogAppender log, boolean loggedReads) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.log = log;
        this.loggedReads = loggedReads;
    }

    @Override
    public VmMode kind() {
        return VmMode.RECORD;
    }

    @Override
    public void beforeEvent(Event event) {
        log.append(event);
    }

    @Override
    public long clock() {
        long now = inputs.clock().getAsLong();
        log.append(new LogRecord.Clock(now));
        return now;
    }

    @Override
    public void random(byte[] into) {
        inputs.random().nextBytes(into);
        log.append(new LogRecord.Random(into.clone()));
    }

    @Override
    public byte[] diskRead(int disk, long block, int count, Supplier<byte[]> local) {
        byte[] data = local.get();
        log.append(loggedReads
                ? new LogRecord.DiskReadData(disk, block, count, data)
                : new LogRecord.DiskRead(disk, block, count, crc32c(data)));
        return data;
    }

    @Override
    public void send(int conn, byte[] data) {
        long position = log.append(new LogRecord.Sent(conn, data.length, crc32c(data)));
        outputs.send(position, conn, data);
    }

    @Override
    public void close(int conn) {
        long position = log.append(new LogRecord.Hangup(conn));
        outputs.close(position, conn);
    }

    @Override
    public long position() {
        return log.lastPosition();
    }

    static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }
}
