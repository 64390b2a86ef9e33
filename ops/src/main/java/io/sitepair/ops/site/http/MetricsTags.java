package io.sitepair.ops.site.http;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** Every metric of the site, the JVM's included, labelled with its pair and site: one Prometheus job scrapes both sites. */
@Factory
final class MetricsTags {
    @Singleton
    MeterFilter pairAndSite(ServedSite served) {
        return MeterFilter.commonTags(Tags.of("pair", served.pair().pair(), "site", served.name()));
    }
}
