package io.sitepair.replicator.channel;

import io.sitepair.replicator.log.EntryFrame;
import io.sitepair.replicator.log.LogAppender;
import io.sitepair.replicator.log.LogRecord;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The primary's log, kept in memory until the backup acknowledges it. Entries are framed as in a
 * log file into a pending buffer as the guest runs; {@link #cut()} turns what is pending into a
 * batch (called at the end of each event-loop iteration, so batches grow with load and nothing
 * waits for a timer). Batches stay until acknowledged, so a reconnecting backup gets exactly the
 * entries after the last one it holds.
 *
 * <p>The buffered bytes (pending and unacknowledged) are what flow control bounds. Confined to
 * the primary's event loop thread.
 */
public final class ShipLog implements LogAppender {
    /** Entries {@code first..last}, framed back to back; {@code firstTimestamp} is the primary's clock. */
    record Batch(long first, long last, long firstTimestamp, byte[] raw) {
        /** The tail of this batch from entry {@code position} on (entries are self-delimiting). */
        Batch from(long position) {
            if (position <= first) {
                return this;
            }
            ByteBuffer frames = ByteBuffer.wrap(raw);
            int offset = 0;
            for (long p = first; p < position; p++) {
                offset += EntryFrame.OVERHEAD + frames.getInt(offset);
            }
            return new Batch(position, last, firstTimestamp, Arrays.copyOfRange(raw, offset, raw.length));
        }
    }

    /** A batch is cut early once pending reaches this, to bound the size of one message. */
    static final int MAX_BATCH = 1 << 20;

    private final LongSupplier clock;
    private final ArrayDeque<Batch> unacknowledged = new ArrayDeque<>();
    private ByteBuffer pending = ByteBuffer.allocate(256 << 10);
    private long pendingFirst;
    private long pendingFirstTimestamp;
    private long lastPosition;
    private long acknowledged;
    private long unacknowledgedBytes;
    private long appendedBytes;

    public ShipLog(LongSupplier wallClockNanos) {
        this.clock = wallClockNanos;
    }

    @Override
    public long append(LogRecord record) {
        int size = EntryFrame.frameSize(record);
        if (pending.remaining() < size) {
            pending = grow(pending, size);
        }
        long position = lastPosition + 1;
        long now = clock.getAsLong();
        if (pending.position() == 0) {
            pendingFirst = position;
            pendingFirstTimestamp = now;
        }
        EntryFrame.encode(position, now, record, pending);
        appendedBytes += size;
        lastPosition = position;
        return position;
    }

    private static ByteBuffer grow(ByteBuffer buffer, int needed) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + needed));
        buffer.flip();
        return bigger.put(buffer);
    }

    @Override
    public long lastPosition() {
        return lastPosition;
    }

    /** Starts numbering after {@code position}; only before the first entry is appended. */
    @Override
    public void continueAfter(long position) {
        if (appendedBytes > 0 && position != lastPosition) {
            throw new IllegalStateException("cannot renumber a log that already holds entries up to " + lastPosition);
        }
        lastPosition = position;
        acknowledged = position;
    }

    public boolean hasPending() {
        return pending.position() > 0;
    }

    /** The primary's clock when the first pending entry was logged. */
    public long pendingFirstTimestamp() {
        return pendingFirstTimestamp;
    }

    /** Whether pending entries have grown past one message's worth. */
    public boolean pendingFull() {
        return pending.position() >= MAX_BATCH;
    }

    /** Makes a batch of everything pending (null if nothing is) and keeps it until acknowledged. */
    Batch cut() {
        if (pending.position() == 0) {
            return null;
        }
        Batch batch = new Batch(pendingFirst, lastPosition, pendingFirstTimestamp,
                Arrays.copyOf(pending.array(), pending.position()));
        pending.clear();
        if (pending.capacity() > (4 << 20)) {
            pending = ByteBuffer.allocate(256 << 10); // don't keep a burst's buffer forever
        }
        unacknowledged.add(batch);
        unacknowledgedBytes += batch.raw().length;
        return batch;
    }

    /** The backup holds every entry up to {@code position}: drop what it no longer needs. */
    void acknowledged(long position) {
        if (position > lastPosition) {
            throw new IllegalStateException("acknowledgement of position " + position + " beyond the last entry "
                    + lastPosition);
        }
        acknowledged = Math.max(acknowledged, position);
        while (!unacknowledged.isEmpty() && unacknowledged.peek().last() <= acknowledged) {
            unacknowledgedBytes -= unacknowledged.poll().raw().length;
        }
    }

    /** Forgets everything up to {@code position} without a backup's acknowledgement (no backup any more). */
    public void discardThrough(long position) {
        cut();
        acknowledged(position);
    }

    /** The batches a backup holding everything up to {@code received} still needs, in order. */
    List<Batch> batchesAfter(long received) {
        List<Batch> needed = new ArrayList<>();
        for (Batch batch : unacknowledged) {
            if (batch.last() > received) {
                needed.add(batch.from(received + 1));
            }
        }
        return needed;
    }

    /** The first position still held in memory (a backup needing an earlier one cannot resume). */
    public long firstHeld() {
        if (!unacknowledged.isEmpty()) {
            return unacknowledged.peek().first();
        }
        return pending.position() > 0 ? pendingFirst : lastPosition + 1;
    }

    long acknowledgedPosition() {
        return acknowledged;
    }

    /** Bytes held for the backup: pending plus sent but unacknowledged (what flow control bounds). */
    public long bufferedBytes() {
        return unacknowledgedBytes + pending.position();
    }

    public boolean bufferedBytesOver(long limit) {
        return bufferedBytes() > limit;
    }

    /** Raw (uncompressed) bytes of entries appended so far. */
    long appendedBytes() {
        return appendedBytes;
    }
}
