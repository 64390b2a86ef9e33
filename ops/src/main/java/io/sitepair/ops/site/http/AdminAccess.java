package io.sitepair.ops.site.http;

import io.sitepair.replicator.tls.PairPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who may do what on a site's admin API when it is served over HTTPS, decided here and nowhere else:
 * a site and an operator may read and operate, a monitor may only read, the witness may do neither
 * (it serves the quorum and nothing more).
 */
final class AdminAccess {
    /** What a request asks to do. */
    enum Permission {
        /** {@code GET}: status, metrics, the dashboard. */
        READ,
        /** Switchover, verify, repair, resync, inject, a test drill's clone. */
        OPERATE
    }

    private AdminAccess() {}

    /** What a holder of {@code kind} may do. */
    static Set<Permission> granted(PairPrincipal.Kind kind) {
        return switch (kind) {
            case SITE, OPERATOR -> EnumSet.allOf(Permission.class);
            case MONITOR -> EnumSet.of(Permission.READ);
            case WITNESS -> EnumSet.noneOf(Permission.class);
        };
    }

    /**
     * Why {@code caller} (null: its certificate names no holder) may not do {@code wanted} ({@code
     * what} names the request), or null if it may.
     */
    static String refusal(PairPrincipal caller, Permission wanted, String what) {
        if (caller == null) {
            return "the client's certificate names no holder of this pair; " + what + " refused";
        }
        Set<Permission> granted = granted(caller.kind());
        if (granted.contains(wanted)) {
            return null;
        }
        return caller + " may not " + what + ": a " + caller.kind().label() + "'s certificate "
                + (granted.isEmpty() ? "gives no access to a site's admin API"
                        : "may only " + String.join(" and ", granted.stream().map(AdminAccess::describe).toList()));
    }

    private static String describe(Permission permission) {
        return switch (permission) {
            case READ -> "read status and metrics";
            case OPERATE -> "operate (switchover, verify, repair, resync, inject, drill)";
        };
    }
}
