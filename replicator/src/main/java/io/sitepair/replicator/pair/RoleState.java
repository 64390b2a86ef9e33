package io.sitepair.replicator.pair;

/** A site's current role and why it has it; every change is checked against {@link Role} and logged. */
final class RoleState {
    private final String site;
    private volatile Role role;
    private volatile String reason;

    RoleState(String site, Role initial, String reason) {
        this.site = site;
        this.role = initial;
        this.reason = reason;
        System.err.println("sitepair: site '" + site + "' is " + initial.label() + " (" + reason + ")");
    }

    /** Moves to {@code next}; returns false if already there or already stopped (a late second cause). */
    synchronized boolean moveTo(Role next, String why) {
        if (role == next || role == Role.HALTED || role == Role.STOPPED) {
            return false;
        }
        if (!role.mayBecome(next)) {
            throw new IllegalStateException("site '" + site + "' cannot go from " + role.label() + " to " + next.label());
        }
        System.err.println("sitepair: site '" + site + "': " + role.label() + " -> " + next.label() + " (" + why + ")");
        role = next;
        reason = why;
        return true;
    }

    Role role() {
        return role;
    }

    String reason() {
        return reason;
    }
}
