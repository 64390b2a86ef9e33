package io.sitepair.replicator.channel;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.sitepair.compression.BlockCodec;
import io.sitepair.compression.CodecStats;
import io.sitepair.compression.CorruptFrameException;
import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogFormatException;
import io.sitepair.replicator.log.LogReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The backup's end of the logging channel: accepts the primary, checks and authenticates it,
 * verifies every batch completely (frame checksum, then every entry's checksum and position)
 * before any entry reaches the {@link ReceivedLog}, and acknowledges the highest contiguous
 * position received. A bad frame drops the connection and leaves the received log untouched.
 *
 * <p>All on one event loop; one primary connection at a time (a newer authenticated one replaces
 * an older one, which may be half-dead).
 */
public final class LogReceiver {
    /** How often the replayed position is reported when it moved but nothing arrived. */
    private static final long REPLAY_REPORT_MS = 20;

    private final PairIdentity me;
    private final long epoch;
    private final ReceivedLog log;
    private final LongSupplier replayed;
    private final IncomingCopy copies;
    private final LinkTiming timing;
    private final BlockCodec codec = new BlockCodec();
    private EventLoop loop;
    private Channel server;
    private Channel primary;
    private ScheduledFuture<?> reporter;
    private long lastReportedReplay = -1;
    private long lastAckNanos; // loop thread only
    private volatile long streamId;
    private volatile String lastProblem = "";
    private volatile long lastTrafficNanos = System.nanoTime();
    private volatile boolean streaming;
    private volatile boolean stopped;

    public LogReceiver(PairIdentity me, long epoch, ReceivedLog log, LongSupplier replayed, IncomingCopy copies,
                       LinkTiming timing) {
        this.me = me;
        this.timing = timing;
        this.epoch = epoch;
        this.log = log;
        this.replayed = replayed;
        this.copies = copies;
    }

    public void start(EventLoopGroup group, InetSocketAddress listen) throws IOException {
        loop = group.next();
        ChannelFuture bound = new ServerBootstrap()
                .group(loop)
                .channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Transport.failFast(ch, timing.failureTimeout());
                        MessageFraming.install(ch.pipeline());
                        ch.pipeline().addLast("backup", new Protocol());
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
            System.err.println("sitepair: could not tell the primary about the divergence: " + e);
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

    private void acknowledge(Channel channel) {
        lastAckNanos = System.nanoTime();
        lastReportedReplay = replayed.getAsLong();
        channel.writeAndFlush(new ChannelMessage.Ack(epoch, log.received(), lastReportedReplay), channel.voidPromise());
    }

    private final class Protocol extends SimpleChannelInboundHandler<ChannelMessage> implements IncomingCopy.Link {
        private ChannelHandlerContext ctx;
        private ChannelMessage.Hello hello;
        private ChannelMessage.Welcome welcome;
        private boolean authenticated;
        private IncomingCopy.Session copy; // once authenticated
        private boolean refused; // nothing more is applied from a connection this end refused
        private boolean stepPending; // a copy step is finishing off the loop: what arrives waits in order
        private final java.util.ArrayDeque<ChannelMessage> waiting = new java.util.ArrayDeque<>();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ChannelMessage message) {
            lastTrafficNanos = System.nanoTime();
            if (refused) {
                return;
            }
            if (stepPending) {
                waiting.add(message);
                return;
            }
            handle(ctx, message);
        }

        @Override
        public void after(CompletableFuture<Void> step, String failure, Runnable next) {
            stepPending = true;
            ctx.channel().config().setAutoRead(false);
            step.whenComplete((ok, error) -> ctx.executor().execute(() -> {
                stepPending = false;
                if (error != null) {
                    Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                    refuse(ctx, failure + ": " + (cause.getMessage() != null ? cause.getMessage() : cause));
                    return;
                }
                next.run();
                while (!stepPending && !refused && !waiting.isEmpty()) {
                    handle(ctx, waiting.poll());
                }
                if (!stepPending) {
                    ctx.channel().config().setAutoRead(true);
                }
            }));
        }

        private void handle(ChannelHandlerContext ctx, ChannelMessage message) {
            switch (message) {
                case ChannelMessage.Hello h when hello == null -> greet(ctx, h);
                case ChannelMessage.Proof p when welcome != null && !authenticated -> prove(ctx, p);
                case ChannelMessage.Entries entries when authenticated -> receive(ctx, entries);
                case ChannelMessage.Refused refused -> {
                    problem("the primary refused this backup: " + refused.reason());
                    ctx.close();
                }
                default -> {
                    if (!authenticated || !copy.handle(message)) {
                        refuse(ctx, "unexpected " + message.getClass().getSimpleName()
                                + (authenticated ? "" : " before the handshake completed"));
                    }
                }
            }
        }

        private void greet(ChannelHandlerContext ctx, ChannelMessage.Hello h) {
            hello = h;
            String refusal = stopped ? "this backup is stopping" : Handshake.refusal(h, me, epoch, streamId);
            if (refusal != null) {
                refuse(ctx, refusal);
                return;
            }
            IncomingCopy.Offer offer;
            try {
                offer = copies.offer(h.site());
            } catch (IllegalStateException closed) {
                refuse(ctx, "this backup is stopping");
                return;
            }
            ChannelMessage.Welcome unsigned = new ChannelMessage.Welcome(me.site(), epoch, streamId, log.received(),
                    offer.wantsCopy(), offer.lineage(), offer.lastPosition(), offer.resume(), Handshake.nonce(),
                    new byte[0]);
            welcome = new ChannelMessage.Welcome(unsigned.site(), unsigned.epoch(), unsigned.streamId(),
                    unsigned.received(), unsigned.wantsCopy(), unsigned.lineage(), unsigned.lastPosition(),
                    unsigned.resume(), unsigned.nonce(), Handshake.welcomeMac(me.secret(), h, unsigned));
            ctx.writeAndFlush(welcome);
        }

        private void prove(ChannelHandlerContext ctx, ChannelMessage.Proof proof) {
            if (!Handshake.verify(Handshake.proofMac(me.secret(), hello, welcome), proof.mac())) {
                refuse(ctx, "the primary did not prove it knows the pair's secret");
                return;
            }
            authenticated = true;
            copy = copies.open(hello.site(), codec, this);
            streamId = hello.streamId();
            if (primary != null && primary != ctx.channel()) {
                primary.close(); // superseded by this connection
            }
            primary = ctx.channel();
            streaming = true;
            lastProblem = "";
            System.err.println("sitepair: logging channel from site '" + hello.site() + "' streaming from position "
                    + (welcome.received() + 1));
        }

        private void receive(ChannelHandlerContext ctx, ChannelMessage.Entries entries) {
            long expected = log.received() + 1;
            List<LogEntry> batch;
            int rawBytes;
            try {
                if (entries.first() != expected || entries.last() < entries.first()) {
                    throw new LogFormatException("entries " + entries.first() + ".." + entries.last()
                            + " do not follow the received position " + (expected - 1));
                }
                byte[] raw = codec.decode(entries.frame(), 0, entries.frame().length);
                rawBytes = raw.length;
                batch = decodeEntries(raw, entries.first(), entries.last());
            } catch (CorruptFrameException | LogFormatException e) {
                refuse(ctx, "bad frame (entries " + entries.first() + ".." + entries.last() + "): " + e.getMessage());
                return;
            }
            if (log.add(batch, rawBytes)) {
                ctx.channel().config().setAutoRead(false); // resumed when replay drains the buffer
            }
            acknowledge(ctx.channel());
        }

        @Override
        public void write(ChannelMessage message) {
            ctx.write(message);
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public void refuse(String reason) {
            refuse(ctx, reason);
        }

        @Override
        public long received() {
            return log.received();
        }

        @Override
        public void copied() {
            acknowledge(ctx.channel());
        }

        private void refuse(ChannelHandlerContext ctx, String reason) {
            refused = true;
            problem(reason);
            ctx.writeAndFlush(new ChannelMessage.Refused(reason)).addListener(f -> ctx.close());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (primary == ctx.channel()) {
                primary = null;
                streaming = false;
                if (lastProblem.isEmpty()) {
                    problem("the primary's connection closed");
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            problem(cause instanceof IOException ? "connection to the primary lost: " + cause.getMessage()
                    : "dropping the primary's connection: " + LogShipper.rootMessage(cause));
            ctx.close();
        }
    }

    /** Every entry of a batch, fully verified, or an exception naming the first bad one. */
    static List<LogEntry> decodeEntries(byte[] raw, long first, long last) throws LogFormatException {
        LogReader reader = LogReader.entries(new ByteArrayInputStream(raw), first - 1);
        List<LogEntry> batch = new ArrayList<>((int) Math.min(last - first + 1, 4096));
        for (LogEntry entry = reader.next(); entry != null; entry = reader.next()) {
            batch.add(entry);
        }
        if (reader.lastPosition() != last) {
            throw new LogFormatException("the batch claims entries up to " + last + " but holds them up to "
                    + reader.lastPosition());
        }
        return batch;
    }

    private void problem(String what) {
        System.err.println("sitepair: logging channel: " + what);
        lastProblem = what;
    }

    public void stop() {
        stopped = true;
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

    public boolean streaming() {
        return streaming;
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

    public long streamId() {
        return streamId;
    }
}
