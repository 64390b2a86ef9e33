package io.sitepair.ops.status;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.Protection;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StartingStatus;
import io.sitepair.tiebreaker.QuorumProbe;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What in a pair's status needs an operator, alarms first, each with what to do: a quorum lost or
 * one failure from lost, a site that did not answer or halted, a serving site unprotected,
 * fenced or cut off from its clients (its virtual NIC down), a resync waiting for an operator or
 * not moving, a full log buffer, and the security warnings. The one list both
 * {@code sitepair status} and the dashboard show.
 */
public final class StatusProblems {
    /** A copy that has moved no block for this long is stalled (as long as {@code sitepair resync} waits). */
    static final double STALLED_AFTER_S = 30;

    private StatusProblems() {}

    public static List<Problem> of(PairStatus status) {
        return of(status, null);
    }

    /** The problems of {@code status}, and of the quorum as {@code quorum} found it (null: not probed). */
    public static List<Problem> of(PairStatus status, QuorumProbe.Report quorum) {
        List<Problem> problems = new ArrayList<>();
        if (quorum != null && quorum.serving().size() < quorum.majority()) {
            problems.add(Problem.alarm("quorum-lost", "no ZooKeeper quorum: " + quorum.describe(),
                    "start the ZooKeeper peers that are down (" + String.join(", ", quorum.down()) + "): until a"
                            + " majority serves, no failover can be arbitrated"));
        }
        status.sites().forEach((name, site) -> {
            String peer = peerOf(status, name);
            switch (site) {
                case NoAnswer none -> problems.add(Problem.alarm("unreachable", "site " + name + " did not answer: "
                        + none.error(),
                        "check that its daemon runs (`sitepair up --site " + name + "` on its machine) and that the"
                                + " network reaches it; `sitepair status` on its machine says more"));
                case PrimaryStatus serving -> serving(name, peer, serving, problems);
                case BackupStatus backup -> halted(name, backup, problems);
                case StartingStatus starting -> {} // its reason, on its line, says what it waits for
            }
        });
        if (quorum != null && quorum.serving().size() == quorum.majority() && !quorum.down().isEmpty()) {
            problems.add(Problem.warning("quorum-at-risk", "one more ZooKeeper peer down and no failover can be"
                    + " arbitrated: " + quorum.describe(), "start the ZooKeeper peers that are down ("
                    + String.join(", ", quorum.down()) + ")"));
        }
        status.security().warnings().forEach(warning -> problems.add(Problem.warning("security", warning, null)));
        problems.sort(Comparator.comparing(Problem::severity)); // stable: alarms first, each in its order
        return problems;
    }

    private static void serving(String name, String peer, PrimaryStatus site, List<Problem> problems) {
        halted(name, site, problems);
        Protection protection = site.protection();
        if (site.role().serves() && protection != null && protection.state() == Protection.State.UNPROTECTED) {
            Cause cause = Cause.of(protection.detail()); // the backup's failure, as the serving site saw it
            problems.add(Problem.alarm(cause == Cause.OTHER ? "unprotected" : cause.kind, "site " + name
                    + " serves UNPROTECTED: " + protection.detail(), unprotectedToDo(name, peer, cause)));
        }
        if (site.role().serves() && site.nic() != null && !site.nic().linkUp()) {
            problems.add(Problem.alarm("nic-down", "site " + name + "'s virtual NIC (tap " + site.nic().tap() + " on "
                    + site.nic().bridge() + ") no longer receives frames: clients cannot reach the guest",
                    "site " + name + "'s log says why reading the TAP device failed; `sitepair failover --to " + peer
                            + "` moves the service, with its clients' connections, to site " + peer));
        }
        if (site.fenced() != null) {
            problems.add(Problem.alarm("fenced", "site " + name + " holds every output (fenced): " + site.fenced(),
                    "the ZooKeeper quorum is in doubt: bring back its peers that are down (the quorum line names"
                            + " them); outputs leave as soon as a majority answers"));
        }
        if (site.resync() != null) {
            resync(peer, site.resync(), problems);
        }
        if (site.delivery() == PrimaryStatus.Delivery.PAUSED && site.logging() != null) {
            problems.add(Problem.warning("clients-paused", "site " + name + " pauses its clients: its log for site "
                    + peer + " fills the"
                    + " buffer (" + mib(site.logging().bufferedBytes()) + " of " + mib(site.logging().bufferLimit())
                    + ")",
                    "the link to site " + peer + " carries less than the guest logs: check its bandwidth (the link"
                            + " line shows the rates) and that site " + peer + " keeps up"));
        }
    }

