package io.sitepair.replicator.channel;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The backup's end of the logging channel: accepts the primary, checks and authenticates it
 * ({@link BackupHandshake}), then receives its entries ({@link BackupStreaming}) and any copy
 * ({@link BackupCopy}), and acknowledges the highest contiguous position received, and the
 * replayed position as it advances.
 *
 * <p>All on one event loop; one primary connection at a time (a newer authenticated one replaces
 * an older one, which may be half-dead).
 */
public final class LogReceiver extends ChannelEnd {
    /** How often the replayed position is reported when it moved but nothing arrived. */
    private static final long REPLAY_REPORT_MS = 20;

    /** Hears, on the loop, that an authenticated primary connected or its connection closed. */
    @FunctionalInterface
    public interface LinkListener {
        void linkChanged(boolean streaming, String why);
    }

    final PairIdentity me;
    final long epoch;
    final ReceivedLog log;
    final IncomingCopy copies;
    private final LongSupplier replayed;
    private final LinkTiming timing;
    private EventLoop loop;
    private Channel server;
    private Channel primary;
    private ScheduledFuture<?> reporter;
    private long lastReportedReplay = -1;
    private long lastAckNanos; // loop thread only
    private volatile long streamId;
    private volatile LinkListener linkListener = (streaming, why) -> { };

    public LogReceiver(PairIdentity me, long epoch, ReceivedLog log, LongSupplier replayed, IncomingCopy copies,
                       LinkTiming timing) {
        super(State.CONNECTING, "the primary refused this backup: ", true);
        this.me = me;
        this.timing = timing;
        this.epoch = epoch;
        this.log = log;
        this.replayed = replayed;
        this.copies = copies;
    }

    public void start(EventLoopGroup group, InetSocketAddress listen) throws IOException {
        loop = group.next();
        tls = ChannelTls.context(me, true);
        ChannelFuture bound = new ServerBootstrap()
                .group(loop)
                .channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        install(ch, timing, new BackupHandshake(LogReceiver.this));
                    }
                })
                .bind(listen).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IOException("cannot listen for the logging channel on " + listen.getHostString() + ":"
                    + listen.getPort() + ": " + bound.cause().getMessage(), bound.cause());
        }
        server = bound.channel();
        log.onDrained(() -> loop.execute(() -> {
            if (primary != null) {
                primary.config().setAutoRead(true);
            }
        }));
        reporter = loop.scheduleAtFixedRate(this::reportReplay, REPLAY_REPORT_MS, REPLAY_REPORT_MS, TimeUnit.MILLISECONDS);
    }

    /** Tells {@code listener} of each primary connection that passes the handshake or closes (not after {@link #stop}). */
    public void onLinkChange(LinkListener listener) {
        linkListener = listener;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /**
     * Tells the primary that replay diverged, so it stops waiting for this backup; waits (briefly)
     * until the message is written, since the process may exit next.
     */
    public void reportDivergence(long position, String reason) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        loop.execute(() -> {
            if (primary == null) {
                written.complete(null);
                return;
            }
            primary.writeAndFlush(new ChannelMessage.Diverged(position, reason)).addListener(f -> written.complete(null));
        });
        try {
            written.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            logger.warn("could not tell the primary about the divergence: {}", e.toString());
        }
    }

    /** Sends the result of an online verify to the primary (it may have gone: then nothing). */
    public void reportVerify(ChannelMessage.VerifyReport report) {
        loop.execute(() -> {
            if (primary != null) {
                primary.writeAndFlush(report, primary.voidPromise());
            }
        });
    }

    /**
     * Reports the replayed position when it moved, and otherwise acknowledges at least every
     * keepalive interval: the primary takes a silent channel for a broken one.
     */
    private void reportReplay() {
        long now = replayed.getAsLong();
        if (primary != null && (now != lastReportedReplay
                || System.nanoTime() - lastAckNanos >= timing.keepalive().toNanos())) {
            acknowledge(primary);
        }
    }

    void acknowledge(Channel channel) {
        lastAckNanos = System.nanoTime();
        lastReportedReplay = replayed.getAsLong();
        channel.writeAndFlush(new ChannelMessage.Ack(epoch, log.received(), lastReportedReplay), channel.voidPromise());
    }

    /**
     * The primary on {@code ctx} passed the handshake: its connection replaces any older one, and
     * the copy and streaming phases take the handshake's place.
     */
    void authenticated(ChannelHandlerContext ctx, ChannelMessage.Hello hello, ChannelMessage.Welcome welcome) {
        streamId = hello.streamId();
        if (primary != null && primary != ctx.channel()) {
            primary.close(); // superseded by this connection
        }
        primary = ctx.channel();
        if (state != State.STOPPED) {
            state = State.STREAMING;
        }
        clearProblem();
        logger.info("logging channel from site '{}' streaming from position {}", hello.site(),
                welcome.received() + 1);
        if (state != State.STOPPED) {
            linkListener.linkChanged(true, "site '" + hello.site() + "' connected");
        }
        handshakeDone(ctx, Phase.COPY, new BackupCopy(this, hello.site()));
        primary.pipeline().addAfter(Phase.COPY, Phase.STREAMING, new BackupStreaming(this));
    }

    @Override
    void closed(Channel connection) {
        if (primary == connection) {
            primary = null;
            if (lastProblem().isEmpty()) {
                problem("the primary's connection closed");
            }
            if (state != State.STOPPED) {
                state = State.CONNECTING;
                linkListener.linkChanged(false, lastProblem());
            }
        }
    }

    @Override
    void failed(ChannelHandlerContext ctx, Throwable cause) {
        problem(cause instanceof IOException ? "connection to the primary lost: " + cause.getMessage()
                : "dropping the primary's connection: " + rootMessage(cause));
        ctx.close();
    }

    public void stop() {
        state = State.STOPPED;
        if (loop != null && !loop.isShuttingDown()) {
            loop.execute(() -> {
                if (reporter != null) {
                    reporter.cancel(false);
                }
                if (primary != null) {
                    primary.close();
                }
                if (server != null) {
                    server.close();
                }
            });
        }
    }

    // ---- observation (any thread) ----

    /** Whether an authenticated primary is connected. */
    public boolean streaming() {
        return state == State.STREAMING;
    }

    public long streamId() {
        return streamId;
    }
}
