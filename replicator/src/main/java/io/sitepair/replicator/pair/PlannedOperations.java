package io.sitepair.replicator.pair;

import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.pair.SiteState.Operation;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator asks of a serving site, each held in its state as the operation under way:
 * the clean power-off, the planned switchover to the backup, and the online verify. Called from
 * the operator's thread; what touches the site's state runs on the served run's loop.
 */
final class PlannedOperations {
    private static final Logger LOG = LoggerFactory.getLogger(PlannedOperations.class);
    private static final long POWER_OFF_WAIT_MS = 10_000;
    private static final long SWITCHOVER_WAIT_MS = 30_000;

    /** What the operations need of the serving site. */
    interface Serving {
        long epoch();

        /**
         * This role ends as planned: its links and run stop, the site moves to stopped with
         * {@code why}, and the site's run finishes with the VM's state hash.
         */
        void endStopped(String why) throws Exception;

        /** Runs {@code task} on the loop, unless the site has ended. */
        void onLoop(Runnable task);
    }

    private final ServingParts parts;
    private final PrimaryStatusReport report;
    private final Serving serving;
    private volatile boolean switchedOver;
    private volatile String switchoverAbandoned; // null unless a switchover was abandoned
    private volatile boolean switchoverWaiting; // a switchover waits for the backup to take the epoch

    PlannedOperations(ServingParts parts, PrimaryStatusReport report, Serving serving) {
        this.parts = parts;
        this.report = report;
        this.serving = serving;
    }

    /**
     * Clean power-off: delivers no more events, logs a power-off marker and waits (bounded) until
     * the backup holds it, so the backup stops at exactly this state instead of going live.
     */
    void powerOff() throws Exception {
        long powerOff = parts.run().loop().submit(() -> holdDeliveryAndLog(Operation.POWER_OFF,
                LogRecord.Control.Operation.POWER_OFF, at -> "powering off")).get();
        if (!backupHolds(powerOff, POWER_OFF_WAIT_MS)) {
            LOG.warn("the backup did not acknowledge the power-off within {} ms; it will report the"
                    + " primary as failed", POWER_OFF_WAIT_MS);
        }
        serving.endStopped("powered off at position " + powerOff);
    }

    /**
     * On the loop: {@code operation} is under way, delivery holds, and its {@code marker} is logged
     * and shipped; returns the marker's position ({@code why} says the change, given it).
     */
    private long holdDeliveryAndLog(Operation operation, LogRecord.Control.Operation marker, LongFunction<String> why) {
        long at = parts.log().append(new LogRecord.Control(marker));
        parts.role().change(st -> st.with(operation), why.apply(at));
        parts.flow().updateDelivery();
        parts.shipper().shipPending();
        return at;
    }

    /**
     * Waits up to {@code timeoutMs} for the backup to hold {@code position}; returns whether it
     * does. A primary without a backup (it failed meanwhile) has nothing to wait for: false.
     */
    private boolean backupHolds(long position, long timeoutMs) throws Exception {
        CompletableFuture<Void> held = parts.run().loop().submit(() -> parts.role().role() == Role.PRIMARY
                ? parts.acks().reach(position) : CompletableFuture.<Void>completedFuture(null)).get();
        try {
            held.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        }
        return parts.run().loop().submit(() -> parts.role().role() == Role.PRIMARY
                && parts.acks().acknowledged() >= position).get();
    }

    /**
     * Planned switchover: delivers no more events, logs a switchover marker and waits until the
     * backup holds it (so every output this site made may leave); the backup then replays to the
     * marker and claims the next epoch. Once the quorum shows the backup live, this site stops
     * serving, closing its clients' connections (they reconnect to the new endpoint), and rejoins
     * as the backup. If the backup fails meanwhile, this site claims the epoch and goes on alone.
     */
    String switchOver() throws Exception {
        if (!parts.arbitration().enabled()) {
            throw new IllegalStateException("a switchover passes the epoch through ZooKeeper; this pair has no"
                    + " coordination configured");
        }
        long seenEpoch = serving.epoch();
        long marker = parts.run().loop().submit(() -> {
            if (!parts.primaryStreaming() || operation() != Operation.NONE) {
                throw new IllegalStateException("site '" + parts.settings().site() + "' is "
                        + parts.role().role().label() + ", " + report.protection()
                        + (operation() == Operation.NONE ? "" : ", " + busy())
                        + "; only a protected primary can switch over");
            }
            long at = holdDeliveryAndLog(Operation.SWITCHOVER, LogRecord.Control.Operation.SWITCHOVER,
                    position -> "switching over to site '" + parts.peerSite() + "' at position " + position);
            switchoverWaiting = true;
            return at;
        }).get();
        try {
            return awaitSwitchover(seenEpoch, marker);
        } finally {
            switchoverWaiting = false;
        }
    }

