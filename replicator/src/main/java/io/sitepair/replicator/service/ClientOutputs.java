package io.sitepair.replicator.service;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.replicator.vm.OutputSink;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Delivers the VM's outputs to client connections, through the {@link OutputGate}. */
final class ClientOutputs implements OutputSink {
    private final Map<Integer, Channel> channels = new ConcurrentHashMap<>();
    private final OutputGate gate = new OutputGate();
    private final GroupFlusher flusher;
    final AtomicLong outputs = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();

    ClientOutputs(GroupFlusher flusher) {
        this.flusher = flusher;
    }

    void register(int conn, Channel channel) {
        channels.put(conn, channel);
    }

    void forget(int conn) {
        channels.remove(conn);
    }

    /** Called by the flusher thread when a flush ticket is durable. */
    void flushedThrough(long ticket) {
        gate.flushedThrough(ticket);
    }

    @Override
    public void send(long position, int conn, byte[] data) {
        outputs.incrementAndGet();
        bytes.addAndGet(data.length);
        gate.offer(flusher.lastRequested(), () -> {
            Channel channel = channels.get(conn);
            if (channel != null) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(data), channel.voidPromise());
            }
        });
    }

    @Override
    public void close(long position, int conn) {
        outputs.incrementAndGet();
        gate.offer(flusher.lastRequested(), () -> {
            Channel channel = channels.remove(conn);
            if (channel != null) {
                channel.close();
            }
        });
    }

    int held() {
        return gate.heldCount();
    }
}
