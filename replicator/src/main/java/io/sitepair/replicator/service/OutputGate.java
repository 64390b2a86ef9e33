package io.sitepair.replicator.service;

import java.util.ArrayDeque;

/**
 * Holds the VM's outputs until they may leave, and releases them in the order they were made.
 * Three conditions, all required:
 * <ul>
 *   <li>the disk flushes requested before the output are durable (a client never hears of a
 *       write that is not on this site's disk);</li>
 *   <li>the Output Rule, while it applies: the backup has acknowledged the log position of the
 *       output's entry, so the backup could produce the same output if this site died now;</li>
 *   <li>the site's right to serve is not in doubt: while its ZooKeeper session is suspended,
 *       another site may be winning the next epoch, so nothing leaves.</li>
 * </ul>
 * The primary keeps executing while outputs wait here; only the outputs wait.
 *
 * <p>Release order is global, which keeps each connection's bytes in order. Confined to the event
 * loop thread.
 */
final class OutputGate {
    private record Held(long flushTicket, long position, Runnable release) {}

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean outputRule;
    private boolean fenced;
    private long durable;
    private long acknowledged;
    private long released;

    /** @param outputRule whether outputs wait for the backup's acknowledgement of their position */
    OutputGate(boolean outputRule) {
        this.outputRule = outputRule;
    }

    /** Releases {@code release} now if nothing is held and it may leave; else holds it. */
    void offer(long flushTicket, long position, Runnable release) {
        Held output = new Held(flushTicket, position, release);
        if (held.isEmpty() && mayLeave(output)) {
            release(output);
        } else {
            held.add(output);
        }
    }

    /** Every flush up to {@code ticket} is durable. */
    void flushedThrough(long ticket) {
        durable = Math.max(durable, ticket);
        drain();
    }

    /**
     * The backup holds every entry up to {@code position}. Acknowledgements only move forward: a
     * late or reordered one changes nothing.
     */
    void acknowledgedThrough(long position) {
        acknowledged = Math.max(acknowledged, position);
        drain();
    }

    /** The backup is gone for good (diverged or failed): outputs stop waiting for it. */
    void dropOutputRule() {
        outputRule = false;
        drain();
    }

    /**
     * A backup protects this site again, holding the state at {@code protectedThrough}: outputs
     * up to it leave as before, later ones wait for its acknowledgement.
     */
    void resumeOutputRule(long protectedThrough) {
        acknowledged = Math.max(acknowledged, protectedThrough);
        outputRule = true;
        drain();
    }

    /** While {@code fenced}, nothing is released; lifting it releases what may leave. */
    void fence(boolean fenced) {
        this.fenced = fenced;
        drain();
    }

    boolean outputRule() {
        return outputRule;
    }

    int heldCount() {
        return held.size();
    }

    /** Outputs released so far. */
    long released() {
        return released;
    }

    private void drain() {
        while (!held.isEmpty() && mayLeave(held.peek())) {
            release(held.poll());
        }
    }

    private boolean mayLeave(Held output) {
        return !fenced && output.flushTicket() <= durable && (!outputRule || output.position() <= acknowledged);
    }

    private void release(Held output) {
        // The invariant, checked where it matters: nothing leaves ahead of the backup.
        if (outputRule && output.position() > acknowledged) {
            throw new IllegalStateException("Output Rule violated: releasing the output of log position "
                    + output.position() + " with only " + acknowledged + " acknowledged");
        }
        if (fenced) {
            throw new IllegalStateException("releasing the output of log position " + output.position()
                    + " while this site's right to serve is in doubt");
        }
        released++;
        output.release().run();
    }
}
