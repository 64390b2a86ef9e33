package io.sitepair.ops.drill;

/** The kinds of disaster-recovery drill, from the one that disturbs nothing to a real failover. */
public enum DrillKind {
    /** A clone of the backup's replica serves on an isolated address; production is not disturbed. */
    test,
    /** A planned switchover to the DR site under the workload, and back unless told to stay. */
    switchover,
    /** An unplanned failover: the primary's process halts as if its site lost power. */
    failover
}
