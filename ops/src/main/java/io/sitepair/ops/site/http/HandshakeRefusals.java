package io.sitepair.ops.site.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.sitepair.ops.config.Addresses;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each TLS connection the plane refuses (no certificate, another pair's, an expired one, a
 * client that does not speak TLS 1.3), one line with the reason the pair's trust manager gave:
 * what an operator looks for when a monitor's scrapes stop.
 */
@Singleton
final class HandshakeRefusals implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeRefusals.class);

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new Connections(null));
        return event.getBean();
    }

    /** Specialised once per accepted connection, to watch its handshake. */
    private record Connections(Channel channel) implements NettyServerCustomizer {
        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new Connections(channel) : this;
        }

        @Override
        public void onInitialPipelineBuilt() {
            SslHandler tls = channel == null ? null : channel.pipeline().get(SslHandler.class);
            if (tls == null) {
                return; // plain HTTP
            }
            tls.handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    LOG.warn("admin API: refused a TLS connection from {}: {}", from(channel),
                            reason(handshake.cause()));
                }
            });
        }

        private static String from(Channel channel) {
            return channel.remoteAddress() instanceof InetSocketAddress address ? Addresses.hostPort(address)
                    : String.valueOf(channel.remoteAddress());
        }

        /** The innermost message: the trust manager's words, not the SSLEngine's wrapping of them. */
        private static String reason(Throwable cause) {
            if (cause instanceof NotSslRecordException) {
                return "it does not speak TLS (plain http:// to this https:// port?)";
            }
            if (cause instanceof ClosedChannelException) {
                return "it closed the connection before the handshake finished (a port check, or a client that"
                        + " does not trust this site's certificate: another CA, or not the site it dialled)";
            }
            Throwable innermost = cause;
            while (innermost.getCause() != null && innermost.getCause() != innermost) {
                innermost = innermost.getCause();
            }
            return innermost.getMessage() != null ? innermost.getMessage() : innermost.getClass().getSimpleName();
        }
    }
}
