package io.sitepair.replicator.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.sitepair.compression.BlockCodec;
import io.sitepair.compression.CodecStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The primary's end of the logging channel: dials the backup, runs the handshake, streams
 * {@link ShipLog} batches compressed, and turns acknowledgements into {@link Listener} calls.
 * After a broken connection it redials and resends from the backup's received position, so no
 * entry is lost and none is sent twice on one connection.
 *
 * <p>Runs on the primary's event loop, the thread that also runs the guest: a batch is sent
 * where it is cut, with no hand-off.
 */
public final class LogShipper {
    /** What the primary learns from its backup; called on the loop thread. */
    public interface Listener {
        void acknowledged(long received, long replayed);

        /** The backup stopped replaying at {@code position}: its replay diverged, or it failed (its disk). */
        void backupStopped(long position, String reason);

        void linkChanged(boolean streaming, String why);

        /** The backup's answer to an online verify. */
        default void verified(ChannelMessage.VerifyReport report) {}
    }

    public enum State { CONNECTING, HANDSHAKING, COPYING, STREAMING, STOPPED }

    private static final long RETRY_MIN_MS = 100;
    private static final long RETRY_MAX_MS = 500; // a returning site is found within half a second
    /** A connection whose peer has not answered the Hello by then is dropped and dialled again. */
    private static final long HANDSHAKE_TIMEOUT_MS = 10_000;
    private static final long CONNECT_TIMEOUT_MAX_MS = 2000;

    private final PairIdentity me;
    private final long streamId;
    private final ShipLog log;
    private final OutgoingCopy copies;
    private final EventLoop loop;
    private final InetSocketAddress peer;
    private final Listener listener;
    private final LinkTiming timing;
    private final BlockCodec codec = new BlockCodec();
    private volatile State state = State.CONNECTING;
    private Channel dialled; // the connection being dialled or handshaking
    private Channel channel; // the backup's connection, once it has welcomed this primary
    private long retryMs = RETRY_MIN_MS;
    private volatile String lastProblem = "";
    private volatile long lastTrafficNanos = System.nanoTime();
    private long sentThrough;
    private long ackedReceived; // the current connection's best acknowledgement so far
    private long ackedReplayed;
    private ChannelLiveness liveness; // the current connection's, once welcomed
    private io.netty.util.concurrent.ScheduledFuture<?> livenessCheck;
    private volatile long epoch;
    private boolean copyRequired;
    private OutgoingCopy.Session copy; // while COPYING

