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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What in a pair's status needs an operator, each with what to do: a site that did not answer or
 * halted, a serving site unprotected or fenced, a resync waiting for an operator or not moving, a
 * full log buffer, and the security warnings.
 */
public final class StatusProblems {
    /** A copy that has moved no block for this long is stalled (as long as {@code sitepair resync} waits). */
    static final double STALLED_AFTER_S = 30;

    private StatusProblems() {}

    public static List<Problem> of(PairStatus status) {
        List<Problem> problems = new ArrayList<>();
        status.sites().forEach((name, site) -> {
            String peer = peerOf(status, name);
            switch (site) {
                case NoAnswer none -> problems.add(new Problem("site " + name + " did not answer: " + none.error(),
                        "check that its daemon runs (`sitepair up --site " + name + "` on its machine) and that the"
                                + " network reaches it; `sitepair status` on its machine says more"));
                case PrimaryStatus serving -> serving(name, peer, serving, problems);
                case BackupStatus backup -> halted(name, backup, problems);
                case StartingStatus starting -> {} // its reason, on its line, says what it waits for
            }
        });
        status.security().warnings().forEach(warning -> problems.add(new Problem(warning, null)));
        return problems;
    }

    private static void serving(String name, String peer, PrimaryStatus site, List<Problem> problems) {
        halted(name, site, problems);
        Protection protection = site.protection();
        if (site.role().serves() && protection != null && protection.state() == Protection.State.UNPROTECTED) {
            problems.add(new Problem("site " + name + " serves UNPROTECTED: " + protection.detail(),
                    unprotectedToDo(name, peer, Cause.of(protection.detail()))));
        }
        if (site.fenced() != null) {
            problems.add(new Problem("site " + name + " holds every output (fenced): " + site.fenced(),
                    "the ZooKeeper quorum is in doubt: bring back its peers that are down (the quorum line names"
                            + " them); outputs leave as soon as a majority answers"));
        }
        if (site.resync() != null) {
            resync(peer, site.resync(), problems);
        }
        if (site.delivery() == PrimaryStatus.Delivery.PAUSED && site.logging() != null) {
            problems.add(new Problem("site " + name + " pauses its clients: its log for site " + peer + " fills the"
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
        problems.add(new Problem("site " + name + " halted: " + site.reason(), switch (Cause.of(site.reason())) {
            case DIVERGENCE -> "its replay differs from the live site's: " + restart
                    + "; then `sitepair verify` compares both sites";
            case DISK -> "its disk failed: repair or replace it (its log names the error), then " + restart;
            case OTHER -> "its log says why; once the cause is fixed, " + restart;
        }));
    }

    private static void resync(String target, ResyncStatus resync, List<Problem> problems) {
        switch (resync.phase()) {
            case SPLIT_BRAIN -> problems.add(new Problem("split-brain: both sites served on their own since "
                    + resync.plan().divergence() + " (" + resync.plan().splitBrain() + "); the resync of site "
                    + target + " waits for an operator",
                    "`sitepair resync --dry-run` shows what each site wrote since; `sitepair resync --discard "
                            + target + "` throws away site " + target + "'s writes and resyncs it"));
            case AWAITING_APPROVAL -> problems.add(new Problem("the resync of site " + target
                    + " waits for an operator's approval (the pair's resync start is manual)",
                    "`sitepair resync --dry-run` shows the plan; `sitepair resync` starts it"));
            case COPYING -> {
                if (resync.copiedBlocks() == 0 && resync.elapsedS() != null && resync.elapsedS() >= STALLED_AFTER_S) {
                    problems.add(new Problem("the resync of site " + target + " has copied nothing in "
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
     * phrases for a replay divergence and for a failed disk write.
     */
    enum Cause {
        DIVERGENCE, DISK, OTHER;

        static Cause of(String reason) {
            if (reason.contains("diverged")) {
                return DIVERGENCE;
            }
            if (reason.contains("I/O error") || reason.contains("I/O failed") || reason.contains("No space left")) {
                return DISK;
            }
            return OTHER;
        }
    }
}
