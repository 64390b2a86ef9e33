package io.sitepair.ops.drill;

import io.sitepair.ops.site.PairView;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.tiebreaker.QuorumProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The pair as a drill finds it: which site serves and which protects it, and why a drill should
 * not start now (the pair unprotected, the quorum short of a majority, with one member down or
 * none). A drill refuses to start on any of these unless forced, and the report records the force.
 *
 * @param primary the serving site; null if none serves
 * @param backup  the other site
 * @param epoch   the primary's epoch; -1 if none serves
 */
record Preflight(PairView view, String primary, String backup, long epoch, List<String> refusals) {
    private static final Duration ASK = Duration.ofSeconds(5);

    static Preflight look(DrillRun run, Instant now) {
        PairView view = PairView.look(run.pair(), run.admin(), null, ASK, now);
        List<String> refusals = new ArrayList<>();
        String primary = null;
        long epoch = -1;
        for (SiteStatus status : view.status().sites().values()) {
            if (status instanceof PrimaryStatus serving && PairWaits.serves(status)) {
                primary = status.site();
                epoch = serving.epoch() == null ? -1 : serving.epoch();
                if (!serving.pairProtected()) {
                    refusals.add("the pair is not protected: site " + primary + " is " + status.role().label()
                            + " (" + status.reason() + ")");
                }
            }
        }
        String backup = null;
        if (primary == null) {
            refusals.add("no site serves: " + view.status().sites().values().stream()
                    .map(Preflight::describe).toList());
        } else {
            backup = run.pair().peerOf(primary).name();
            SiteStatus other = view.status().sites().get(backup);
            if (other.role() != Role.BACKUP) {
                refusals.add(describe(other) + ", not the protecting backup");
            }
        }
        QuorumProbe.Report quorum = view.quorum();
        if (quorum == null) {
            refusals.add("the pair configures no coordination: no site goes live by itself, and no drill lock"
                    + " can be held");
        } else if (!quorum.down().isEmpty()) {
            refusals.add("the quorum is not healthy: " + quorum.describe());
        }
        return new Preflight(view, primary, backup, epoch, List.copyOf(refusals));
    }

    private static String describe(SiteStatus status) {
        return status instanceof NoAnswer none ? "site " + status.site()
                + " does not answer (" + none.error() + ")" : "site " + status.site() + " is " + status.role().label();
    }
}
