package io.sitepair.replicator.pair;

import io.sitepair.replicator.pair.SiteState.Disk;
import io.sitepair.replicator.pair.SiteState.Fence;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.replicator.pair.SiteState.Operation;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one funnel a site's {@link SiteState} changes through, after DRBD's: a requested change is
 * completed with what follows from it ({@link #sanitize}), refused if it must never happen
 * ({@link #illegal}: a bug, thrown), committed, and logged as one line. Side effects belong to
 * the caller, after the change is committed; a change requested after the site ended is a late
 * second cause and is ignored.
 */
final class SiteStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(SiteStateMachine.class);

    private final String site;
    private volatile SiteState state;
    private volatile String reason;

    SiteStateMachine(String site, Role initial, String reason) {
        this.site = site;
        this.state = SiteState.initial(initial);
        this.reason = reason;
        LOG.info("site '{}' is {} ({})", site, state.label(), reason);
    }

    /**
     * Requests a change of the state; returns whether it changed (false: nothing to change, or the
     * site has ended). {@code why} is logged, and kept as the reason when the role changes.
     *
     * @throws IllegalStateException if the change must never happen (a bug)
     */
    synchronized boolean change(UnaryOperator<SiteState> request, String why) {
        SiteState current = state;
        if (current.ended()) {
            return false;
        }
        SiteState next = sanitize(request.apply(current));
        if (next.equals(current)) {
            return false;
        }
        String illegal = illegal(current, next);
        if (illegal != null) {
            throw new IllegalStateException("site '" + site + "' cannot go from " + current.label() + " to "
                    + next.label() + ": " + illegal);
        }
        state = next;
        if (next.role() != current.role()) {
            reason = why;
        }
        LOG.info("site '{}': {} -> {} ({})", site, current.label(), next.label(), why);
        return true;
    }

    /** Moves to the role {@code next}; returns false if already there or ended. */
    boolean moveTo(Role next, String why) {
        return change(s -> s.with(next), why);
    }

    SiteState state() {
        return state;
    }

    Role role() {
        return state.role();
    }

    /** Why the site has its role. */
    String reason() {
        return reason;
    }

    /** What follows from a state, whatever was asked (DRBD's {@code sanitize_state}). */
    static SiteState sanitize(SiteState s) {
        if (s.ended()) {
            return new SiteState(s.role(), Link.DOWN, s.disk(), Fence.CLEAR, Operation.NONE);
        }
        if (!s.role().serves() && s.fence() == Fence.FENCED) {
            s = s.with(Fence.CLEAR); // only a serving site has outputs to hold
        }
        if (s.role() == Role.RESYNCING && s.disk() == Disk.UP_TO_DATE) {
            s = s.with(Disk.INCONSISTENT); // a copy marks the disks before its first block
        }
        boolean copyingOut = s.role().serves() && s.link() == Link.COPYING;
        if (copyingOut && s.operation() == Operation.NONE) {
            s = s.with(Operation.RESYNC);
        } else if (!copyingOut && s.operation() == Operation.RESYNC) {
            s = s.with(Operation.NONE);
        }
        return s;
    }

    /**
     * Why going from {@code from} to {@code to} must never happen, or null if it may (DRBD's
     * {@code is_valid_transition} and its state checks).
     */
    static String illegal(SiteState from, SiteState to) {
        if (from.role() != to.role() && !from.role().mayBecome(to.role())) {
            return "no such role transition";
        }
        if (to.role().serves() && to.disk() != Disk.UP_TO_DATE) {
            return "a site serves only from up-to-date disks";
        }
        if (from.operation() != Operation.NONE && to.operation() != Operation.NONE
                && from.operation() != to.operation() && to.operation() != Operation.POWER_OFF) {
            return "one operation at a time (a power-off ends any)";
        }
        return switch (to.operation()) {
            case SWITCHOVER, VERIFY -> to.role() == Role.PRIMARY ? null : "only a protected primary can " + verb(to);
            case POWER_OFF -> to.role().serves() ? null : "only a serving site powers off";
            case NONE, RESYNC -> null;
        };
    }

    private static String verb(SiteState s) {
        return s.operation() == Operation.SWITCHOVER ? "switch over" : "verify";
    }
}
