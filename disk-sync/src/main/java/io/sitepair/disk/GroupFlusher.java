package io.sitepair.disk;

import java.io.Closeable;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Makes disk flushes asynchronous without weakening them: a flush request returns at once with a
 * ticket, a background thread fsyncs every disk with pending writes, and then declares all
 * tickets up to that point durable. One fsync covers every request made while the previous one
 * ran (group commit).
 *
 * <p>This is sound only together with holding outputs: whoever releases an output produced after
 * a flush request must wait until that request's ticket is durable (externally synchronous I/O).
 * A crash before then loses only writes that nobody outside has heard about.
 */
public final class GroupFlusher implements Closeable {
    private final Thread thread;
    private final LongConsumer onDurable;
    private final LongConsumer roundTook;
    private final Set<DiskImage> dirty = new LinkedHashSet<>();
    private long requested;
    private volatile long durable;
    private volatile Throwable failure;
    private boolean closed;
    private volatile long fsyncRounds;
    private volatile long fsyncNanos;

    /** How flushing has gone: rounds of fsyncs, requests they covered, time spent in them. */
    public record Stats(long rounds, long requests, long nanos) {
        public double requestsPerRound() {
            return rounds == 0 ? 0 : (double) requests / rounds;
        }

        public double millisPerRound() {
            return rounds == 0 ? 0 : nanos / 1e6 / rounds;
        }
    }

    public Stats stats() {
        return new Stats(fsyncRounds, durable, fsyncNanos);
    }

    /** {@code onDurable} is called on the flusher thread with each newly durable ticket. */
    public GroupFlusher(String name, LongConsumer onDurable) {
        this(name, onDurable, nanos -> {});
    }

    /** As {@link #GroupFlusher(String, LongConsumer)}, telling {@code roundTook} how long each fsync round took (ns). */
    public GroupFlusher(String name, LongConsumer onDurable, LongConsumer roundTook) {
        this.onDurable = onDurable;
        this.roundTook = roundTook;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Requests a flush of {@code disk}; returns the ticket that becomes durable once it is done. */
    public long request(DiskImage disk) {
        long ticket = requestLater(disk);
        start();
        return ticket;
    }

    /**
     * Requests a flush without starting one yet: the caller gathers the requests of a batch of
     * work (one event-loop iteration, say) and then calls {@link #start()}, so one fsync covers
     * them all.
     */
    public synchronized long requestLater(DiskImage disk) {
        if (failure != null) {
            throw new IllegalStateException("disk flushing failed earlier: " + failure.getMessage(), failure);
        }
        dirty.add(disk);
        return ++requested;
    }

    /** Starts flushing whatever has been requested, if the flusher is idle. */
    public synchronized void start() {
        notifyAll();
    }

    /** The latest ticket handed out (0 if none). */
    public synchronized long lastRequested() {
        return requested;
    }

    /** Every ticket up to this one is durable. */
    public long durable() {
        return durable;
    }

    private void run() {
        while (true) {
            long ticket;
            DiskImage[] disks;
            synchronized (this) {
                while (requested == durable && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (requested == durable) {
                    return; // closed and drained
                }
                ticket = requested;
                disks = dirty.toArray(DiskImage[]::new);
                dirty.clear();
            }
            long start = System.nanoTime();
            try {
                for (DiskImage disk : disks) {
                    disk.flush();
                }
            } catch (RuntimeException e) {
                failure = e;
                System.err.println("sitepair: disk flush failed, outputs that depend on it stay held: " + e.getMessage());
                return;
            }
            long took = System.nanoTime() - start;
            fsyncNanos += took;
            fsyncRounds++;
            roundTook.accept(took);
            durable = ticket;
            onDurable.accept(ticket);
        }
    }

    /** Finishes outstanding flushes, then stops the thread. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
