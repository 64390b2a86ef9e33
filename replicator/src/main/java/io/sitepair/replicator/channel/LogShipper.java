package io.sitepair.replicator.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.sitepair.replicator.status.ResyncStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The primary's end of the logging channel: dials the backup, runs the handshake
 * ({@link PrimaryHandshake}), then streams {@link ShipLog} batches compressed
 * ({@link PrimaryStreaming}), re-protecting the backup first when it needs a copy
 * ({@link PrimaryCopy}), and turns acknowledgements into {@link Listener} calls. After a broken
 * connection it redials and resends from the backup's received position, so no entry is lost and
 * none is sent twice on one connection.
 *
 * <p>Runs on the primary's event loop, the thread that also runs the guest: a batch is sent
 * where it is cut, with no hand-off.
 */
public final class LogShipper extends ChannelEnd {
    /** What the primary learns from its backup; called on the loop thread. */
    public interface Listener {
        void acknowledged(long received, long replayed);

        /** The backup stopped replaying at {@code position}: its replay diverged, or it failed (its disk). */
        void backupStopped(long position, String reason);

        void linkChanged(boolean streaming, String why);

        /** The backup's answer to an online verify. */
        default void verified(ChannelMessage.VerifyReport report) {}
    }

    private static final long RETRY_MIN_MS = 100;
    private static final long RETRY_MAX_MS = 500; // a returning site is found within half a second
    private static final long CONNECT_TIMEOUT_MAX_MS = 2000;

    final PairIdentity me;
    final ShipLog log;
    final Listener listener;
    final long streamId;
    private final OutgoingCopy copies;
    private final EventLoop loop;
    private final InetSocketAddress peer;
    private final LinkTiming timing;
    private Channel dialled; // the connection being dialled or handshaking
    private Channel channel; // the backup's connection, once it has welcomed this primary
    private long retryMs = RETRY_MIN_MS;
    private long sentThrough;
    private ChannelLiveness liveness; // the current connection's, once welcomed
    private ScheduledFuture<?> livenessCheck;
    volatile long epoch;
    boolean copyRequired; // the next backup is copied in full
    private OutgoingCopy.Session copy; // while COPYING

    public LogShipper(PairIdentity me, long epoch, long streamId, ShipLog log, OutgoingCopy copies, EventLoop loop,
                      InetSocketAddress peer, LinkTiming timing, Listener listener) {
        super(State.CONNECTING, "the backup refused this primary: ", false);
        this.me = me;
        this.timing = timing;
        this.epoch = epoch;
        this.streamId = streamId;
        this.log = log;
        this.copies = copies;
        this.loop = loop;
        this.peer = peer;
        this.listener = listener;
    }

    public void start() {
        tls = ChannelTls.context(me, false);
        loop.execute(this::connect);
    }

    /**
     * Ships whatever the guest logged since the last call. The primary calls this at the end of
     * each loop iteration in which it delivered events, and when a batch fills.
     */
    public void shipPending() {
        ShipLog.Batch batch = log.cut();
        if (batch != null && state == State.STREAMING) {
            send(batch);
            channel.flush();
        }
    }

    /**
     * This site now serves in {@code next}: the current connection (a backup of the old epoch) is
     * dropped, and the next backup that connects gets a full copy before any entry. On the loop.
     */
    public void newEpoch(long next) {
        epoch = next;
        requireCopy();
    }

    /** The next backup must be copied in full (the log it would need is gone); drops the current one. On the loop. */
    public void requireCopy() {
        copyRequired = true;
        if (channel != null) {
            channel.close();
        }
    }

    private void send(ShipLog.Batch batch) {
        byte[] frame = codec.encode(batch.raw(), 0, batch.raw().length);
        channel.write(new ChannelMessage.Entries(batch.first(), batch.last(), frame), channel.voidPromise());
        sentThrough = batch.last();
        liveness.sent(System.nanoTime());
    }

