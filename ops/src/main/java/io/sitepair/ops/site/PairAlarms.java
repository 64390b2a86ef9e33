package io.sitepair.ops.site;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.Protection;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.tiebreaker.QuorumProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What in a {@link PairView} needs an operator, most urgent first, each with what to do. The status
 * gives a failure's cause in words only, so a divergence and a disk fault are told apart by the
 * words the sites use for them ("diverged"; an I/O error, a full disk, an injected fault).
 */
public final class PairAlarms {
    /** An alarm means the pair is at risk now; a warning, that it will be if nothing is done. */
    public enum Severity {
        ALARM, WARNING
    }

    /**
     * One thing to act on.
     *
     * @param kind a stable name (unreachable, halted, divergence, disk-fault, unprotected, split-brain,
     *             awaiting-approval, fenced, quorum-lost, quorum-at-risk, security)
     * @param todo what to do, in words; empty when {@code what} says it
     */
    public record Alarm(String kind, Severity severity, String what, String todo) {}

    private PairAlarms() {}

    public static List<Alarm> of(PairView view) {
        List<Alarm> alarms = new ArrayList<>();
        QuorumProbe.Report quorum = view.quorum();
        if (quorum != null && quorum.serving().size() < quorum.majority()) {
            alarms.add(new Alarm("quorum-lost", Severity.ALARM, "NO QUORUM: " + quorum.describe(),
                    "start the ZooKeeper peers that are down (" + String.join(", ", quorum.down()) + "): until a"
                            + " majority serves, no failover can be arbitrated"));
        }
        view.status().sites().forEach((name, status) -> site(name, status, alarms));
        if (quorum != null && quorum.serving().size() == quorum.majority()) {
            alarms.add(new Alarm("quorum-at-risk", Severity.WARNING, quorum.describe(),
                    "start the ZooKeeper peers that are down (" + String.join(", ", quorum.down()) + ")"));
        }
        view.status().security().warnings().forEach(warning ->
                alarms.add(new Alarm("security", Severity.WARNING, warning, ""))); // says what to do itself
        alarms.sort((x, y) -> x.severity().compareTo(y.severity()));
        return alarms;
    }

    private static void site(String name, SiteStatus status, List<Alarm> alarms) {
        if (status instanceof NoAnswer none) {
            alarms.add(new Alarm("unreachable", Severity.ALARM, "site " + name + " does not answer: " + none.error(),
                    "check that `sitepair up --site " + name + "` runs on its machine and that its admin address"
                            + " is reachable from here"));
            return;
        }
        if (status.role() == Role.HALTED) {
            alarms.add(failure("halted", "site " + name + " halted: " + status.reason(), status.reason(),
                    "read site " + name + "'s log; once the cause is fixed start it again (`sitepair up --site "
                            + name + "`): it rejoins as the backup and is resynced"));
        }
        Protection protection = status.protection();
        if (protection != null && protection.state() == Protection.State.UNPROTECTED) {
            alarms.add(failure("unprotected", "site " + name + " serves UNPROTECTED: " + protection.detail(),
                    protection.detail(), "its outputs leave without a copy on the other site: bring the other"
                            + " site back (`sitepair up`); it is re-protected by itself"));
        }
        if (status instanceof PrimaryStatus primary) {
            if (primary.fenced() != null) {
                alarms.add(new Alarm("fenced", Severity.ALARM, "site " + name + " holds its outputs: "
                        + primary.fenced(), "restore its link to the ZooKeeper quorum"));
            }
            ResyncStatus resync = primary.resync();
            if (resync != null && resync.phase() == ResyncStatus.Phase.SPLIT_BRAIN) {
                alarms.add(new Alarm("split-brain", Severity.ALARM, "SPLIT-BRAIN: " + resync.plan().splitBrain(),
                        "decide whose writes since " + resync.plan().divergence() + " to throw away: `sitepair"
                                + " resync --config FILE --discard SITE` (the plan lists what each site wrote)"));
            } else if (resync != null && resync.phase() == ResyncStatus.Phase.AWAITING_APPROVAL) {
                alarms.add(new Alarm("awaiting-approval", Severity.WARNING, "the resync of site "
                        + resync.plan().direction().target() + " waits for an operator",
                        "start it: `sitepair resync --config FILE`"));
            }
        }
    }

    /** A divergence, a disk fault, or else an alarm of {@code kind}, by what the site says of {@code cause}. */
    private static Alarm failure(String kind, String what, String cause, String todo) {
        String words = cause.toLowerCase(Locale.ROOT);
        if (words.contains("diverged")) {
            return new Alarm("divergence", Severity.ALARM, what, "the backup's replay differed from the primary:"
                    + " keep its log and data for a bug report, then start it again to resync it from the live site");
        }
        if (words.contains("input/output error") || words.contains("no space left") || words.contains("(injected)")) {
            return new Alarm("disk-fault", Severity.ALARM, what, "repair or replace the failed disk (the site's log"
                    + " names it), then start the site again (`sitepair up`): it is resynced from the live site");
        }
        return new Alarm(kind, Severity.ALARM, what, todo);
    }
}
