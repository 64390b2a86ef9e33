package io.sitepair.replicator.vm;

import io.sitepair.replicator.log.LogRecord.Event;
import java.util.function.Supplier;

/** Real inputs, no log: an unprotected VM, or a VM that has gone live with no backup. */
final class LiveMode implements ExecutionMode {
    private final RealInputs inputs;
    private final OutputSink outputs;

    LiveMode(RealInputs inputs, OutputSink outputs) {
        this.inputs = inputs;
        this.outputs = outputs;
    }

    @Override
    public VmMode kind() {
        return VmMode.LIVE;
    }

    @Override
    public void beforeEvent(Event event) {}

    @Override
    public long clock() {
        return inputs.clock().getAsLong();
    }

    @Override
    public void random(byte[] into) {
        inputs.random().nextBytes(into);
    }

    @Override
    public byte[] diskRead(int disk, long block, int count, Supplier<byte[]> local) {
        return local.get();
    }

    @Override
    public void send(int conn, byte[] data) {
        outputs.send(0, conn, data);
    }

    @Override
    public void close(int conn) {
        outputs.close(0, conn);
    }

    @Override
    public long position() {
        return 0;
    }
}
