package io.sitepair.ops.status;

/**
 * Something about the pair that needs an operator, in words: what {@code sitepair status} lists
 * first and the dashboard shows as an alarm.
 *
 * @param kind a stable name for scripts and pages: unreachable, halted, divergence, disk-fault,
 *             unprotected, fenced, nic-down, split-brain, awaiting-approval, resync-stalled, clients-paused,
 *             quorum-lost, quorum-at-risk, security
 * @param toDo what the operator can do about it; null when {@code what} already says (a security warning)
 */
public record Problem(String kind, Severity severity, String what, String toDo) {
    /** An alarm: the pair is at risk now. A warning: it will be if nothing is done. */
    public enum Severity {
        ALARM, WARNING
    }

    static Problem alarm(String kind, String what, String toDo) {
        return new Problem(kind, Severity.ALARM, what, toDo);
    }

    static Problem warning(String kind, String what, String toDo) {
        return new Problem(kind, Severity.WARNING, what, toDo);
    }
}
