package io.sitepair.ops.site;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.status.StartingStatus;
import java.util.concurrent.CountDownLatch;

/**
 * A site process before it has a role, or between two (rejoining after a switchover): it waits for
 * the quorum to say what it is, and its status and log say what it waits for. A site never exits
 * for want of a quorum; it waits, as the README promises.
 */
final class StartingSite implements Site {
    private final String site;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String reason;

    StartingSite(String site, String reason) {
        this.site = site;
        this.reason = reason;
        System.out.println("site " + site + ": " + reason);
    }

    /** What the site waits for now; logged once per change, not once per retry. */
    void waiting(String why) {
        if (!why.equals(reason)) {
            reason = why;
            System.out.println("site " + site + ": " + why);
            System.out.flush();
        }
    }

    @Override
    public SiteStatus status() {
        return StartingStatus.waiting(site, reason);
    }

    @Override
    public Role role() {
        return Role.STARTING;
    }

    @Override
    public void stop() {
        stopped.countDown();
    }

    /** Until {@link #stop}; a starting site has no VM, hence no state to report. */
    @Override
    public String await() throws InterruptedException {
        stopped.await();
        return "";
    }
}
