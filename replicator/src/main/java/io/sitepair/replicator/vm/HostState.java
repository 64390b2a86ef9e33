package io.sitepair.replicator.vm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The host-side part of the VM's state: open connections, armed timers and the connection id
 * counter. It changes only through events and host calls, so it is the same on both sites; it is
 * part of snapshots and of the state hash.
 */
public final class HostState {
    private final TreeSet<Integer> connections = new TreeSet<>();
    private final TreeMap<Long, Long> timerDeadlines = new TreeMap<>();
    private int nextConnection = 1;
    private boolean booted;

    /** True once the init event has been delivered. */
    public boolean booted() {
        return booted;
    }

    void markBooted() {
        booted = true;
    }

    /** The id the next accepted connection gets. Ids are never reused. */
    public int nextConnectionId() {
        return nextConnection;
    }

    void open(int conn) {
        if (conn != nextConnection) {
            throw new IllegalStateException("connection " + conn + " opened where " + nextConnection + " was next");
        }
        connections.add(conn);
        nextConnection++;
    }

    public boolean isOpen(int conn) {
        return connections.contains(conn);
    }

    boolean remove(int conn) {
        return connections.remove(conn);
    }

    public int openConnections() {
        return connections.size();
    }

    /** Open connection ids in ascending order. */
    public Iterable<Integer> connections() {
        return connections;
    }

    void armTimer(long id, long deadline) {
        timerDeadlines.put(id, deadline);
    }

    boolean cancelTimer(long id) {
        return timerDeadlines.remove(id) != null;
    }

    boolean isArmed(long id) {
        return timerDeadlines.containsKey(id);
    }

    public int armedTimers() {
        return timerDeadlines.size();
    }

    /** The armed timer with the earliest deadline at or before {@code now} (ties: lowest id). */
    public Optional<Long> dueTimer(long now) {
        Long due = null;
        long best = Long.MAX_VALUE;
        for (Map.Entry<Long, Long> t : timerDeadlines.entrySet()) {
            if (t.getValue() <= now && t.getValue() < best) {
                best = t.getValue();
                due = t.getKey();
            }
        }
        return Optional.ofNullable(due);
    }

    /** The earliest armed deadline, or {@code Long.MAX_VALUE} if no timer is armed. */
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (long deadline : timerDeadlines.values()) {
            next = Math.min(next, deadline);
        }
        return next;
    }

    void write(DataOutput out) throws IOException {
        out.writeBoolean(booted);
        out.writeInt(nextConnection);
        out.writeInt(connections.size());
        for (int conn : connections) {
            out.writeInt(conn);
        }
        out.writeInt(timerDeadlines.size());
        for (Map.Entry<Long, Long> t : timerDeadlines.entrySet()) {
            out.writeLong(t.getKey());
            out.writeLong(t.getValue());
        }
    }

    void read(DataInput in) throws IOException {
        connections.clear();
        timerDeadlines.clear();
        booted = in.readBoolean();
        nextConnection = in.readInt();
        for (int i = in.readInt(); i > 0; i--) {
            connections.add(in.readInt());
        }
        for (int i = in.readInt(); i > 0; i--) {
            timerDeadlines.put(in.readLong(), in.readLong());
        }
    }
}
