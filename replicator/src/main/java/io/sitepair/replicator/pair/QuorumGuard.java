package io.sitepair.replicator.pair;

import io.sitepair.tiebreaker.NoQuorumException;
import io.sitepair.tiebreaker.Tiebreaker;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences a serving site's outputs on its ZooKeeper connection (Curator's SUSPENDED and LOST; the
 * double-leader failures in Curator's tech notes come from ignoring them). While the session is in
 * doubt another site may be winning the next epoch, so outputs are held; after reconnecting, the
 * site resumes only if the quorum confirms it is still the live site of its epoch, and halts if
 * not.
 *
 * <p>The guard belongs to one serving role of this process: it is closed when that role ends (a
 * halt, a power-off, a switchover), so a process that switched over and back is guarded only by
 * its current role's guard.
 */
final class QuorumGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumGuard.class);

    /** Where the guard holds and frees the site's outputs, saying why. */
    interface Fence {
        void hold(String why);

        void release(String why);
    }

    private final Tiebreaker tiebreaker;
    private final String site;
    private final LongSupplier epoch;
    private final Fence fence;
    private final Consumer<String> halt;
    private final QuorumRetry retry;
    private volatile String state = "";
    private volatile boolean connected = true;
    private volatile boolean closed;
    private Tiebreaker.Registration registration;

    QuorumGuard(Tiebreaker tiebreaker, String site, LongSupplier epoch, Fence fence, Consumer<String> halt,
                QuorumRetry retry) {
        this.tiebreaker = tiebreaker;
        this.site = site;
        this.epoch = epoch;
        this.fence = fence;
        this.halt = halt;
        this.retry = retry;
    }

    /** Starts watching; a null tiebreaker (no coordination) means there is nothing to guard. */
    void start() {
        if (tiebreaker != null) {
            registration = tiebreaker.onConnectionChange(this::changed);
        }
    }

    /** The role this guard protected has ended: it hears of no further change and confirms nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        if (registration != null) {
            registration.close();
        }
    }

    // Synchronized with the un-fencing in confirm(): a suspension that arrives while a confirmation
    // is answering must not be overtaken by it.
    private synchronized void changed(Tiebreaker.Connection connection) {
        if (closed) {
            return;
        }
        switch (connection) {
            case SUSPENDED, LOST -> {
                connected = false;
                state = "outputs held: ZooKeeper connection " + connection.name().toLowerCase(java.util.Locale.ROOT);
                fence.hold(state);
            }
            case CONNECTED -> {
                connected = true;
                confirm();
            }
            case CONNECTING -> { }
        }
    }

    /** Asks the quorum whether this site is still live in its epoch, again while there is no quorum. */
    private void confirm() {
        long mine = epoch.getAsLong();
        retry.until(() -> tiebreaker.confirm(mine, site), () -> !connected || closed,
                e -> state = "outputs held: re-confirming epoch " + mine + " (" + e.getMessage() + ")"
        ).whenComplete((confirmed, failure) -> {
            if (failure != null) {
                // Not a missing quorum (that is asked again): a bug; the outputs stay held, safely.
                LOG.error("BUG: confirming epoch {} failed; this site's outputs stay held", mine, failure);
                return;
            }
            if (confirmed == null) {
                return; // disconnected again, or the role ended
            }
            synchronized (this) {
                if (!confirmed) {
                    if (!closed) {
                        state = "epoch " + mine + " has passed: " + current();
                        halt.accept("after a ZooKeeper disconnection, " + state + "; this site must not serve");
                    }
                } else if (connected && !closed) {
                    state = "";
                    fence.release("ZooKeeper reconnected, epoch " + mine + " confirmed; outputs flow again");
                }
            }
        });
    }

    private String current() {
        try {
            return String.valueOf(tiebreaker.current());
        } catch (NoQuorumException e) {
            return "(no quorum to read it: " + e.getMessage() + ")";
        }
    }

    /** Empty while outputs flow; else why they are held. */
    String state() {
        return state;
    }
}
