package io.sitepair.replicator.service;

import io.sitepair.replicator.metrics.SiteMeters;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

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
 * loop thread. Public so that the pair's seeded simulation releases its outputs through it too.
 */
public final class OutputGate {
    /** An output waiting since {@code heldSince}; {@code protectedOutput}: made while the Output Rule applied. */
    private record Held(long flushTicket, long position, boolean protectedOutput, Runnable release, long heldSince) {}

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final SiteMeters meters;
    private final LongSupplier nanoClock;
    private boolean outputRule;
    private boolean fenced;
    private long durable;
    private long acknowledged;
    private long released;

    /** @param outputRule whether outputs wait for the backup's acknowledgement of their position */
    public OutputGate(boolean outputRule) {
        this(outputRule, SiteMeters.NONE, System::nanoTime);
    }

    /** As {@link #OutputGate(boolean)}, telling {@code meters} how long each output waited by {@code nanoClock}. */
    public OutputGate(boolean outputRule, SiteMeters meters, LongSupplier nanoClock) {
        this.outputRule = outputRule;
        this.meters = meters;
        this.nanoClock = nanoClock;
    }

    /** Releases {@code release} now if nothing is held and it may leave; else holds it. */
    public void offer(long flushTicket, long position, Runnable release) {
        Held output = new Held(flushTicket, position, outputRule, release, 0);
        if (held.isEmpty() && mayLeave(output)) {
            release(output);
            meters.outputReleased(0);
        } else {
            // The clock is read only for outputs that wait: most do, while a backup protects the site.
            held.add(new Held(flushTicket, position, outputRule, release, nanoClock.getAsLong()));
        }
    }

    /** Every flush up to {@code ticket} is durable. */
    public void flushedThrough(long ticket) {
        durable = Math.max(durable, ticket);
        drain();
    }

    /**
     * The backup holds every entry up to {@code position}. Acknowledgements only move forward: a
     * late or reordered one changes nothing.
     */
    public void acknowledgedThrough(long position) {
        acknowledged = Math.max(acknowledged, position);
        drain();
    }

    /** The backup is gone for good (diverged or failed): outputs stop waiting for it. */
    public void dropOutputRule() {
        outputRule = false;
        drain();
    }

    /**
     * A backup is being given this site's state: outputs made from now on wait for its
     * acknowledgement. Outputs made alone leave as before. Outputs made while a backup protected
     * this site (one that restarted and needs the copy) keep waiting for an acknowledgement, which
     * the new backup gives once it holds the copy: releasing them when the copy is captured would
     * let them leave before any backup holds their entries.
     */
    public void resumeOutputRule() {
        outputRule = true;
        drain();
    }

    /** While {@code fenced}, nothing is released; lifting it releases what may leave. */
    public void fence(boolean fenced) {
        this.fenced = fenced;
        drain();
    }

    public boolean outputRule() {
        return outputRule;
    }

    public int heldCount() {
        return held.size();
    }

    /** Outputs released so far. */
    public long released() {
        return released;
    }

    private void drain() {
        if (held.isEmpty() || !mayLeave(held.peek())) {
            return;
        }
        long now = nanoClock.getAsLong(); // once: the outputs released here leave together
        while (!held.isEmpty() && mayLeave(held.peek())) {
            Held output = held.poll();
            release(output);
            meters.outputReleased(now - output.heldSince());
        }
    }

    private boolean mayLeave(Held output) {
        return !fenced && output.flushTicket() <= durable && (!awaitsBackup(output) || output.position() <= acknowledged);
    }

    private boolean awaitsBackup(Held output) {
        return outputRule && output.protectedOutput();
    }

    private void release(Held output) {
        // The invariant, checked where it matters: nothing leaves ahead of the backup.
        if (awaitsBackup(output) && output.position() > acknowledged) {
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