    private void connect() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        ChannelFuture connecting = new Bootstrap()
                .group(loop)
                .channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                // A dial into a black hole is given up after the failure timeout, so a healed link is
                // found within about that time plus the retry delay.
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(CONNECT_TIMEOUT_MAX_MS, timing.failureTimeout().toMillis()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        install(ch, timing, new PrimaryHandshake(LogShipper.this));
                    }
                })
                .connect(peer);
        dialled = connecting.channel();
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                problem("cannot reach the backup at " + peer.getHostString() + ":" + peer.getPort() + ": "
                        + f.cause().getMessage());
                retryLater();
            }
        });
    }

    private void retryLater() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        loop.schedule(this::connect, retryMs, TimeUnit.MILLISECONDS);
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
    }

    /**
     * The backup on {@code ctx} passed the handshake: it becomes the backup's connection, and
     * entries stream to it, or a copy runs first ({@code copyReason} says why; null: none).
     */
    void welcomed(ChannelHandlerContext ctx, ChannelMessage.Welcome welcome, String copyReason) {
        dialled = null;
        channel = ctx.channel();
        retryMs = RETRY_MIN_MS;
        clearProblem();
        watchLiveness();
        if (copyReason == null) {
            handshakeDone(ctx, Phase.STREAMING, new PrimaryStreaming(this, welcome.received()));
            listener.acknowledged(welcome.received(), -1); // the backup holds this much, it said so
            streamFrom(welcome.received());
            return;
        }
        logger.info("re-protecting site '{}' ({})", me.peer(), copyReason);
        state = State.COPYING;
        try {
            copy = copies.begin(channel, epoch, welcome, this::copied);
        } catch (IOException | RuntimeException e) {
            refuse(ctx, "cannot plan the resync: " + rootMessage(e));
            return;
        }
        handshakeDone(ctx, Phase.COPY, new PrimaryCopy(this, copy));
    }

    /**
     * The copy is sent, up to {@code position}, and entries stream from there. It is not
     * acknowledged yet: outputs up to it wait until the backup says it holds the copy.
     */
    private void copied(long position) {
        copyRequired = false;
        copy = null;
        log.discardThrough(position); // the copy holds all of it
        if (channel.pipeline().get(Phase.COPY) != null) {
            channel.pipeline().replace(Phase.COPY, Phase.STREAMING, new PrimaryStreaming(this, position));
        }
        streamFrom(position);
    }

    private void streamFrom(long received) {
        state = State.STREAMING;
        sentThrough = received; // the backup holds this much, or will once the copy lands
        log.acknowledged(received);
        log.cut(); // anything logged while no backup was connected
        for (ShipLog.Batch batch : log.batchesAfter(received)) {
            send(batch);
        }
        channel.flush();
        logger.info("logging channel to site '{}' streaming from position {}", me.peer(), received + 1);
        listener.linkChanged(true, "streaming");
    }

    /** The backup acknowledged {@code ack} (checked by {@link PrimaryStreaming}); {@code advanced}: it moved. */
    void acknowledged(ChannelMessage.Ack ack, boolean advanced) {
        liveness.acknowledged(advanced, ack.received() >= sentThrough, System.nanoTime());
        log.acknowledged(ack.received());
        listener.acknowledged(ack.received(), ack.replayed());
    }

    @Override
    void heard(Channel connection, long nowNanos) {
        super.heard(connection, nowNanos);
        if (liveness != null && connection == channel) {
            liveness.heard(nowNanos);
        }
    }

    @Override
    void closed(Channel connection) {
        if (connection != channel && connection != dialled) {
            return; // an earlier connection, already replaced: dialling again would replace the current one
        }
        boolean handshaking = connection == dialled && state == State.HANDSHAKING;
        dialled = null;
        if (channel == connection) {
            channel = null;
            stopWatchingLiveness();
            if (copy != null) {
                boolean copying = copy.abort();
                copy = null;
                if (copying) {
                    problem("the connection broke during the resync; the backup resumes it on the next connection");
                }
            }
            listener.linkChanged(false, lastProblem().isEmpty() ? "connection closed" : lastProblem());
        }
        if (lastProblem().isEmpty()) {
            problem(handshaking ? "the backup at " + peer.getHostString() + ":" + peer.getPort() + " closed the"
                    + " connection during the handshake (does it require TLS? its log says why)"
                    : "connection to the backup closed");
        }
        retryLater();
    }

    @Override
    void failed(ChannelHandlerContext ctx, Throwable cause) {
        problem(cause instanceof IOException ? "connection to the backup lost: " + cause.getMessage()
                : "dropping the connection to the backup: " + rootMessage(cause));
        ctx.close();
    }

    /**
     * From the welcome on, the connection is judged by what it carries (see {@link ChannelLiveness});
     * one that counts as down is dropped, which makes it down for the site too, and dialled again.
     */
    private void watchLiveness() {
        liveness = new ChannelLiveness(timing.failureTimeout().toNanos(), System.nanoTime());
        long every = Math.max(10_000_000L, timing.keepalive().toNanos() / 2);
        livenessCheck = loop.scheduleAtFixedRate(() -> {
            if (downVerdict() != null) {
                // Confirmed after the loop's next read (a scheduled task runs after the next I/O pass):
                // this check may follow a long task of the loop, the guest paused for re-protection's
                // VM-state capture, with the backup's messages of that time still unread.
                loop.schedule(this::dropIfDown, 0, TimeUnit.NANOSECONDS);
            }
        }, every, every, TimeUnit.NANOSECONDS);
    }

    /**
     * Why the connection counts as down, or null. While copying, the primary always has data in
     * flight, and the kernel's user timeout covers a black hole; the backup may legitimately pause
     * to flush what it was sent.
     */
    private String downVerdict() {
        return channel == null || state != State.STREAMING ? null : liveness.verdict(System.nanoTime());
    }

    private void dropIfDown() {
        String down = downVerdict();
        if (down != null) {
            problem(down + " (TCP has not closed it); dropping the connection and dialling again");
            channel.close();
        }
    }

    private void stopWatchingLiveness() {
        if (livenessCheck != null) {
            livenessCheck.cancel(false);
            livenessCheck = null;
        }
    }

    /**
     * The peer's heartbeats resumed at {@code resumedNanos} after a silence. If the channel then
     * carries nothing useful for twice the keepalive interval, it is as good as broken (a partition
     * that healed for UDP but left this TCP flow stalled) and is dialled again at once, rather than
     * after TCP's back-off. The wait lets a peer that was merely paused (a busy machine, a long
     * collection) be heard on the channel too, a few milliseconds after its heartbeat. On the loop.
     */
    public void peerHeardAgain(long resumedNanos) {
        Channel resumed = channel;
        loop.schedule(() -> {
            long now = System.nanoTime();
            if (state == State.STREAMING && channel != null && channel == resumed
                    && liveness.quietNanos(now) >= now - resumedNanos) {
                problem("heartbeats from site '" + me.peer() + "' resumed but the logging channel is still quiet;"
                        + " dialling again");
                channel.close();
            }
        }, 2 * timing.keepalive().toNanos(), TimeUnit.NANOSECONDS);
    }

    public void stop() {
        if (loop.isShuttingDown()) {
            return;
        }
        loop.execute(() -> {
            state = State.STOPPED;
            for (Channel open : new Channel[] {dialled, channel}) {
                if (open != null) {
                    open.close();
                }
            }
        });
    }

    public long sentThrough() {
        return sentThrough;
    }

    /** Re-protection's progress while {@link State#COPYING}; empty otherwise. On the loop. */
    public String copyProgress() {
        return copy == null ? "" : copy.progress();
    }

    /** The resync's plan and figures while {@link State#COPYING}; null otherwise. On the loop. */
    public ResyncStatus resyncStatus() {
        return copy == null ? null : copy.status();
    }

    /**
     * An operator's go-ahead for the resync (see {@link OutgoingCopy.Session#approve}); {@code rate} 0
     * keeps the limit. With no resync under way, a rate becomes the limit of the next one. On the loop.
     */
    public String approveResync(long rate, String discard) {
        if (copy == null) {
            if (rate > 0 && discard == null) {
                return copies.limitNext(rate);
            }
            throw new IllegalStateException(state == State.STREAMING ? "the pair is protected: nothing to resync"
                    : "site '" + me.peer() + "' is not connected; the resync is planned when it connects ("
                    + (lastProblem().isEmpty() ? "waiting" : lastProblem()) + ")");
        }
        return copy.approve(rate, discard);
    }
}
