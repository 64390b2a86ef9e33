package io.sitepair.ops.site.http;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.server.netty.ssl.CertificateProvidedSslBuilder;
import io.micronaut.http.server.netty.ssl.ServerSslBuilder;
import io.micronaut.http.ssl.ServerSslConfiguration;
import io.sitepair.replicator.tls.PeerRule;
import io.netty.handler.ssl.SslContext;
import jakarta.inject.Singleton;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The plane's TLS is the site's own identity, the same as on its logging channel: TLS 1.3, a client
 * certificate of the pair required and checked by the pair's trust manager (which says in words
 * why it refuses one), the site's files reloaded when they change. Micronaut's keystore
 * configuration is not used at all.
 */
@Singleton
@Replaces(CertificateProvidedSslBuilder.class)
@Requires(property = "micronaut.server.ssl.enabled", value = "true")
final class PairSslBuilder implements ServerSslBuilder {
    private final ServerSslConfiguration configuration;
    private final PlaneIdentity identity;

    PairSslBuilder(ServerSslConfiguration configuration, PlaneIdentity identity) {
        this.configuration = configuration;
        this.identity = identity;
    }

    @Override
    public ServerSslConfiguration getSslConfiguration() {
        return configuration;
    }

    @Override
    public Optional<SslContext> build() {
        try {
            // Any holder of the pair's certificates gets through the handshake; what each may do is
            // decided per request (AccessFilter).
            return Optional.of(identity.identity().nettyServer(PeerRule.ANY_OF_THE_PAIR));
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make the admin API's TLS context: " + e.getMessage(), e);
        }
    }
}
