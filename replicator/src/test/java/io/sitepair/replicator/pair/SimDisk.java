package io.sitepair.replicator.pair;

import java.util.ArrayList;
import java.util.List;

/**
 * A site's disks in the simulation, reduced to what the invariants ask of them: which log entries
 * (epoch, position) their state contains. It survives the site's crashes, and a copy replaces it
 * whole. Kept as runs of consecutive positions of one epoch.
 */
final class SimDisk {
    record Run(long epoch, long from, long to) {}

    private final List<Run> runs = new ArrayList<>();
    private boolean inconsistent; // a copy is being written over it

    /** The entry at {@code position} of {@code epoch}, the next one of this disk's state, is written. */
    void write(long epoch, long position) {
        Run last = runs.isEmpty() ? null : runs.getLast();
        if (last != null && last.epoch() == epoch && last.to() == position - 1) {
            runs.set(runs.size() - 1, new Run(epoch, last.from(), position));
        } else {
            runs.add(new Run(epoch, position, position));
        }
    }

    boolean holds(long epoch, long position) {
        for (Run run : runs) {
            if (run.epoch() == epoch && run.from() <= position && position <= run.to()) {
                return true;
            }
        }
        return false;
    }

    /** The epoch in which the entry at {@code position} of the current run of positions was written. */
    long epochAt(long position) {
        for (Run run : runs.reversed()) {
            if (run.from() <= position && position <= run.to()) {
                return run.epoch();
            }
        }
        throw new IllegalArgumentException("no entry at position " + position);
    }

    /** A backup goes live from {@code position}: what it received beyond is not in its VM's state. */
    void truncateAfter(long position) {
        while (!runs.isEmpty() && runs.getLast().from() > position) {
            runs.removeLast();
        }
        if (!runs.isEmpty() && runs.getLast().to() > position) {
            Run last = runs.getLast();
            runs.set(runs.size() - 1, new Run(last.epoch(), last.from(), position));
        }
    }

    void inconsistent(boolean copying) {
        inconsistent = copying;
    }

    boolean inconsistent() {
        return inconsistent;
    }

    List<Run> contents() {
        return List.copyOf(runs);
    }

    /** A copy from the live site replaces everything this disk held. */
    void replaceWith(List<Run> copy) {
        runs.clear();
        runs.addAll(copy);
    }
}
