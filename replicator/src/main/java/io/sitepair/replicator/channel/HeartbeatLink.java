package io.sitepair.replicator.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Heartbeats over UDP in both directions, independent of the logging channel's TCP connection:
 * sends one to the peer every interval and remembers when the peer's last authenticated one
 * arrived. A heartbeat from the wrong pair, the wrong site or a lower epoch does not count, nor
 * does one that is not newer than the last counted (a replay).
 *
 * <p>The sequence this site sends starts from the wall clock in microseconds and then rises by at
 * least one per heartbeat, catching up with the clock whenever it is ahead: a restarted site is heard
 * at once (its clock moved on further than its old sequence), and one whose clock was stepped back
 * across a restart is heard again once the clock passes its old sequence.
 */
public final class HeartbeatLink {
    private final PairIdentity me;
    private volatile long epoch;
    private final InetSocketAddress peer;
    private Channel channel;
    private long sequence; // loop thread only
    private Heartbeat lastAccepted; // loop thread only
    private volatile long lastHeardNanos;
    private volatile long resumedNanos; // when a heartbeat last ended a silence of several intervals
    private long intervalNanos;
    private volatile long peerEpoch = -1;

    public HeartbeatLink(PairIdentity me, long epoch, InetSocketAddress peer) {
        this.me = me;
        this.epoch = epoch;
        this.peer = peer;
    }

    public void start(EventLoop loop, InetSocketAddress bind, Duration interval) throws IOException {
        ChannelFuture bound = new Bootstrap()
                .group(loop)
                .channel(Transport.datagramChannel())
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        Heartbeat beat = Heartbeat.decode(packet.content(), me.secret());
                        if (beat != null && beat.pair().equals(me.pair()) && beat.site().equals(me.peer())
                                && beat.epoch() >= epoch && beat.follows(lastAccepted)) {
                            lastAccepted = beat;
                            long now = System.nanoTime();
                            if (lastHeardNanos != 0 && now - lastHeardNanos > 3 * intervalNanos) {
                                resumedNanos = now;
                            }
                            lastHeardNanos = now;
                            peerEpoch = beat.epoch();
                        }
                    }
                })
                .bind(bind).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IOException("cannot bind UDP " + bind.getHostString() + ":" + bind.getPort() + " for heartbeats: "
                    + bound.cause().getMessage(), bound.cause());
        }
        channel = bound.channel();
        long every = interval.toNanos();
        intervalNanos = every;
        loop.scheduleAtFixedRate(this::beat, 0, every, TimeUnit.NANOSECONDS);
    }

    private void beat() {
        if (channel.isActive()) {
            sequence = Math.max(sequence + 1, wallClockMicros());
            Heartbeat beat = new Heartbeat(me.pair(), me.site(), epoch, sequence);
            channel.writeAndFlush(new DatagramPacket(beat.encode(me.secret()), peer), channel.voidPromise());
        }
    }

    private static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** Where this site hears the peer's heartbeats (once started). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Nanoseconds since the peer's last heartbeat arrived, or -1 if none has. */
    public long nanosSinceHeard() {
        long last = lastHeardNanos;
        return last == 0 ? -1 : System.nanoTime() - last;
    }

    /**
     * When the peer's heartbeats last resumed after a silence of more than three intervals (a
     * partition healed, or the peer was paused), as {@link System#nanoTime}; 0 if they never did.
     */
    public long resumedNanos() {
        return resumedNanos;
    }

    /** This site serves in {@code next} now: its heartbeats say so, and the peer's must match it. */
    public void newEpoch(long next) {
        epoch = next;
    }

    public long peerEpoch() {
        return peerEpoch;
    }

    public void stop() {
        if (channel != null) {
            channel.close();
        }
    }
}