    public LogShipper(PairIdentity me, long epoch, long streamId, ShipLog log, OutgoingCopy copies, EventLoop loop,
                      InetSocketAddress peer, LinkTiming timing, Listener listener) {
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
                        Transport.failFast(ch, timing.failureTimeout());
                        MessageFraming.install(ch.pipeline());
                        ch.pipeline().addLast("primary", new Protocol());
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

    private void problem(String what) {
        if (!what.equals(lastProblem)) {
            System.err.println("sitepair: logging channel: " + what);
        }
        lastProblem = what;
    }

    /** The handshake and streaming, per connection. */
    private final class Protocol extends SimpleChannelInboundHandler<ChannelMessage> {
        private ChannelMessage.Hello hello;
        private boolean answered; // the peer has sent anything on this connection

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            state = State.HANDSHAKING;
            hello = new ChannelMessage.Hello(ChannelMessage.PROTOCOL_VERSION, me.pair(), me.site(), epoch,
                    me.guestHash(), me.arch(), me.diskBlocks(), me.loggedReads(), streamId, Handshake.nonce());
            ctx.writeAndFlush(hello);
            // A connection can be accepted and never served (a backup restarting in its process
            // on the same port, a hung peer): without an answer it is dropped and dialled again.
            ctx.executor().schedule(() -> {
                if (!answered && ctx.channel().isActive()) {
                    problem("no answer to the handshake within " + HANDSHAKE_TIMEOUT_MS / 1000 + " s; dialling again");
                    ctx.close();
                }
            }, HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ChannelMessage message) {
            lastTrafficNanos = System.nanoTime();
            answered = true;
            if (liveness != null && ctx.channel() == channel) {
                liveness.heard(lastTrafficNanos);
            }
            switch (message) {
                case ChannelMessage.Welcome welcome when state == State.HANDSHAKING -> welcomed(ctx, welcome);
                case ChannelMessage.Ack ack when state == State.STREAMING -> acknowledged(ctx, ack);
                case ChannelMessage.Ack ignored when state == State.COPYING -> { } // it holds nothing yet
                case ChannelMessage.WrittenBlocks written when state == State.COPYING && copy != null -> {
                    String refusal = copy.backupBlocks(written);
                    if (refusal != null) {
                        refuse(ctx, refusal);
                    }
                }
                case ChannelMessage.VerifyReport report when state == State.STREAMING -> listener.verified(report);
                case ChannelMessage.Diverged diverged when state == State.STREAMING ->
                        listener.backupStopped(diverged.position(), diverged.reason());
                case ChannelMessage.Refused refused -> {
                    problem("the backup refused this primary: " + refused.reason());
                    ctx.close();
                }
                default -> refuse(ctx, "unexpected " + message.getClass().getSimpleName() + " while " + state);
            }
        }

        private void welcomed(ChannelHandlerContext ctx, ChannelMessage.Welcome welcome) {
            if (!Handshake.verify(Handshake.welcomeMac(me.secret(), hello, welcome.unsigned()), welcome.mac())) {
                refuse(ctx, "the backup did not prove it knows the pair's secret");
                return;
            }
            if (!welcome.site().equals(me.peer()) || welcome.epoch() != epoch) {
                refuse(ctx, "the backup is site '" + welcome.site() + "' at epoch " + welcome.epoch()
                        + "; expected site '" + me.peer() + "' at epoch " + epoch);
                return;
            }
            boolean copyNeeded = copyRequired || welcome.wantsCopy() || welcome.received() < log.firstHeld() - 1;
            if (!copyNeeded && welcome.received() > log.lastPosition()) {
                refuse(ctx, "the backup holds the log up to position " + welcome.received() + ", beyond this"
                        + " primary's last position " + log.lastPosition());
                return;
            }
            ctx.write(new ChannelMessage.Proof(Handshake.proofMac(me.secret(), hello, welcome)));
            dialled = null;
            channel = ctx.channel();
            retryMs = RETRY_MIN_MS;
            lastProblem = "";
            watchLiveness();
            if (copyNeeded) {
                String why = welcome.wantsCopy() ? "its disks are marked inconsistent"
                        : copyRequired ? "it must rejoin epoch " + epoch
                        : "it holds the log up to position " + welcome.received() + " and this site from "
                                + log.firstHeld();
                System.err.println("sitepair: re-protecting site '" + me.peer() + "' (" + why + ")");
                state = State.COPYING;
                try {
                    copy = copies.begin(channel, epoch, welcome, this::copied);
                } catch (IOException | RuntimeException e) {
                    refuse(ctx, "cannot plan the resync: " + rootMessage(e));
                }
                return;
            }
            streamFrom(welcome.received());
        }

        private void copied(long position) {
            copyRequired = false;
            copy = null;
            log.discardThrough(position); // the copy holds all of it
            streamFrom(position);
        }

        private void streamFrom(long received) {
            state = State.STREAMING;
            sentThrough = received; // the backup holds this much: it may acknowledge it before any batch goes
            ackedReceived = received;
            listener.acknowledged(received, -1);
            log.acknowledged(received);
            log.cut(); // anything logged while no backup was connected
            for (ShipLog.Batch batch : log.batchesAfter(received)) {
                send(batch);
            }
            channel.flush();
            System.err.println("sitepair: logging channel to site '" + me.peer() + "' streaming from position "
                    + (received + 1));
            listener.linkChanged(true, "streaming");
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (copy != null && ctx.channel() == channel && ctx.channel().isWritable()) {
                copy.writable();
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void acknowledged(ChannelHandlerContext ctx, ChannelMessage.Ack ack) {
            if (ack.epoch() != epoch) {
                refuse(ctx, "acknowledgement carries epoch " + ack.epoch() + ", this primary is at " + epoch);
                return;
            }
            if (ack.received() > sentThrough) {
                refuse(ctx, "acknowledgement of position " + ack.received() + ", beyond what was sent (" + sentThrough + ")");
                return;
            }
            boolean advanced = ack.received() > ackedReceived || ack.replayed() > ackedReplayed;
            ackedReceived = Math.max(ackedReceived, ack.received());
            ackedReplayed = Math.max(ackedReplayed, ack.replayed());
            liveness.acknowledged(advanced, ack.received() >= sentThrough, System.nanoTime());
            log.acknowledged(ack.received());
            listener.acknowledged(ack.received(), ack.replayed());
        }

        private void refuse(ChannelHandlerContext ctx, String reason) {
            problem(reason);
            ctx.writeAndFlush(new ChannelMessage.Refused(reason)).addListener(f -> ctx.close());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() != channel && ctx.channel() != dialled) {
                return; // an earlier connection, already replaced: dialling again would replace the current one
            }
            dialled = null;
            if (channel == ctx.channel()) {
                channel = null;
                stopWatchingLiveness();
                if (copy != null) {
                    boolean copying = copy.abort();
                    copy = null;
                    if (copying) {
                        problem("the connection broke during the resync; the backup resumes it on the next connection");
                    }
                }
                listener.linkChanged(false, lastProblem.isEmpty() ? "connection closed" : lastProblem);
            }
            if (lastProblem.isEmpty()) {
                problem("connection to the backup closed");
            }
            retryLater();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            problem(cause instanceof IOException ? "connection to the backup lost: " + cause.getMessage()
                    : "dropping the connection to the backup: " + rootMessage(cause));
            ctx.close();
        }
    }

    /**
     * From the welcome on, the connection is judged by what it carries (see {@link ChannelLiveness});
     * one that counts as down is dropped, which makes it down for the site too, and dialled again.
     */
    private void watchLiveness() {
        long now = System.nanoTime();
        liveness = new ChannelLiveness(timing.failureTimeout().toNanos(), now);
        ackedReceived = -1;
        ackedReplayed = -1;
        long every = Math.max(10_000_000L, timing.keepalive().toNanos() / 2);
        livenessCheck = loop.scheduleAtFixedRate(() -> {
            // While copying, the primary always has data in flight, and the kernel's user timeout
            // covers a black hole; the backup may legitimately pause to flush what it was sent.
            String down = channel == null || state != State.STREAMING ? null : liveness.verdict(System.nanoTime());
            if (down != null) {
                problem(down + " (TCP has not closed it); dropping the connection and dialling again");
                channel.close();
            }
        }, every, every, TimeUnit.NANOSECONDS);
    }

    /**
     * The peer's heartbeats resumed after a silence: the path works again. A connection that carried
     * nothing through the silence would wait out TCP's retransmission back-off (seconds, growing);
     * dialling again streams within a reconnect. On the loop.
     */
    public void peerHeardAgain() {
        if (state == State.STREAMING && channel != null
                && liveness.quietNanos(System.nanoTime()) > 2 * timing.keepalive().toNanos()) {
            problem("heartbeats from site '" + me.peer() + "' resumed but the logging channel is still quiet;"
                    + " dialling again");
            channel.close();
        }
    }

    private void stopWatchingLiveness() {
        if (livenessCheck != null) {
            livenessCheck.cancel(false);
            livenessCheck = null;
        }
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
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

    // ---- observation (any thread) ----

    public State state() {
        return state;
    }

    public String lastProblem() {
        return lastProblem;
    }

    public long nanosSinceTraffic() {
        return System.nanoTime() - lastTrafficNanos;
    }

    public CodecStats codecStats() {
        return codec.stats();
    }

    public long sentThrough() {
        return sentThrough;
    }

    /** Re-protection's progress while {@link State#COPYING}; empty otherwise. On the loop. */
    public String copyProgress() {
        return copy == null ? "" : copy.progress();
    }

    /** The resync's plan and figures while {@link State#COPYING}; null otherwise. On the loop. */
    public java.util.Map<String, Object> resyncStatus() {
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
                    + (lastProblem.isEmpty() ? "waiting" : lastProblem) + ")");
        }
        return copy.approve(rate, discard);
    }
}
