package io.sitepair.replicator.service;

import java.util.ArrayDeque;

/**
 * Holds the VM's outputs until they may leave, and releases them in the order they were made.
 * An output made after a disk flush request waits until that flush is durable; later issues add
 * the Output Rule (the backup's acknowledgement) as a second condition here.
 *
 * <p>Release order is global, which keeps each connection's bytes in order. Confined to the event
 * loop thread: outputs are offered by the guest and released by a task the flusher posts.
 */
final class OutputGate {
    private record Held(long flushTicket, Runnable release) {}

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long durable;

    /** Releases {@code release} now if nothing is held and its flush is durable; else holds it. */
    void offer(long flushTicket, Runnable release) {
        if (held.isEmpty() && flushTicket <= durable) {
            release.run();
        } else {
            held.add(new Held(flushTicket, release));
        }
    }

    /** Every flush up to {@code ticket} is durable: release what no longer waits. */
    void flushedThrough(long ticket) {
        durable = Math.max(durable, ticket);
        while (!held.isEmpty() && held.peek().flushTicket() <= durable) {
            held.poll().release().run();
        }
    }

    int heldCount() {
        return held.size();
    }
}
