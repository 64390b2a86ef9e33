package io.sitepair.ops.lab;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client connection that never reconnects and never retries: it sends {@code INCR key} in a
 * loop, one at a time, and checks that the replies count 1, 2, 3, ... A failover the client
 * should not notice leaves the connection open with no gap and no repeat: each increment
 * applied exactly once, though the site that applied it changed. Any other outcome ends the loop
 * and is kept as the {@link #problem}.
 */
public final class CountingConnection implements AutoCloseable {
    private final Socket socket;
    private final String key;
    private final Thread thread;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong lastReplyNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong longestWaitNanos = new AtomicLong();
    private final AtomicReference<String> problem = new AtomicReference<>();
    private volatile boolean stop;

    private CountingConnection(Socket socket, String key) {
        this.socket = socket;
        this.key = key;
        this.thread = Thread.ofPlatform().daemon().name("sitepair-counting-" + socket.getLocalPort()).start(this::incrementUntilStopped);
    }

    /** Connects to {@code service} and starts counting under {@code key}, which must not exist yet. */
    public static CountingConnection open(InetSocketAddress service, String key) throws IOException {
        Socket socket = new Socket();
        socket.connect(service, 5000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000); // longer than any failover: a reply that takes longer is a failure
        return new CountingConnection(socket, key);
    }

    private void incrementUntilStopped() {
        byte[] request = ("*2\r\n$4\r\nINCR\r\n$" + key.getBytes(StandardCharsets.UTF_8).length + "\r\n" + key + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        try (socket) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (!stop) {
                out.write(request);
                out.flush();
                String reply = RespLine.read(in);
                long now = System.nanoTime();
                longestWaitNanos.accumulateAndGet(now - lastReplyNanos.getAndSet(now), Math::max);
                long expected = count.get() + 1;
                if (!reply.equals(":" + expected)) {
                    problem.compareAndSet(null, "after " + count.get() + " increments the reply was " + reply
                            + " where :" + expected + " was due" + (reply.startsWith(":") ? " (an increment lost or"
                            + " applied twice)" : ""));
                    return;
                }
                count.set(expected);
            }
        } catch (IOException e) {
            if (!stop) {
                problem.compareAndSet(null, "the connection failed after " + count.get() + " increments: " + e.getMessage());
            }
        }
    }

    /** Increments acknowledged so far, each checked to be the next number. */
    public long count() {
        return count.get();
    }

    /** The client's own port: the same from first to last reply means one connection throughout. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** The longest time the client waited for a reply, in milliseconds: the pause it saw. */
    public double longestWaitMillis() {
        return longestWaitNanos.get() / 1e6;
    }

    /** Null while the connection counts correctly; else what went wrong (the loop has ended). */
    public String problem() {
        return problem.get();
    }

    /** Stops after the increment in flight and closes the connection. */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join(65_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
