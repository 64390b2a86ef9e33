package io.sitepair.replicator.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.sitepair.replicator.tls.PeerRule;
import io.sitepair.replicator.tls.TlsException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLKeyException;
import javax.net.ssl.SSLSession;

/**
 * The logging channel's TLS layer, at the bottom of each connection's pipeline (so LZ4-compressed
 * entries travel inside it): mutual TLS 1.3 where the peer's certificate must name the other site
 * of this pair, issued by the pair's CA. A handshake that fails is logged once, in words, by the
 * end that refused (the reason its trust manager gave) and by the end that was refused (the TLS
 * alert it received); the connection closes before any message of the pair's protocol.
 *
 * <p>The TLS session's exporter value is the channel binding the handshake's HMAC proofs mix in,
 * so a proof made for one TLS session is worthless in another.
 */
final class ChannelTls {
    static final String EXPORTER_LABEL = "EXPORTER-sitepair-logging-channel";
    static final int BINDING_BYTES = 32;
    private static final byte[] NO_BINDING = new byte[0];
    private static final String HANDLER = "tls";
    /** Alerts that say the peer did not accept this end's certificate. */
    private static final Set<String> CERTIFICATE_ALERTS = Set.of("bad_certificate", "unsupported_certificate",
            "certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied",
            "certificate_required");
    private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");

    private ChannelTls() {}

    /**
     * The context every connection of {@code me}'s end is made from, or null when TLS is off. Its
     * key and trust managers read rotated files at each handshake, so one per end is enough.
     */
    static SslContext context(PairIdentity me, boolean server) {
        if (me.tls() == null) {
            return null;
        }
        PeerRule rule = PeerRule.only(me.peerPrincipal());
        try {
            return server ? me.tls().nettyServer(rule) : me.tls().nettyClient(rule);
        } catch (SSLException e) {
            throw new TlsException("cannot set up TLS for the logging channel: " + e.getMessage(), e);
        }
    }

    /**
     * Puts TLS first in {@code ch}'s pipeline, or, with TLS off ({@code context} null), a guard that
     * names a TLS peer instead of failing on its handshake as a malformed frame.
     */
    static void install(Channel ch, SslContext context, ChannelEnd end) {
        ChannelPipeline pipeline = ch.pipeline();
        if (context == null) {
            pipeline.addLast("plaintext", new PlaintextGuard(end));
            return;
        }
        SslHandler ssl = context.newHandler(ch.alloc());
        ssl.setHandshakeTimeoutMillis(0); // the channel's handshake limit covers the TLS handshake too
        pipeline.addLast(HANDLER, ssl);
        pipeline.addLast("tls-outcome", new Outcome(end));
    }

    static boolean secured(Channel ch) {
        return ch.pipeline().get(SslHandler.class) != null;
    }

    /** The binding of the TLS session on {@code ch} (once its handshake completed); empty without TLS. */
    static byte[] binding(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return NO_BINDING;
        }
        SSLSession session = ssl.engine().getSession();
        if (!(session instanceof ExtendedSSLSession extended)) {
            throw new IllegalStateException("the TLS session (" + session.getClass().getName()
                    + ") offers no keying material exporter");
        }
        try {
            return extended.exportKeyingMaterialData(EXPORTER_LABEL, NO_BINDING, BINDING_BYTES);
        } catch (SSLKeyException e) {
            throw new IllegalStateException("the TLS session exports no keying material: " + e.getMessage(), e);
        }
    }

    /** What went wrong in the TLS layer with the peer at {@code peer}, in words for the log. */
    static String explain(Throwable failure, String peer) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "the peer at " + peer + " does not speak TLS (a plaintext peer, or a sitepair without TLS)";
            }
            if (t instanceof CertificateException refusal) {
                return "refused the peer at " + peer + " in the TLS handshake: " + refusal.getMessage();
            }
            if (t instanceof ClosedChannelException) {
                return "the peer at " + peer + " closed the connection during the TLS handshake (it may run without"
                        + " TLS, or have refused this site: its log says why)";
            }
            Matcher alert = t.getMessage() == null ? null : ALERT.matcher(t.getMessage());
            if (alert != null && alert.find()) {
                String name = alert.group(1);
                return CERTIFICATE_ALERTS.contains(name)
                        ? "the peer at " + peer + " refused this site's certificate (TLS alert: " + name + ")"
                        : "the peer at " + peer + " ended the TLS session (TLS alert: " + name + ")";
            }
            if (t.getMessage() != null && t.getMessage().contains("Empty client certificate chain")) {
                return "refused the peer at " + peer + " in the TLS handshake: the peer presented no certificate";
            }
        }
        return "TLS with the peer at " + peer + " failed: " + ChannelEnd.rootMessage(failure);
    }

    static String address(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a ? a.getHostString() + ":" + a.getPort()
                : String.valueOf(ch.remoteAddress());
    }

    private static boolean isTls(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Right above the {@link SslHandler}: logs its failure once per connection (it may be reported
     * both as a failed handshake and as an exception) and closes; other events pass on. A handshake
     * cut short because this end closed the connection (its handshake limit, a stop) is not the
     * peer's doing and is not reported again.
     */
    private static final class Outcome extends ChannelDuplexHandler {
        private final ChannelEnd end;
        private boolean reported;

        Outcome(ChannelEnd end) {
            this.end = end;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
                fail(ctx, done.cause());
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (isTls(cause)) {
                fail(ctx, cause);
            } else {
                ctx.fireExceptionCaught(cause);
            }
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            reported = true;
            ctx.close(promise);
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            if (!reported) {
                reported = true;
                end.problem(explain(cause, address(ctx.channel())));
            }
            ctx.close();
        }
    }

    /** With TLS off: a peer whose first bytes are a TLS handshake record is named as such, and dropped. */
    private static final class PlaintextGuard extends ChannelInboundHandlerAdapter {
        private static final byte HANDSHAKE_RECORD = 0x16;
        private static final byte TLS_MAJOR_VERSION = 0x03;
        private final ChannelEnd end;

        PlaintextGuard(ChannelEnd end) {
            this.end = end;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (message instanceof ByteBuf bytes && bytes.readableBytes() >= 2
                    && bytes.getByte(bytes.readerIndex()) == HANDSHAKE_RECORD
                    && bytes.getByte(bytes.readerIndex() + 1) == TLS_MAJOR_VERSION) {
                ReferenceCountUtil.release(message);
                end.problem("the peer at " + address(ctx.channel()) + " speaks TLS, but TLS is off on this site;"
                        + " closing its connection");
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(message);
        }
    }
}
