package io.sitepair.ops.drill;

import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.SiteStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Predicate;

/** What the drills wait for, and ask, of the pair's sites. */
final class PairWaits {
    private static final Duration ASK = Duration.ofSeconds(2);

    private PairWaits() {}

    /** {@code site}'s status once {@code condition} holds; null if it did not within {@code timeout}. */
    static SiteStatus until(DrillRun run, String site, Duration timeout, Predicate<SiteStatus> condition)
            throws InterruptedException {
        long deadline = run.nanos() + timeout.toNanos();
        while (true) {
            SiteStatus status = run.admin().status(site, ASK);
            if (condition.test(status)) {
                return status;
            }
            if (run.nanos() > deadline) {
                return null;
            }
            Thread.sleep(25);
        }
    }

    /** Whether {@code status} is a site serving (a site that does not answer has no role). */
    static boolean serves(SiteStatus status) {
        return status.role() != null && status.role().serves();
    }

    /** Whether {@code status} is a site serving, protected by its backup. */
    static boolean protectedPrimary(SiteStatus status) {
        return status instanceof PrimaryStatus && serves(status) && status.pairProtected();
    }

    /**
     * A planned switchover from {@code from}, the protected primary, to its backup, as the steps
     * {@code <what> requested} and {@code <what> live} of the timeline ({@code what}: switchover,
     * failback); returns whether the backup serves now.
     */
    static boolean switchOver(DrillRun run, String what, String from, String to) throws InterruptedException {
        run.step(what + " requested", "site " + from + " hands the pair over to site " + to);
        AdminAnswer answer;
        try {
            answer = run.admin().post(from, "switchover", Duration.ofSeconds(90));
        } catch (IOException e) {
            run.failed(what, "site " + from + " does not answer: " + e.getMessage());
            return false;
        }
        if (!answer.ok()) {
            run.failed(what, "site " + from + " refused: " + answer.text());
            return false;
        }
        run.step(what + " live", answer.text().lines().reduce((first, second) -> second).orElse(answer.text()));
        return true;
    }

    /** Waits (up to {@code timeout}) until {@code site} serves protected again: the step {@code name}, or a failed one. */
    static boolean reprotected(DrillRun run, String name, String site, Duration timeout) throws InterruptedException {
        SiteStatus status = until(run, site, timeout, PairWaits::protectedPrimary);
        if (status == null) {
            run.failed(name, "site " + site + " is not protected after " + timeout.toSeconds() + " s");
            return false;
        }
        PrimaryStatus primary = (PrimaryStatus) status;
        run.step(name, "site " + site + " serves protected in epoch " + primary.epoch()
                + (primary.lastReprotection() == null ? "" : "; " + primary.lastReprotection()));
        return true;
    }
}
