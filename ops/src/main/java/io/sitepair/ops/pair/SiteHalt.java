package io.sitepair.ops.pair;

import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.vm.VmException;
import java.util.Objects;

/**
 * Tells a site's designed halt (it lost a claim race, its epoch passed, a quorum refused it, its
 * replay diverged or its disk failed) from a bug that happened to end its run. A designed halt is
 * an outcome the operator reads in one line; a bug keeps its stack trace.
 */
final class SiteHalt {
    private SiteHalt() {}

    /**
     * Why the site halted, if {@code thrown} (from {@link Site#await}) is a designed halt; null if
     * it is not. A site halts by design with the reason it announced ("... must not serve") as the
     * exception's message, or with a VM failure; a bug halts it with an exception of its own.
     */
    static String expectedReason(Site site, Exception thrown) {
        if (site.role() != Role.HALTED) {
            return null;
        }
        Object reason = site.status().get("reason");
        if (thrown instanceof VmException) {
            return reason != null ? reason.toString() : thrown.getMessage();
        }
        return thrown.getMessage() != null && Objects.equals(thrown.getMessage(), reason) ? thrown.getMessage() : null;
    }
}
