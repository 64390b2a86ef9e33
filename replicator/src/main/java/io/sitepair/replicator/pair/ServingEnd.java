package io.sitepair.replicator.pair;

import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestFault;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a serving role ends: halted (another site is live), failed (its run failed) or stopped as
 * planned (power-off, switchover). Each way its links and its run stop, the block map is closed
 * and the site's run finishes, with the VM's state hash or with why not.
 */
final class ServingEnd {
    private static final Logger LOG = LoggerFactory.getLogger(ServingEnd.class);

    private final ServingParts parts;
    private final CompletableFuture<String> finished;
    private final Runnable endLinks;

    /** {@code endLinks} stops the channel, heartbeats and quorum guard; {@code finished} is the site's run. */
    ServingEnd(ServingParts parts, CompletableFuture<String> finished, Runnable endLinks) {
        this.parts = parts;
        this.finished = finished;
        this.endLinks = endLinks;
    }

    /** Stops serving at once, releasing nothing more: another site is live; on the loop. */
    void halt(String why) {
        if (!parts.role().moveTo(Role.HALTED, why)) {
            return;
        }
        LOG.error("site '{}' HALTED: {}", parts.settings().site(), why);
        parts.acks().abandon();
        endLinks.run();
        finished.completeExceptionally(new SiteHalted(why));
        Thread.ofPlatform().name("sitepair-halt").start(() -> {
            try {
                parts.run().stop();
            } catch (Exception e) {
                LOG.warn("stopping the halted run: {}", e.getMessage());
            }
            closeRecords();
        });
    }

    /** Waits for the run to end; a run that fails halts the site. On a thread of its own. */
    void watchRun() {
        try {
            parts.run().await();
        } catch (Exception e) {
            if (e instanceof GuestFault) {
                parts.settings().meters().guestFaulted();
            }
            parts.role().moveTo(Role.HALTED, e.getMessage());
            endLinks.run();
            closeRecords();
            finished.completeExceptionally(e);
        }
    }

    /** The role ends as planned: the site moves to stopped with {@code why}. */
    void stopped(String why) throws Exception {
        endLinks.run();
        ServedRun.Result result = parts.run().stop();
        parts.role().moveTo(Role.STOPPED, why);
        closeRecords();
        finished.complete(HexFormat.of().formatHex(result.stateHash()));
    }

    /** Once the VM writes no more: a clean stop of the block map. */
    private void closeRecords() {
        try {
            parts.records().close();
        } catch (Exception e) {
            LOG.warn("closing the block map failed: {}", e.getMessage());
        }
    }
}
