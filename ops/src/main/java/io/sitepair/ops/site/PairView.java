package io.sitepair.ops.site;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.tiebreaker.QuorumProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The pair as one observer sees it: each site's status, the quorum's health and how the links are
 * protected. The remote questions (each other site's status, the quorum probe) are asked at once,
 * each within {@code timeout}, so one that does not answer costs the view a timeout, not a sum of
 * them.
 *
 * @param quorum the probe of each ZooKeeper peer; null when the pair has no coordination
 */
public record PairView(PairStatus status, QuorumProbe.Report quorum) {
    private static final String NO_COORDINATION = "none configured: no site ever goes live by itself";

    /**
     * Asks {@code admin} every site's status except {@code own}'s (already known: the observer is a
     * site; null: it is not) and probes the quorum as {@code admin}'s holder.
     */
    public static PairView look(PairConfig pair, AdminClient admin, SiteStatus own, Duration timeout, Instant now) {
        try (ExecutorService questions = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<QuorumProbe.Report> probe = pair.coordination() == null
                    ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(() -> Coordination.probe(pair,
                            admin.identity() == null ? null : admin.identity().files(), timeout), questions);
            Map<String, CompletableFuture<SiteStatus>> asked = new LinkedHashMap<>();
            for (String site : pair.siteNames()) {
                asked.put(site, own != null && own.site().equals(site) ? CompletableFuture.completedFuture(own)
                        : CompletableFuture.supplyAsync(() -> admin.status(site, timeout), questions));
            }
            Map<String, SiteStatus> sites = new LinkedHashMap<>();
            asked.forEach((site, status) -> sites.put(site, status.join()));
            QuorumProbe.Report quorum = probe.join();
            // After the status questions: the report names the certificates the sites presented to them.
            return new PairView(new PairStatus(pair.pair(), quorum == null ? NO_COORDINATION : quorum.describe(),
                    LinkSecurityReport.of(pair, admin, now), sites), quorum);
        }
    }
}