    private static String unprotectedToDo(String site, String peer, Cause cause) {
        String restart = "start site " + peer + " again (`sitepair up --site " + peer + "`): it rejoins as the"
                + " backup and a resync re-protects site " + site;
        return switch (cause) {
            case DIVERGENCE -> "site " + peer + "'s replay diverged from site " + site + "'s: " + restart
                    + "; then `sitepair verify` compares both sites";
            case DISK -> "site " + peer + "'s disk failed: repair or replace it (its log names the error), then "
                    + restart;
            case OTHER -> "a failure of site " + site + " now loses what site " + peer + " has not got. If site "
                    + peer + " is down, " + restart + "; if it runs, check the link between the sites";
        };
    }

    private static void halted(String name, SiteStatus site, List<Problem> problems) {
        if (site.role() != Role.HALTED) {
            return;
        }
        String restart = "start it again (`sitepair up --site " + name + "`): it rejoins as the backup and a resync"
                + " brings it up to date";
        Cause cause = Cause.of(site.reason());
        problems.add(Problem.alarm(cause.kind, "site " + name + " halted: " + site.reason(), switch (cause) {
            case DIVERGENCE -> "its replay differs from the live site's: " + restart
                    + "; then `sitepair verify` compares both sites";
            case DISK -> "its disk failed: repair or replace it (its log names the error), then " + restart;
            case OTHER -> "its log says why; once the cause is fixed, " + restart;
        }));
    }

    private static void resync(String target, ResyncStatus resync, List<Problem> problems) {
        switch (resync.phase()) {
            case SPLIT_BRAIN -> problems.add(Problem.alarm("split-brain", "split-brain: both sites served on their own since "
                    + resync.plan().divergence() + " (" + resync.plan().splitBrain() + "); the resync of site "
                    + target + " waits for an operator",
                    "`sitepair resync --dry-run` shows what each site wrote since; `sitepair resync --discard "
                            + target + "` throws away site " + target + "'s writes and resyncs it"));
            case AWAITING_APPROVAL -> problems.add(Problem.warning("awaiting-approval", "the resync of site " + target
                    + " waits for an operator's approval (the pair's resync start is manual)",
                    "`sitepair resync --dry-run` shows the plan; `sitepair resync` starts it"));
            case COPYING -> {
                if (resync.copiedBlocks() == 0 && resync.elapsedS() != null && resync.elapsedS() >= STALLED_AFTER_S) {
                    problems.add(Problem.alarm("resync-stalled", "the resync of site " + target
                            + " has copied nothing in "
                            + Math.round(resync.elapsedS()) + " s",
                            "check site " + target + " and the link between the sites; `sitepair resync` follows"
                                    + " the copy"));
                }
            }
            case PLANNING, DONE, ABORTED -> {}
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** The other site of the pair. */
    private static String peerOf(PairStatus status, String site) {
        return status.sites().keySet().stream().filter(name -> !name.equals(site)).findFirst().orElse("?");
    }

    /**
     * What a site's reason in words says went wrong, as far as the advice differs: the replicator's
     * phrases for a replay divergence and for a failed disk write (a device's error, or a drill's).
     */
    enum Cause {
        DIVERGENCE("divergence"), DISK("disk-fault"), OTHER("halted");

        /** The problem's kind when a site halts for this cause. */
        final String kind;

        Cause(String kind) {
            this.kind = kind;
        }

        static Cause of(String reason) {
            String words = reason.toLowerCase(Locale.ROOT);
            if (words.contains("diverged")) {
                return DIVERGENCE;
            }
            if (words.contains("i/o error") || words.contains("i/o failed") || words.contains("input/output error")
                    || words.contains("no space left") || words.contains("(injected)")) {
                return DISK;
            }
            return OTHER;
        }
    }
}
