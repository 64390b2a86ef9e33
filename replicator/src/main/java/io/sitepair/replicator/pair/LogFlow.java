package io.sitepair.replicator.pair;

import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.status.PrimaryStatus;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The primary's log on its way to the backup, and the three controls it puts on event delivery:
 * batching (entries leave when the loop has handled the I/O it is on, so a burst of ready clients
 * makes one batch and nothing waits for a timer), flow control (the log held for the backup is
 * bounded) and lag control ({@link LagControl}). Confined to the served run's loop thread.
 */
final class LogFlow {
    private final ServedRun run;
    private final ShipLog log;
    private final LogShipper shipper;
    private final LagControl lag;
    private final long bufferBytes;
    private final BooleanSupplier protectedRole;
    private final BooleanSupplier held;
    private boolean iterationEndPending;
    private boolean bufferFull;
    private boolean throttled;
    private long flowControlPauses;

    /**
     * {@code protectedRole}: whether the site has a backup to ship to (else the log is discarded
     * as it grows); {@code held}: whether delivery is held for another reason (a switchover or a
     * power-off under way, the site ended).
     */
    LogFlow(ServedRun run, ShipLog log, LogShipper shipper, LagControl lag, long bufferBytes,
            BooleanSupplier protectedRole, BooleanSupplier held) {
        this.run = run;
        this.log = log;
        this.shipper = shipper;
        this.lag = lag;
        this.bufferBytes = bufferBytes;
        this.protectedRole = protectedRole;
        this.held = held;
    }

    /** After every event: ship at once when the batch is full, else once this loop iteration ends. */
    void afterEvent() {
        if (log.pendingFull()) {
            shipAndControl();
        }
        if (!iterationEndPending) {
            iterationEndPending = true;
            run.loop().execute(this::endOfIteration);
        }
    }

    private void endOfIteration() {
        iterationEndPending = false;
        shipAndControl();
        long busy = run.takeBusyNanos();
        long pause = protectedRole.getAsBoolean() ? lag.pauseAfter(busy) : 0;
        if (pause > 0 && !throttled) {
            throttled = true;
            updateDelivery();
            run.loop().schedule(() -> {
                throttled = false;
                updateDelivery();
            }, pause, TimeUnit.NANOSECONDS);
        }
    }

    private void shipAndControl() {
        if (!protectedRole.getAsBoolean()) {
            log.discardThrough(log.lastPosition()); // no backup to keep the log for
            return;
        }
        if (log.hasPending()) {
            lag.shipped(log.lastPosition(), log.pendingFirstTimestamp());
        }
        shipper.shipPending();
        checkBuffer();
    }

    /** The backup acknowledged: the buffer may have drained. */
    void acknowledged() {
        checkBuffer();
    }

    /** The backup is gone for good: nothing is held for it any more. */
    void alone() {
        bufferFull = false;
        log.discardThrough(log.lastPosition());
        updateDelivery();
    }

    /**
     * Flow control: delivery pauses when the log held for the backup exceeds its bound, and
     * resumes once it has drained to half (so it does not flap at the bound).
     */
    private void checkBuffer() {
        boolean full = log.bufferedBytesOver(bufferBytes);
        if (full && !bufferFull) {
            flowControlPauses++;
        }
        bufferFull = full || (bufferFull && log.bufferedBytesOver(bufferBytes / 2));
        updateDelivery();
    }

    /** Pauses or resumes event delivery as the controls and {@code held} say. */
    void updateDelivery() {
        run.pauseDelivery(bufferFull || throttled || held.getAsBoolean());
    }

    /** Whether delivery runs, is throttled, or is paused by flow control, for status. */
    PrimaryStatus.Delivery delivery() {
        return bufferFull ? PrimaryStatus.Delivery.PAUSED
                : throttled ? PrimaryStatus.Delivery.THROTTLED : PrimaryStatus.Delivery.RUNNING;
    }

    long flowControlPauses() {
        return flowControlPauses;
    }
}
