package io.sitepair.ops.wan;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One direction of one proxied connection: bytes read from {@code source} are cut into chunks,
 * each given a delivery time (serialization at the capped rate, then the one-way delay) and
 * written to {@code sink} when that time comes. Runs entirely on the connection's event loop, which
 * both channels share, so it needs no locks.
 */
final class WanPipe {
    /** Chunks no larger than this keep a capped rate smooth instead of bursting whole reads. */
    static final int CHUNK = 16 * 1024;

    private record Chunk(ByteBuf data, int size, long dueNanos) {}

    /** How a source ended, in rising order of finality. */
    enum End { NONE, INPUT_SHUTDOWN, CLOSED, RESET }

    private final WanProxy proxy;
    private final WanConnection connection;
    private final Direction direction;
    private final Channel source;
    private final Channel sink;
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();

    private long departEnd; // System.nanoTime() at which the link finishes sending what it has accepted
    private long lastDue; // deliveries never overtake one another, even when the delay shrinks
    private long inFlight; // queued here plus written to the sink but not yet taken by its kernel
    private ScheduledFuture<?> timer;
    private boolean paused;
    private End ended = End.NONE; // what the source did
    private End propagated = End.NONE; // what we have passed on to the sink

    WanPipe(WanProxy proxy, WanConnection connection, Direction direction, Channel source, Channel sink) {
        this.proxy = proxy;
        this.connection = connection;
        this.direction = direction;
        this.source = source;
        this.sink = sink;
    }

    /** Takes ownership of {@code data}. */
    void read(ByteBuf data) {
        long now = System.nanoTime();
        try {
            if (proxy.mode() != WanProxy.Mode.UP || !sink.isActive()) {
                proxy.countDropped(data.readableBytes());
                return;
            }
            proxy.captured(direction, data);
            WanProfile profile = proxy.profile();
            long rate = profile.bitsPerSecond(direction);
            long delay = profile.delay(direction).toNanos();
            while (data.isReadable()) {
                int n = Math.min(CHUNK, data.readableBytes());
                long departed = Math.max(now, departEnd) + transmitNanos(n, rate);
                departEnd = departed;
                lastDue = Math.max(departed + delay, lastDue);
                queue.add(new Chunk(data.readRetainedSlice(n), n, lastDue));
                inFlight += n;
                proxy.countInFlight(n);
            }
        } finally {
            data.release();
        }
        if (!paused && inFlight > proxy.maxInFlightBytes(direction)) {
            // Stop reading instead of buffering without bound; TCP then pushes back on the sender.
            paused = true;
            source.config().setAutoRead(false);
        }
        deliver();
    }

    static long transmitNanos(int bytes, long bitsPerSecond) {
        return bitsPerSecond == 0 ? 0 : (bytes * 8L * 1_000_000_000L + bitsPerSecond - 1) / bitsPerSecond;
    }

    /** Writes every chunk that is due, then arms one timer for the next. */
    private void deliver() {
        long now = System.nanoTime();
        boolean wrote = false;
        while (!queue.isEmpty() && queue.peek().dueNanos() - now <= 0) {
            Chunk c = queue.poll();
            // Bytes on the wire when the link goes dark are lost, like the packets they stand for.
            if (proxy.mode() != WanProxy.Mode.UP || !sink.isActive()) {
                c.data().release();
                completed(c.size(), false);
                continue;
            }
            sink.write(c.data()).addListener(f -> completed(c.size(), f.isSuccess()));
            wrote = true;
        }
        if (wrote) {
            sink.flush();
        }
        if (!queue.isEmpty() && timer == null) {
            timer = source.eventLoop().schedule(() -> {
                timer = null;
                deliver();
            }, queue.peek().dueNanos() - now, TimeUnit.NANOSECONDS);
        }
        maybeFinish();
    }

    /** A chunk left the proxy: handed to the sink's kernel, or lost. */
    private void completed(int size, boolean delivered) {
        inFlight -= size;
        proxy.countInFlight(-size);
        if (delivered) {
            proxy.countForwarded(direction, size);
        } else {
            proxy.countDropped(size);
        }
        // Resume at half the bound so reads are not toggled on and off for every chunk.
        if (paused && inFlight <= proxy.maxInFlightBytes(direction) / 2) {
            paused = false;
            source.config().setAutoRead(true);
        }
    }

    /** The source sent a FIN (half-close is allowed), went away, or failed. */
    void sourceEnded(End how) {
        if (how.compareTo(ended) > 0) {
            ended = how;
        }
        maybeFinish();
    }

    /**
     * Passes the source's end on to the sink once the delayed data before it has been delivered:
     * a FIN as a FIN, a close as a close, a reset as a reset. Only while the link is up: a FIN does
     * not cross a partition, and a cut resets everything itself.
     */
    void maybeFinish() {
        if (ended == End.NONE || ended == propagated || !queue.isEmpty() || proxy.mode() != WanProxy.Mode.UP) {
            return;
        }
        propagated = ended;
        switch (ended) {
            case INPUT_SHUTDOWN -> connection.shutdownAfterFlush(sink);
            case CLOSED -> connection.closeAfterFlush(sink, false);
            default -> connection.closeAfterFlush(sink, true);
        }
    }

    /** The sink is gone: nothing queued for it can be delivered. */
    void sinkClosed() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        for (Chunk c; (c = queue.poll()) != null; ) {
            c.data().release();
            completed(c.size(), false);
        }
    }
}
