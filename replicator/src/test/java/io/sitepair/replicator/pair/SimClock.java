package io.sitepair.replicator.pair;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;

/**
 * The simulation's time and its one queue of things to do: tasks run one at a time on the
 * caller's thread, in time order, ties in the order they were scheduled. Nothing else moves time,
 * so a run is a function of its seed.
 */
final class SimClock {
    static final long MS = 1_000_000;

    private record Task(long atNanos, long order, Runnable run) {}

    private final PriorityQueue<Task> tasks =
            new PriorityQueue<>(Comparator.comparingLong(Task::atNanos).thenComparingLong(Task::order));
    private long nowNanos;
    private long scheduled;

    long nanos() {
        return nowNanos;
    }

    void after(long delayNanos, Runnable task) {
        tasks.add(new Task(nowNanos + Math.max(0, delayNanos), scheduled++, task));
    }

    /** An executor that runs each task {@code delayMs} later on this clock. */
    Executor laterBy(long delayMs) {
        return task -> after(delayMs * MS, task);
    }

    /** Runs the next task, moving time to it; false if there is none or it is past {@code endNanos}. */
    boolean step(long endNanos) {
        Task next = tasks.peek();
        if (next == null || next.atNanos() > endNanos) {
            nowNanos = Math.max(nowNanos, endNanos);
            return false;
        }
        tasks.poll();
        nowNanos = next.atNanos();
        next.run().run();
        return true;
    }
}
