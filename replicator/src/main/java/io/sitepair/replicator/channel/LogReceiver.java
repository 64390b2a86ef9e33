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
    private final CopyTarget copyTarget;
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

    public LogReceiver(PairIdentity me, long epoch, ReceivedLog log, LongSupplier replayed, CopyTarget copyTarget,
                       LinkTiming timing) {
        this.me = me;
        this.timing = timing;
        this.epoch = epoch;
        this.log = log;
        this.replayed = replayed;
        this.copyTarget = copyTarget;
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

    private final class Protocol extends SimpleChannelInboundHandler<ChannelMessage> {
        private ChannelMessage.Hello hello;
        private ChannelMessage.Welcome welcome;
        private boolean authenticated;
        private boolean copying;
        private boolean refused; // nothing more is applied from a connection this end refused
        private final List<java.util.BitSet> plan = new ArrayList<>();
        private java.io.ByteArrayOutputStream copiedState;
        private boolean stepPending; // a copy step is finishing off the loop: what arrives waits in order
        private final java.util.ArrayDeque<ChannelMessage> waiting = new java.util.ArrayDeque<>();

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

        /**
         * Messages after {@code step} wait until it completes (reading stops meanwhile, so TCP
         * pushes back), then {@code next} runs and they are handled in order; if it fails, the
         * connection is refused with {@code failure} and its message.
         */
        private void after(ChannelHandlerContext ctx, CompletableFuture<Void> step, String failure, Runnable next) {
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
                case ChannelMessage.CopyPlan plan when authenticated && !copying -> copyPlan(ctx, plan);
                case ChannelMessage.CopyBlocks blocks when authenticated && copying -> copyBlocks(ctx, blocks);
                case ChannelMessage.ZeroBlocks zeros when authenticated && copying -> copyZeros(ctx, zeros);
                case ChannelMessage.ResyncFrom from when authenticated -> tellWritten(ctx, from);
                case ChannelMessage.CopyState chunk when authenticated && copying -> copyState(ctx, chunk);
                case ChannelMessage.CopyDone done when authenticated && copying -> copyDone(ctx, done);
                case ChannelMessage.Refused refused -> {
                    problem("the primary refused this backup: " + refused.reason());
                    ctx.close();
                }
                default -> refuse(ctx, "unexpected " + message.getClass().getSimpleName()
                        + (authenticated ? "" : " before the handshake completed"));
            }
        }

        private void greet(ChannelHandlerContext ctx, ChannelMessage.Hello h) {
            hello = h;
            String refusal = stopped ? "this backup is stopping" : Handshake.refusal(h, me, epoch, streamId);
            if (refusal != null) {
                refuse(ctx, refusal);
                return;
            }
            List<io.sitepair.disk.Lineage.Entry> lineage;
            long lastPosition;
            try {
                io.sitepair.disk.DiskHistory history = copyTarget.history();
                lineage = history.lineage().entries();
                lastPosition = history.lastPosition();
            } catch (IllegalStateException closed) {
                refuse(ctx, "this backup is stopping");
                return;
            }
            ChannelMessage.Welcome unsigned = new ChannelMessage.Welcome(me.site(), epoch, streamId, log.received(),
                    copyTarget.wantsCopy(), lineage, lastPosition, copyTarget.resumable(h.site()), Handshake.nonce(),
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

        /**
         * Re-protection: the blocks this site wrote after the divergence point, or those its
         * interrupted copy still lacks, one message per disk.
         */
        private void tellWritten(ChannelHandlerContext ctx, ChannelMessage.ResyncFrom from) {
            if (!copyTarget.acceptsCopy()) {
                refuse(ctx, "this backup already replays from position " + log.received() + "; it cannot be resynced");
                return;
            }
            io.sitepair.disk.Stamp point = new io.sitepair.disk.Stamp(from.epoch(), from.position());
            try {
                var blocks = me.diskBlocks();
                for (int d = 0; d < blocks.size(); d++) {
                    java.util.BitSet written = from.pending() ? copyTarget.pending(d)
                            : copyTarget.history().writtenAfter(d, blocks.get(d), point);
                    ctx.write(new ChannelMessage.WrittenBlocks(d, written.toByteArray()));
                }
                ctx.flush();
            } catch (IOException | IllegalStateException e) {
                refuse(ctx, "cannot read this site's block map: " + e.getMessage());
            }
        }

        /** Re-protection begins: what it will send, disk by disk; recorded before the first block. */
        private void copyPlan(ChannelHandlerContext ctx, ChannelMessage.CopyPlan part) {
            if (!copyTarget.acceptsCopy()) {
                refuse(ctx, "this backup already replays from position " + log.received() + "; it cannot take a copy");
                return;
            }
            if (part.disk() != plan.size() || part.disk() >= me.diskBlocks().size()) {
                refuse(ctx, "copy plan for disk " + part.disk() + " where disk " + plan.size() + " was due");
                return;
            }
            java.util.BitSet bits = java.util.BitSet.valueOf(part.bits());
            if (bits.length() > me.diskBlocks().get(part.disk())) {
                refuse(ctx, "copy plan for disk " + part.disk() + " names block " + (bits.length() - 1) + " of a disk of "
                        + me.diskBlocks().get(part.disk()) + " blocks");
                return;
            }
            plan.add(bits);
            if (plan.size() < me.diskBlocks().size()) {
                return;
            }
            try {
                after(ctx, copyTarget.plan(hello.site(), new io.sitepair.disk.Stamp(part.epoch(), part.position()),
                        List.copyOf(plan)), "cannot begin the copy", () -> copying = true);
            } catch (IOException | RuntimeException e) {
                refuse(ctx, "cannot begin the copy: " + e.getMessage());
            }
        }

        /** Re-protection: runs of zero blocks. */
        private void copyZeros(ChannelHandlerContext ctx, ChannelMessage.ZeroBlocks zeros) {
            BlockRuns runs = zeros.runs();
            try {
                for (int r = 0; r < runs.size(); r++) {
                    copyTarget.zeros(zeros.disk(), runs.firsts()[r], runs.counts()[r]);
                }
            } catch (IndexOutOfBoundsException e) {
                refuse(ctx, "bad zero runs (disk " + zeros.disk() + "): " + e.getMessage());
            } catch (IOException | java.io.UncheckedIOException e) {
                refuse(ctx, "cannot write copied blocks: " + e.getMessage());
            }
        }

        /** Re-protection: runs of the primary's blocks, each written at once to this site's disk. */
        private void copyBlocks(ChannelHandlerContext ctx, ChannelMessage.CopyBlocks blocks) {
            BlockRuns runs = blocks.runs();
            try {
                byte[] data = codec.decode(blocks.frame(), 0, blocks.frame().length);
                if (data.length != runs.total() * io.sitepair.disk.DiskImage.BLOCK_SIZE) {
                    throw new CorruptFrameException("copied runs of " + runs.total() + " blocks of disk " + blocks.disk()
                            + " hold " + data.length + " bytes");
                }
                int offset = 0;
                for (int r = 0; r < runs.size(); r++) {
                    copyTarget.blocks(blocks.disk(), runs.firsts()[r], runs.counts()[r], data, offset);
                    offset += runs.counts()[r] * io.sitepair.disk.DiskImage.BLOCK_SIZE;
                }
            } catch (CorruptFrameException | IndexOutOfBoundsException e) {
                refuse(ctx, "bad copy frame (disk " + blocks.disk() + ", block " + runs.firsts()[0] + "): "
                        + e.getMessage());
            } catch (IOException | java.io.UncheckedIOException e) {
                refuse(ctx, "cannot write copied blocks: " + e.getMessage());
            }
        }

        private void copyState(ChannelHandlerContext ctx, ChannelMessage.CopyState chunk) {
            try {
                byte[] data = codec.decode(chunk.frame(), 0, chunk.frame().length);
                if (copiedState == null) {
                    copiedState = new java.io.ByteArrayOutputStream(1 << 20);
                }
                copiedState.writeBytes(data);
            } catch (CorruptFrameException e) {
                refuse(ctx, "bad VM state frame: " + e.getMessage());
            }
        }

        private void copyDone(ChannelHandlerContext ctx, ChannelMessage.CopyDone done) {
            byte[] state = copiedState == null ? new byte[0] : copiedState.toByteArray();
            copiedState = null;
            if (state.length != done.stateBytes()) {
                refuse(ctx, "the copied VM state has " + state.length + " bytes, the primary sent " + done.stateBytes());
                return;
            }
            try {
                after(ctx, copyTarget.done(done.position(), done.events(), state, done.stateHash(), done.lineage()),
                        "cannot complete the copy", () -> {
                            copying = false;
                            System.err.println("sitepair: copy from site '" + hello.site() + "' complete at position "
                                    + done.position() + "; streaming from position " + (done.position() + 1));
                            acknowledge(ctx.channel());
                        });
            } catch (IOException | RuntimeException e) {
                refuse(ctx, "cannot complete the copy: " + e.getMessage());
            }
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
