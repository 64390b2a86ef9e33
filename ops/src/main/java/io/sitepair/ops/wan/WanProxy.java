package io.sitepair.ops.wan;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sitepair.ops.config.Addresses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy that behaves like a long-distance link: it adds one-way delay, caps bandwidth, and
 * can be cut or blackholed on demand. The kernel here has no netem, so drills and tests route the
 * replication stream through this instead.
 *
 * <p>Each accepted connection gets its own connection to the target on the same event loop; see
 * {@link WanPipe} for how each direction is delayed and paced. Thread-safe: the control methods may
 * be called from any thread except the proxy's own event loops.
 */
public final class WanProxy implements AutoCloseable {
    /** The proxy's log, named for what it speaks for: its lines begin with {@code wan-proxy}, not {@code sitepair:}. */
    static final Logger LOG = LoggerFactory.getLogger("wan-proxy");

    /** The link's state. */
    public enum Mode {
        /** Bytes flow, delayed and paced by the profile. */
        UP,
        /** Link down: connections are reset, new ones are accepted and reset at once. */
        CUT,
        /** Partition: connections stay open but every byte (and FIN) vanishes; new ones go nowhere. */
        BLACKHOLE
    }

    /** Counters since start. {@code open} counts client connections, including blackholed ones. */
    public record Stats(long accepted, long refused, int open, long forwardBytes, long reverseBytes,
            long droppedBytes, long inFlightBytes) {}

    /** The in-flight bound when the bandwidth-delay product does not call for more. */
    public static final long DEFAULT_MIN_IN_FLIGHT = 8L << 20;
    private static final long MAX_AUTO_IN_FLIGHT = 256L << 20;
    /** Largest single read from a socket. */
    static final int MAX_READ = 64 * 1024;
    /**
     * How far a direction can go past its in-flight bound: the read that crosses it, plus at most
     * one more that Netty may already have under way when reads are switched off.
     */
    static final int MAX_OVERSHOOT = 2 * MAX_READ;
    private static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(512, 16 * 1024, MAX_READ);

