package io.sitepair.replicator.pair;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A site's role, and the only transitions between roles that are allowed; a transition not
 * listed here is a bug.
 */
public enum Role {
    /** The process is learning its role from the quorum (or waiting for one); serves no one. */
    STARTING,
    /** Records, serves clients, streams its log; outputs wait for the backup (the Output Rule). */
    PRIMARY,
    /** Replays the primary's log on its own disks; serves no one. */
    BACKUP,
    /** A returning site taking a copy of the primary's disks and VM state; it cannot go live. */
    RESYNCING,
    /** Serves clients with no backup protecting it (the backup diverged or failed). */
    LIVE_ALONE,
    /** Stopped by a fault, a divergence or a refusal; says why. */
    HALTED,
    /** Stopped cleanly. */
    STOPPED;

    private static final Map<Role, Set<Role>> NEXT = Map.of(
            STARTING, EnumSet.of(PRIMARY, BACKUP, LIVE_ALONE, STOPPED),
            PRIMARY, EnumSet.of(LIVE_ALONE, HALTED, STOPPED),
            BACKUP, EnumSet.of(RESYNCING, LIVE_ALONE, HALTED, STOPPED), // going live after the primary failed
            RESYNCING, EnumSet.of(BACKUP, HALTED, STOPPED),
            LIVE_ALONE, EnumSet.of(PRIMARY, HALTED, STOPPED), // re-protected by a returning site
            HALTED, EnumSet.noneOf(Role.class),
            STOPPED, EnumSet.noneOf(Role.class));

    boolean mayBecome(Role next) {
        return NEXT.get(this).contains(next);
    }

    /** Whether outputs of this role reach clients. */
    public boolean serves() {
        return this == PRIMARY || this == LIVE_ALONE;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
