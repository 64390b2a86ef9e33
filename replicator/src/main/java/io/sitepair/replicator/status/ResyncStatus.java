package io.sitepair.replicator.status;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The live site's resync of the returning one: its phase, its plan once made, and its figures.
 * Before the copy starts only {@code copiedBlocks} (0) and {@code rateLimitBytesS} are known; the
 * other figures are null.
 *
 * @param etaS seconds left at the current rate; -1 while the rate is unknown
 */
public record ResyncStatus(Phase phase, ResyncPlanStatus plan, long copiedBlocks, Long copiedBytes, Long zeroBlocks,
                           Long wireBytes, Long rateBytesS, long rateLimitBytesS, Long changedDuringCopy, Long etaS,
                           Double elapsedS) {
    public enum Phase {
        PLANNING("planning"),
        AWAITING_APPROVAL("awaiting approval"),
        SPLIT_BRAIN("split-brain"),
        COPYING("copying"),
        DONE("done"),
        ABORTED("aborted");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        @JsonValue
        public String label() {
            return label;
        }
    }

    /** Before the copy: the plan (null while planning) and the rate limit it will keep to. */
    public static ResyncStatus beforeCopy(Phase phase, ResyncPlanStatus plan, long rateLimitBytesS) {
        return new ResyncStatus(phase, plan, 0, null, null, null, null, rateLimitBytesS, null, null, null);
    }
}
