package io.sitepair.replicator.service;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.vm.OutputSink;
import io.sitepair.replicator.vm.RealInputs;
import java.util.HashMap;
import java.util.Map;

/**
 * Delivers the VM's outputs to client connections, through the {@link OutputGate}. Confined to
 * the event loop thread that runs the guest, like everything it touches.
 */
final class ClientOutputs implements OutputSink {
    private final Map<Integer, Channel> channels = new HashMap<>();
    private final OutputGate gate;
    private final GroupFlusher flusher;
    long outputs;
    long bytes;

    ClientOutputs(GroupFlusher flusher, boolean outputRule, SiteMeters meters) {
        this.flusher = flusher;
        this.gate = new OutputGate(outputRule, meters, RealInputs.WallClock.SYSTEM::nanos);
    }

    OutputGate gate() {
        return gate;
    }

    void register(int conn, Channel channel) {
        channels.put(conn, channel);
    }

    void forget(int conn) {
        channels.remove(conn);
    }

    /** Called on the loop (posted by the flusher) when a flush ticket is durable. */
    void flushedThrough(long ticket) {
        gate.flushedThrough(ticket);
    }

    @Override
    public void send(long position, int conn, byte[] data) {
        outputs++;
        bytes += data.length;
        gate.offer(flusher.lastRequested(), position, () -> {
            Channel channel = channels.get(conn);
            if (channel != null) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(data), channel.voidPromise());
            }
        });
    }

    @Override
    public void close(long position, int conn) {
        outputs++;
        gate.offer(flusher.lastRequested(), position, () -> {
            Channel channel = channels.remove(conn);
            if (channel != null) {
                channel.close();
            }
        });
    }
}
