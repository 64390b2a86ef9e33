package io.sitepair.replicator.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.AttributeKey;
import io.sitepair.compression.BlockCodec;
import io.sitepair.compression.CodecStats;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both ends of the logging channel share: each connection's pipeline, and what the site
 * observes of its end (state, last problem, time since the peer was heard, codec figures).
 *
 * <p>A connection's pipeline, by phase: TLS when the pair has certificates ({@link ChannelTls}),
 * framing and message coding ({@link MessageFraming}), then a handler noting traffic (and dropping
 * whatever arrives after this end refused the peer), then the handshake, limited by a
 * {@link ReadTimeoutHandler} (which covers the TLS handshake too: no message reaches it before TLS
 * is up); on success the handshake removes the limit and gives way to the phases that follow
 * (streaming, and the copy). Last comes a handler that hears of the connection's close and failures.
 */
public abstract sealed class ChannelEnd permits LogShipper, LogReceiver {
    /** Where the two ends stand; a backup is {@link #CONNECTING} while no primary streams to it. */
    public enum State { CONNECTING, HANDSHAKING, COPYING, STREAMING, STOPPED }

    /** A connection that carries no message for this long during the handshake is dropped. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final String HANDSHAKE_LIMIT = "handshake-limit";
    private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("sitepair-refused");

    final BlockCodec codec = new BlockCodec();
    final Logger logger = LoggerFactory.getLogger(getClass());
    private final String peerRefusal;
    private final boolean logsRepeatedProblems;
    private Duration handshakeTimeout = HANDSHAKE_TIMEOUT;
    /** Each connection's TLS is made from this; null: TLS is off. Set when the end starts. */
    SslContext tls;
    volatile State state;
    private volatile String lastProblem = "";
    private volatile long lastTrafficNanos = System.nanoTime();

    /**
     * {@code peerRefusal} begins the problem logged when the peer refuses this end; a problem
     * repeated is logged again only if {@code logsRepeatedProblems}.
     */
    ChannelEnd(State initial, String peerRefusal, boolean logsRepeatedProblems) {
        this.state = initial;
        this.peerRefusal = peerRefusal;
        this.logsRepeatedProblems = logsRepeatedProblems;
    }

    /** A shorter handshake limit, for tests; before {@code start}. */
    void handshakeTimeout(Duration timeout) {
        handshakeTimeout = timeout;
    }

    /** Builds a new connection's pipeline, beginning with {@code handshake}. */
    final void install(Channel ch, LinkTiming timing, ChannelHandler handshake) {
        Transport.failFast(ch, timing.failureTimeout());
        ChannelTls.install(ch, tls, this);
        MessageFraming.install(ch.pipeline());
        ch.pipeline().addLast("traffic", new Traffic());
        ch.pipeline().addLast(HANDSHAKE_LIMIT, new ReadTimeoutHandler(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS));
        ch.pipeline().addLast(Phase.HANDSHAKE, handshake);
        ch.pipeline().addLast("events", new Events());
    }

    /** The handshake succeeded: its limit goes, and {@code next} takes the handshake's place. */
    static void handshakeDone(ChannelHandlerContext handshake, String name, ChannelHandler next) {
        handshake.pipeline().remove(HANDSHAKE_LIMIT);
        handshake.pipeline().replace(handshake.handler(), name, next);
    }

    /** "10 s", or "250 ms" for a limit that is not whole seconds. */
    final String handshakeLimit() {
        long ms = handshakeTimeout.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** A message arrived on {@code connection}. */
    void heard(Channel connection, long nowNanos) {
        lastTrafficNanos = nowNanos;
    }

    /** The connection closed. */
    abstract void closed(Channel connection);

    /** The connection failed with {@code cause}; it is closed. */
    abstract void failed(ChannelHandlerContext ctx, Throwable cause);

    final void problem(String what) {
        boolean repeated = what.equals(lastProblem);
        lastProblem = what; // recorded before it is told: whoever reads the log line finds it here too
        if (logsRepeatedProblems || !repeated) {
            logger.warn("logging channel: {}", what);
        }
    }

    final void clearProblem() {
        lastProblem = "";
    }

    /** Refuses the peer with {@code reason} and closes; nothing it sends afterwards is applied. */
    final void refuse(ChannelHandlerContext ctx, String reason) {
        ctx.channel().attr(REFUSED).set(true);
        problem(reason);
        ctx.writeAndFlush(new ChannelMessage.Refused(reason)).addListener(f -> ctx.close());
    }

    static boolean refused(Channel connection) {
        return connection.hasAttr(REFUSED);
    }

    /** The peer refused this end: it closes the connection next. */
    final void refusedBy(ChannelHandlerContext ctx, ChannelMessage.Refused refused) {
        problem(peerRefusal + refused.reason());
        ctx.close();
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    // ---- observation (any thread) ----

    public final State state() {
        return state;
    }

    public final String lastProblem() {
        return lastProblem;
    }

    public final long nanosSinceTraffic() {
        return System.nanoTime() - lastTrafficNanos;
    }

    public final CodecStats codecStats() {
        return codec.stats();
    }

    /** Notes every message, and drops what arrives after this end refused the peer. */
    private final class Traffic extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            heard(ctx.channel(), System.nanoTime());
            if (!refused(ctx.channel())) {
                ctx.fireChannelRead(message);
            }
        }
    }

    /** The pipeline's end: the connection's close and failures, from whichever phase. */
    private final class Events extends ChannelInboundHandlerAdapter {
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(ctx, cause);
        }
    }
}
