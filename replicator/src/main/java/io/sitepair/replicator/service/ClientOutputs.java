package io.sitepair.replicator.service;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.nic.FrameLink;
import io.sitepair.replicator.vm.GuestAbi;
import io.sitepair.replicator.vm.OutputSink;
import java.io.IOException;
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
    private FrameLink nic;
    long droppedFrames;
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

    /** Network mode nic: frames the guest sends (connection {@link GuestAbi#NIC_CONN}) go out on {@code link}. */
    void attachNic(FrameLink link) {
        this.nic = link;
    }

    /** Called on the loop (posted by the flusher) when a flush ticket is durable. */
    void flushedThrough(long ticket) {
        gate.flushedThrough(ticket);
    }

    @Override
    public void send(long position, int conn, byte[] data) {
        outputs++;
        bytes += data.length;
        if (conn == GuestAbi.NIC_CONN) {
            gate.offer(flusher.lastRequested(), position, () -> sendFrame(data));
            return;
        }
        gate.offer(flusher.lastRequested(), position, () -> {
            Channel channel = channels.get(conn);
            if (channel != null) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(data), channel.voidPromise());
            }
        });
    }

    /** A frame that cannot leave is lost as on any network; the guest's TCP sends it again. */
    private void sendFrame(byte[] frame) {
        if (nic == null) {
            droppedFrames++; // a NIC-mode VM serving without its NIC: a test clone
            return;
        }
        try {
            nic.send(frame);
        } catch (IOException e) {
            droppedFrames++;
        }
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