    /** Waits for the backup to hold the marker and take the epoch; see {@link #switchOver}. */
    private String awaitSwitchover(long seenEpoch, long marker) throws Exception {
        long start = System.nanoTime();
        backupHolds(marker, SWITCHOVER_WAIT_MS);
        long left = Math.max(1, SWITCHOVER_WAIT_MS - (System.nanoTime() - start) / 1_000_000);
        var record = parts.arbitration().epochAfter(seenEpoch, left).get();
        String abandoned = switchoverAbandoned;
        if (record == null && abandoned != null) {
            throw new IllegalStateException("the switchover was abandoned: " + abandoned);
        }
        if (record == null) {
            throw new IllegalStateException("site '" + parts.peerSite() + "' has not taken epoch "
                    + (seenEpoch + 1) + " within " + SWITCHOVER_WAIT_MS / 1000 + " s; this site holds its clients"
                    + " (delivery paused) until it does or fails");
        }
        if (!record.liveSite().equals(parts.peerSite())) {
            throw new IllegalStateException("the switchover did not happen: " + record + " (the backup failed and"
                    + " this site went on alone)");
        }
        String done = String.format("switched over to site '%s' in epoch %d at position %d in %d ms; clients on %s",
                record.liveSite(), record.epoch(), marker, (System.nanoTime() - start) / 1_000_000, record.endpoint());
        switchedOver = true;
        serving.endStopped(done + "; this site rejoins as the backup");
        return done;
    }

    /**
     * A switchover whose backup restarted is over: the returning site, re-protected by a copy,
     * replays from the copy's position, past the marker, so it will never take the epoch. Delivery
     * resumes, this site still a protected primary. On the loop.
     */
    void abandonSwitchover(String why) {
        if (parts.role().change(s -> s.operation() == Operation.SWITCHOVER ? s.with(Operation.NONE) : s,
                "switchover abandoned: " + why)) {
            switchoverAbandoned = why;
            parts.flow().updateDelivery();
        }
    }

    /** Whether a switchover waits for the backup to take the next epoch (a later epoch is then expected). */
    boolean switchoverWaiting() {
        return switchoverWaiting;
    }

    /** Whether this site switched over, and so rejoins as the backup. */
    boolean switchedOver() {
        return switchedOver;
    }

    /**
     * Online verify (and repair) through the log; see {@link OnlineVerify}. Only while protected:
     * the backup must replay the checks.
     */
    String verify(boolean repair) throws Exception {
        try {
            parts.run().loop().submit(() -> {
                String refusal = operation() == Operation.VERIFY ? "a verify is already under way" : verifyRefusal();
                if (refusal != null) {
                    throw new IllegalStateException(refusal);
                }
                parts.role().change(s -> s.with(Operation.VERIFY), repair ? "verify and repair" : "verify");
            }).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        try {
            return parts.verifier().verify(repair, this::verifyRefusal);
        } finally {
            serving.onLoop(() -> parts.role().change(
                    s -> s.operation() == Operation.VERIFY ? s.with(Operation.NONE) : s, "verify done"));
        }
    }

    /** Why this site cannot verify now, or null; on the loop. */
    private String verifyRefusal() {
        boolean protectedPrimary = parts.primaryStreaming();
        if (protectedPrimary && operation() != Operation.NONE && operation() != Operation.VERIFY) {
            return "site '" + parts.settings().site() + "' is " + busy();
        }
        return protectedPrimary ? null : "site '" + parts.settings().site() + "' is " + parts.role().role().label()
                + ", " + report.protection() + "; only a protected primary can verify";
    }

    /** The operation under way, as an operator reads it; on the loop. */
    private String busy() {
        return switch (operation()) {
            case SWITCHOVER -> "already switching over";
            case VERIFY -> "verifying";
            case RESYNC -> "resyncing its peer";
            case POWER_OFF -> "powering off";
            case NONE -> "idle";
        };
    }

    private Operation operation() {
        return parts.role().state().operation();
    }
}
