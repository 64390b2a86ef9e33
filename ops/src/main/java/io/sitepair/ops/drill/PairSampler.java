package io.sitepair.ops.drill;

import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples the live site through the drill, for the report's small charts: replay lag, the
 * logging channel's rate on the wire, and the Output Rule's mean hold over each period. It also
 * notes every sample at which the pair was not protected, which a test drill must never see.
 */
final class PairSampler implements AutoCloseable {
    private static final Duration PERIOD = Duration.ofMillis(500);
    private static final Duration ASK = Duration.ofSeconds(2);

    private final DrillRun run;
    private final List<String> sites;
    private volatile String live;
    private final List<DrillReport.Sample> samples = new ArrayList<>();
    private final List<Double> unprotectedAtMs = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    /** Samples whichever site serves, {@code primary} first, from now until closed. */
    PairSampler(DrillRun run, String primary) {
        this.run = run;
        this.live = primary;
        this.sites = run.pair().siteNames();
        this.thread = Thread.ofPlatform().daemon().name("sitepair-drill-sampler").start(this::sampleUntilClosed);
    }

    private void sampleUntilClosed() {
        OutputRuleLatency last = null;
        String lastSite = null;
        while (!stop.get()) {
            double at = run.elapsedMs();
            String site = live;
            SiteStatus status = run.admin().status(site, ASK);
            if (!PairWaits.serves(status)) {
                String other = sites.get(1 - sites.indexOf(site));
                SiteStatus peer = run.admin().status(other, ASK);
                if (PairWaits.serves(peer)) {
                    live = site = other; // the pair failed or switched over: follow the serving site
                    status = peer;
                }
            }
            OutputRuleLatency now = outputHolds(run.admin(), site);
            double holdMs = last == null || now == null || !site.equals(lastSite) ? Double.NaN
                    : now.since(last).meanMs();
            if (status instanceof PrimaryStatus primary) {
                record(new DrillReport.Sample(at, primary.lagMs() == null ? Double.NaN : primary.lagMs(),
                        primary.logging() == null ? Double.NaN : primary.logging().wireMbitS(), holdMs),
                        primary.pairProtected(), at);
            } else {
                record(new DrillReport.Sample(at, Double.NaN, Double.NaN, holdMs), false, at);
            }
            last = now;
            lastSite = site;
            try {
                Thread.sleep(PERIOD);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void record(DrillReport.Sample sample, boolean protectedNow, double at) {
        samples.add(sample);
        if (!protectedNow) {
            unprotectedAtMs.add(at);
        }
    }

    /** {@code site}'s Output Rule histogram now; null when it does not answer. */
    static OutputRuleLatency outputHolds(AdminClient admin, String site) {
        try {
            AdminAnswer metrics = admin.get(site, "metrics", ASK);
            return metrics.ok() ? OutputRuleLatency.parse(metrics.text()) : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    synchronized List<DrillReport.Sample> samples() {
        return List.copyOf(samples);
    }

    /** When (ms since the drill began) a sample found the pair unprotected. */
    synchronized List<Double> unprotectedAtMs() {
        return List.copyOf(unprotectedAtMs);
    }

    @Override
    public void close() {
        stop.set(true);
        thread.interrupt();
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
