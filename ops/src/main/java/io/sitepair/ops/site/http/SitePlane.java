package io.sitepair.ops.site.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.tls.TlsIdentity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A site's HTTP plane on its admin address: the admin API ({@code /status} and the operations),
 * {@code /metrics} for Prometheus and the dashboard ({@code /}). A Micronaut server on Netty, configured
 * here and only here: no configuration file, environment variable or system property of the host
 * changes it.
 *
 * <p>With the pair's TLS on it is HTTPS only, TLS 1.3, a client certificate of the pair required
 * (what its holder may do is {@link AdminAccess}'s decision); with TLS off (a lab on loopback) it
 * is plain HTTP, reads are open and operations are signed with the pair's secret.
 */
public final class SitePlane implements AutoCloseable {
    private final ApplicationContext context;
    private final InetSocketAddress address;

    private SitePlane(ApplicationContext context, InetSocketAddress address) {
        this.context = context;
        this.address = address;
    }

    /**
     * Serves {@code site} of {@code pair} on {@code address} (port 0: any free port), over HTTPS with
     * {@code identity}, or plain HTTP when the pair's TLS is off (null); {@code metrics} are the
     * site's own, exported beside the JVM's.
     */
    public static SitePlane start(InetSocketAddress address, PairConfig pair, String site, TlsIdentity identity,
                                  Supplier<Site> current, MeterBinder metrics) throws IOException {
        if (pair.tls().on() != (identity != null)) {
            throw new IllegalArgumentException("an identity goes with the pair's TLS, and only with it");
        }
        ApplicationContext context = ApplicationContext.builder()
                .banner(false)
                .eagerInitSingletons(true) // at start, not in the first request: a status asked then must not time out
                .deduceEnvironment(false)
                .deduceCloudEnvironment(false)
                .environmentPropertySource(false)
                .enableDefaultPropertySources(false)
                .properties(properties(address, identity != null))
                .singletons(new ServedSite(pair, site, current), new PlaneIdentity(identity), metrics)
                .build();
        try {
            context.start();
            // Now, not at the first scrape: a released output must reach the histogram from the start.
            // (The composite: it binds the JVM's and the site's meters, and holds the Prometheus registry.)
            context.getBean(MeterRegistry.class);
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            return new SitePlane(context, new InetSocketAddress(address.getAddress(), server.getPort()));
        } catch (RuntimeException e) {
            context.close();
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof java.net.BindException)) {
                cause = cause.getCause();
            }
            throw new IOException("cannot serve the admin API on " + Addresses.hostPort(address) + ": "
                    + cause.getMessage(), e);
        }
    }

    private static Map<String, Object> properties(InetSocketAddress address, boolean tls) {
        Map<String, Object> p = new HashMap<>();
        int port = address.getPort() == 0 ? -1 : address.getPort(); // Micronaut's "any free port"
        p.put("micronaut.server.host", address.getAddress().getHostAddress());
        if (tls) {
            p.put("micronaut.server.ssl.enabled", true);
            p.put("micronaut.server.ssl.port", port);
            p.put("micronaut.server.dual-protocol", false);
        } else {
            p.put("micronaut.server.port", port);
        }
        // One small event loop of its own, epoll where the kernel has it; blocking work (a switchover
        // waits for the backup) runs on virtual threads, never on the loop.
        p.put("micronaut.netty.event-loops.default.num-threads", 2);
        p.put("micronaut.netty.event-loops.default.transport", List.of("epoll", "nio"));
        p.put("micronaut.server.netty.parent.transport", List.of("epoll", "nio"));
        p.put("micronaut.server.thread-selection", "BLOCKING");
        p.put("micronaut.server.date-header", false);
        // No management endpoint but health; /metrics is served by MetricsController, under AccessFilter.
        p.put("endpoints.all.enabled", false);
        p.put("endpoints.health.enabled", true);
        p.put("endpoints.health.sensitive", false);
        p.put("endpoints.health.details-visible", "ANONYMOUS");
        p.put("micronaut.metrics.enabled", true);
        p.put("micronaut.metrics.export.prometheus.enabled", true);
        p.put("micronaut.metrics.export.prometheus.descriptions", true);
        p.put("micronaut.router.static-resources.dashboard.paths", "classpath:dashboard");
        p.put("micronaut.router.static-resources.dashboard.mapping", "/assets/**");
        return p;
    }

    /** Where it listens (the port chosen when the address asked for port 0). */
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        context.close();
    }
}
