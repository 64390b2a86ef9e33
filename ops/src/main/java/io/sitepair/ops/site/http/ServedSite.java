package io.sitepair.ops.site.http;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.replicator.pair.Site;
import java.util.function.Supplier;

/**
 * What a site's HTTP plane serves: the site named {@code name} of {@code pair}, as {@code current}
 * gives it at the moment of each request (it changes across a rejoin).
 */
public record ServedSite(PairConfig pair, String name, Supplier<Site> current) {
    public Site site() {
        return current.get();
    }

    /** Whether the plane is HTTPS with client certificates (else plain HTTP, a lab's, with signed operations). */
    public boolean tls() {
        return pair.tls().on();
    }
}
