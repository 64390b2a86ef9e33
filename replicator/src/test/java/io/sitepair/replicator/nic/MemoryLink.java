package io.sitepair.replicator.nic;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A frame link in memory: a test puts frames on the wire to the guest and takes what the guest sent. */
public final class MemoryLink implements FrameLink {
    private final BlockingQueue<byte[]> toGuest = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> fromGuest = new LinkedBlockingQueue<>();
    private volatile boolean up;
    private volatile boolean closed;

    @Override
    public byte[] receive(Duration timeout) throws java.io.IOException {
        if (closed) {
            return null;
        }
        if (!up) {
            sleep(timeout);
            return null;
        }
        try {
            return toGuest.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void send(byte[] frame) {
        if (up && !closed) {
            fromGuest.add(frame);
        }
    }

    @Override
    public void up(boolean up) {
        this.up = up;
    }

    @Override
    public String describe() {
        return "in-memory link";
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Puts a frame on the wire to the guest. */
    public void offer(byte[] frame) {
        toGuest.add(frame);
    }

    /** Frames on the wire that the guest has not read yet. */
    public int pending() {
        return toGuest.size();
    }

    /** The next frame the guest sent, waiting at most {@code timeout}; null if none. */
    public byte[] take(Duration timeout) throws InterruptedException {
        return fromGuest.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void sleep(Duration timeout) {
        try {
            Thread.sleep(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
