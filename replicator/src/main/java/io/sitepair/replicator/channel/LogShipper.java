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

        void diverged(long position, String reason);

        void linkChanged(boolean streaming, String why);
    }

    public enum State { CONNECTING, HANDSHAKING, STREAMING, STOPPED }

    private static final long RETRY_MIN_MS = 100;
    private static final long RETRY_MAX_MS = 2000;

    private final PairIdentity me;
    private final long epoch;
    private final long streamId;
    private final ShipLog log;
    private final EventLoop loop;
    private final InetSocketAddress peer;
    private final Listener listener;
    private final BlockCodec codec = new BlockCodec();
    private State state = State.CONNECTING;
    private Channel channel;
    private long retryMs = RETRY_MIN_MS;
    private volatile String lastProblem = "";
    private volatile long lastTrafficNanos = System.nanoTime();
    private long sentThrough;

    public LogShipper(PairIdentity me, long epoch, long streamId, ShipLog log, EventLoop loop,
                      InetSocketAddress peer, Listener listener) {
        this.me = me;
        this.epoch = epoch;
        this.streamId = streamId;
        this.log = log;
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

    private void send(ShipLog.Batch batch) {
        byte[] frame = codec.encode(batch.raw(), 0, batch.raw().length);
        channel.write(new ChannelMessage.Entries(batch.first(), batch.last(), frame), channel.voidPromise());
        sentThrough = batch.last();
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
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        MessageFraming.install(ch.pipeline());
                        ch.pipeline().addLast("primary", new Protocol());
                    }
                })
                .connect(peer);
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

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            state = State.HANDSHAKING;
            hello = new ChannelMessage.Hello(ChannelMessage.PROTOCOL_VERSION, me.pair(), me.site(), epoch,
                    me.guestHash(), me.arch(), me.diskBlocks(), me.loggedReads(), streamId, Handshake.nonce());
            ctx.writeAndFlush(hello);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ChannelMessage message) {
            lastTrafficNanos = System.nanoTime();
            switch (message) {
                case ChannelMessage.Welcome welcome when state == State.HANDSHAKING -> welcomed(ctx, welcome);
                case ChannelMessage.Ack ack when state == State.STREAMING -> acknowledged(ctx, ack);
                case ChannelMessage.Diverged diverged when state == State.STREAMING ->
                        listener.diverged(diverged.position(), diverged.reason());
                case ChannelMessage.Refused refused -> {
                    problem("the backup refused this primary: " + refused.reason());
                    ctx.close();
                }
                default -> refuse(ctx, "unexpected " + message.getClass().getSimpleName() + " while " + state);
            }
        }

        private void welcomed(ChannelHandlerContext ctx, ChannelMessage.Welcome welcome) {
            ChannelMessage.Welcome unsigned = new ChannelMessage.Welcome(welcome.site(), welcome.epoch(),
                    welcome.streamId(), welcome.received(), welcome.nonce(), new byte[0]);
            if (!Handshake.verify(Handshake.welcomeMac(me.secret(), hello, unsigned), welcome.mac())) {
                refuse(ctx, "the backup did not prove it knows the pair's secret");
                return;
            }
            if (!welcome.site().equals(me.peer()) || welcome.epoch() != epoch) {
                refuse(ctx, "the backup is site '" + welcome.site() + "' at epoch " + welcome.epoch()
                        + "; expected site '" + me.peer() + "' at epoch " + epoch);
                return;
            }
            if (welcome.received() < log.firstHeld() - 1 || welcome.received() > log.lastPosition()) {
                refuse(ctx, "the backup holds the log up to position " + welcome.received() + ", but this primary"
                        + " holds positions " + log.firstHeld() + ".." + log.lastPosition()
                        + "; the backup needs a full re-protection");
                return;
            }
            ctx.write(new ChannelMessage.Proof(Handshake.proofMac(me.secret(), hello, welcome)));
            channel = ctx.channel();
            state = State.STREAMING;
            retryMs = RETRY_MIN_MS;
            lastProblem = "";
            listener.acknowledged(welcome.received(), -1);
            log.acknowledged(welcome.received());
            log.cut(); // anything logged while no backup was connected
            for (ShipLog.Batch batch : log.batchesAfter(welcome.received())) {
                send(batch);
            }
            ctx.flush();
            System.err.println("sitepair: logging channel to site '" + me.peer() + "' streaming from position "
                    + (welcome.received() + 1));
            listener.linkChanged(true, "streaming");
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
            log.acknowledged(ack.received());
            listener.acknowledged(ack.received(), ack.replayed());
        }

        private void refuse(ChannelHandlerContext ctx, String reason) {
            problem(reason);
            ctx.writeAndFlush(new ChannelMessage.Refused(reason)).addListener(f -> ctx.close());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (channel == ctx.channel()) {
                channel = null;
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
            if (channel != null) {
                channel.close();
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
}
