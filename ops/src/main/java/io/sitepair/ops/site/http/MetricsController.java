package io.sitepair.ops.site.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/**
 * {@code GET /metrics}: the site's metrics in Prometheus's text exposition format, for a scrape
 * (with TLS on, by a monitor's certificate: {@code sitepair cert issue --operator NAME --read-only}).
 */
@Controller
final class MetricsController {
    /** The exposition format's version Prometheus negotiates for text. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    MetricsController(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Get(uri = "/metrics", produces = CONTENT_TYPE)
    String metrics() {
        return registry.scrape();
    }
}