    private final InetSocketAddress target;
    private final long maxInFlightSetting;
    private final EventLoopGroup group;
    private final boolean epoll;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ChannelGroup limbo = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE); // accepted while blackholed
    private final Set<WanConnection> connections = ConcurrentHashMap.newKeySet();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder forwardBytes = new LongAdder();
    private final LongAdder reverseBytes = new LongAdder();
    private final LongAdder droppedBytes = new LongAdder();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong peakInFlight = new AtomicLong();
    private volatile WanProfile profile;
    private volatile Mode mode = Mode.UP;
    private volatile WanCapture capture = WanCapture.NONE;
    private Channel server;

    private WanProxy(InetSocketAddress target, WanProfile profile, long maxInFlightBytes) {
        this.target = Objects.requireNonNull(target, "target");
        this.profile = Objects.requireNonNull(profile, "profile");
        if (maxInFlightBytes < 0) {
            throw new IllegalArgumentException("maxInFlightBytes cannot be negative (0 = automatic)");
        }
        this.maxInFlightSetting = maxInFlightBytes;
        this.epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(Math.min(4, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("wan-proxy", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Starts a proxy with the automatic in-flight bound. */
    public static WanProxy start(InetSocketAddress listen, InetSocketAddress target, WanProfile profile)
            throws IOException {
        return start(listen, target, profile, 0);
    }

    /**
     * Starts a proxy listening on {@code listen} (port 0: any free port) that relays to
     * {@code target}. {@code maxInFlightBytes} bounds what one direction of one connection may hold
     * before the proxy stops reading from its source; 0 picks max(8 MiB, 2 x bandwidth-delay product).
     */
    public static WanProxy start(InetSocketAddress listen, InetSocketAddress target, WanProfile profile,
            long maxInFlightBytes) throws IOException {
        WanProxy proxy = new WanProxy(target, profile, maxInFlightBytes);
        proxy.bind(listen);
        return proxy;
    }

    private void bind(InetSocketAddress listen) throws IOException {
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(type)
                .option(ChannelOption.SO_REUSEADDR, true)
                // Reads wait until the target is connected (or forever, when blackholed).
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, READS)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted(ch);
                    }
                })
                .bind(listen).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot listen on " + Addresses.format(listen) + ": " + bound.cause().getMessage(),
                    bound.cause());
        }
        server = bound.channel();
    }

    /** On the new channel's event loop. */
    private void accepted(SocketChannel client) {
        accepted.increment();
        channels.add(client); // before reading the mode, so a concurrent cut() cannot miss it
        switch (mode) {
            case CUT -> {
                refused.increment();
                reset(client);
            }
            case BLACKHOLE -> {
                limbo.add(client);
                if (mode != Mode.BLACKHOLE) { // restore() ran after we looked: it may have missed us
                    reset(client);
                    return;
                }
                client.pipeline().addLast(new Swallow());
                client.config().setAutoRead(true);
            }
            case UP -> connect(client);
        }
    }

    private void connect(SocketChannel client) {
        new Bootstrap()
                .group(client.eventLoop()) // the pair shares a thread, so its pipes need no locks
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.RECVBUF_ALLOCATOR, READS)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        LOG.warn("wan-proxy: cannot reach {}: {}", Addresses.format(target), f.cause().getMessage());
                        reset(client);
                        return;
                    }
                    Channel upstream = f.channel();
                    channels.add(upstream);
                    if (mode == Mode.CUT || !client.isActive()) {
                        reset(upstream);
                        reset(client);
                        return;
                    }
                    WanConnection c = new WanConnection(this, client, upstream);
                    connections.add(c);
                    c.start();
                });
    }

    /** The address the proxy listens on (the real port when started with port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public InetSocketAddress target() {
        return target;
    }

    public boolean usesEpoll() {
        return epoll;
    }

    public WanProfile profile() {
        return profile;
    }

    /** Applies to bytes read from now on; bytes already in flight keep their delivery times. */
    public void setProfile(WanProfile profile) {
        this.profile = Objects.requireNonNull(profile, "profile");
    }

    public Mode mode() {
        return mode;
    }

    /** Link down: resets every connection; new ones are reset on accept until {@link #restore()}. */
    public void cut() {
        mode = Mode.CUT;
        int n = stats().open();
        resetAll(channels);
        log("cut (" + connections(n) + " reset)");
    }

    /** Partition: every byte vanishes, both ways, on existing and new connections, until {@link #restore()}. */
    public void blackhole() {
        mode = Mode.BLACKHOLE;
        log("blackhole (" + connections(stats().open()) + " kept open, bytes dropped)");
    }

    /**
     * Link back up. Connections accepted during a blackhole never reached the target, so they are
     * reset, as a real peer resets a connection it has no record of; the others carry on.
     */
    public void restore() {
        Mode was = mode;
        mode = Mode.UP;
        int orphans = (int) limbo.stream().filter(Channel::isOpen).count();
        resetAll(limbo);
        connections.forEach(WanConnection::restored);
        log("restore (was " + was.name().toLowerCase(Locale.ROOT)
                + (orphans == 0 ? "" : ", " + connections(orphans) + " accepted while blackholed reset") + ")");
    }

    /** From now on, {@code capture} sees every byte the link carries (called from the proxy's event loops). */
    public void capture(WanCapture capture) {
        this.capture = Objects.requireNonNull(capture, "capture");
    }

    void captured(Direction direction, ByteBuf data) {
        WanCapture tap = capture;
        if (tap != WanCapture.NONE) {
            tap.carried(direction, data.nioBuffer().asReadOnlyBuffer());
        }
    }

    public Stats stats() {
        // Counted by channel state, not set membership: a channel is closed when cut() returns, while
        // its removal from the sets follows a moment later.
        int open = (int) (connections.stream().filter(WanConnection::isOpen).count()
                + limbo.stream().filter(Channel::isOpen).count());
        return new Stats(accepted.sum(), refused.sum(), open, forwardBytes.sum(), reverseBytes.sum(),
                droppedBytes.sum(), inFlight.get());
    }

    /** Bytes the proxy holds right now, all connections and both directions. */
    public long inFlightBytes() {
        return inFlight.get();
    }

    /** The most {@link #inFlightBytes()} has been since start. */
    public long peakInFlightBytes() {
        return peakInFlight.get();
    }

    /**
     * What one direction of one connection may hold before reads from its source stop. Reads
     * already under way can carry it past the bound by at most two reads (128 KiB). One exception:
     * once the source has sent its FIN, Netty's epoll transport drains the socket whether or not
     * reads are switched off, so the rest of what the kernel buffered for it (at most its
     * SO_RCVBUF) comes in too.
     */
    public long maxInFlightBytes(Direction d) {
        if (maxInFlightSetting > 0) {
            return maxInFlightSetting;
        }
        long bdp = profile.bandwidthDelayBytes(d);
        return Math.clamp(2 * bdp, DEFAULT_MIN_IN_FLIGHT, MAX_AUTO_IN_FLIGHT);
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "wan-proxy " + (server == null ? "?" : Addresses.format(address())) + " -> " + Addresses.format(target);
    }

    // --- for WanPipe and WanConnection, on event loops

    void countInFlight(long delta) {
        long now = inFlight.addAndGet(delta);
        if (delta > 0) {
            peakInFlight.accumulateAndGet(now, Math::max);
        }
    }

    void countForwarded(Direction d, long bytes) {
        (d == Direction.FORWARD ? forwardBytes : reverseBytes).add(bytes);
    }

    void countDropped(long bytes) {
        droppedBytes.add(bytes);
    }

    void removed(WanConnection c) {
        connections.remove(c);
    }

    private static String connections(int n) {
        return n + (n == 1 ? " connection" : " connections");
    }

    private void log(String what) {
        LOG.info("{}: {}", this, what);
    }

    /** Resets the channels and, unless called on an event loop, waits for them to be closed. */
    private static void resetAll(ChannelGroup group) {
        var closed = group.stream().map(ch -> {
            reset(ch);
            return ch.closeFuture();
        }).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (var f : closed) {
            if (f.channel().eventLoop().inEventLoop()) {
                continue; // waiting here would deadlock; the close is queued behind us
            }
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** Closes with an RST rather than a FIN (SO_LINGER 0), as a dead link looks to the endpoints. */
    static void reset(Channel ch) {
        try {
            ch.eventLoop().execute(() -> {
                if (ch.isOpen()) {
                    try {
                        ch.config().setOption(ChannelOption.SO_LINGER, 0);
                    } catch (ChannelException e) {
                        // already going: a plain close will do
                    }
                    ch.close();
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            // the proxy is closing and closes the channel itself
        }
    }

    /** Reads from a connection accepted while blackholed: it goes nowhere. */
    private final class Swallow extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = (ByteBuf) msg;
            countDropped(data.readableBytes());
            data.release();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
