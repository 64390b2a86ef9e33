package io.sitepair.replicator.channel;

import io.sitepair.replicator.log.LogEntry;
import io.sitepair.replicator.log.LogSource;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backup's receive buffer: entries the channel has verified, waiting to be replayed. The
 * channel adds whole verified batches; the replay thread takes entries one at a time and waits
 * when the buffer is empty. The buffer is bounded in bytes: above the bound the channel stops
 * reading (TCP pushes back to the primary), and it resumes once replay has drained half of it.
 */
public final class ReceivedLog implements LogSource {
    private record Held(LogEntry entry, int bytes) {}

    private final long limitBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Held> entries = new ArrayDeque<>();
    private Runnable onDrained = () -> {};
    private Runnable interjected; // run by the replay thread the next time it waits
    private long bytes;
    private long received;
    private long lastTaken;
    private boolean ended;
    private boolean overLimit;
    private boolean restarted;

    public ReceivedLog(long limitBytes, long startPosition) {
        this.limitBytes = limitBytes;
        this.received = startPosition;
        this.lastTaken = startPosition;
    }

    /**
     * Re-protection: this site now holds the primary's state at {@code position}, so entries
     * follow from the next one. Only while nothing has been received.
     */
    public void startAfter(long position) {
        lock.lock();
        try {
            if (received != lastTaken || !entries.isEmpty() || received > position) {
                throw new IllegalStateException("cannot restart a log that holds entries up to " + received);
            }
            received = position;
            lastTaken = position;
            restarted = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until replay can begin: the first entry has arrived, the log was restarted after a
     * copy, or it ended. Returns whether it was restarted after a copy.
     */
    public boolean awaitStart() {
        lock.lock();
        try {
            while (entries.isEmpty() && !restarted && !ended) {
                arrived.awaitUninterruptibly();
            }
            return restarted;
        } finally {
            lock.unlock();
        }
    }

    /** Called (from the replay thread) when the buffer has drained below half its bound after being over it. */
    public void onDrained(Runnable onDrained) {
        this.onDrained = onDrained;
    }

    /**
     * Adds a verified batch that must start right after the last received entry; returns whether
     * the buffer is now over its bound (the caller then stops reading).
     */
    public boolean add(List<LogEntry> batch, int batchBytes) {
        lock.lock();
        try {
            if (batch.isEmpty()) {
                return overLimit;
            }
            if (batch.getFirst().position() != received + 1) {
                throw new IllegalStateException("batch starts at " + batch.getFirst().position() + " after " + received);
            }
            int each = Math.max(1, batchBytes / batch.size());
            for (LogEntry entry : batch) {
                entries.add(new Held(entry, each));
            }
            bytes += (long) each * batch.size();
            received = batch.getLast().position();
            overLimit = bytes > limitBytes;
            arrived.signalAll();
            return overLimit;
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until an entry is available; returns null once {@link #end()} was called and all were taken. */
    @Override
    public LogEntry next() {
        Runnable drained = null;
        lock.lock();
        try {
            while (entries.isEmpty() && !ended) {
                Runnable task = interjected;
                if (task != null) {
                    interjected = null;
                    lock.unlock();
                    try {
                        task.run();
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                arrived.awaitUninterruptibly();
            }
            if (entries.isEmpty()) {
                return null;
            }
            Held held = entries.poll();
            bytes -= held.bytes();
            lastTaken = held.entry().position();
            if (overLimit && bytes <= limitBytes / 2) {
                overLimit = false;
                drained = onDrained;
            }
            return held.entry();
        } finally {
            lock.unlock();
            if (drained != null) {
                drained.run();
            }
        }
    }

    @Override
    public long lastPosition() {
        lock.lock();
        try {
            return lastTaken;
        } finally {
            lock.unlock();
        }
    }

    /** The highest position received (every entry up to it is here or replayed). */
    public long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    public long bufferedBytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Has the replay thread run {@code task} the next time it waits for an entry (at once if it
     * waits now): work for the replay thread while the primary is quiet. A wait may be inside a
     * replaying handler: the task checks where the VM is.
     */
    public void interject(Runnable task) {
        lock.lock();
        try {
            interjected = task;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more entries will come: replay ends once it has taken what is here. */
    public void end() {
        lock.lock();
        try {
            ended = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
