package io.sitepair.replicator.drill;

import io.sitepair.replicator.service.ServedRun;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A test clone while it serves: the VM restored from the clone point, LIVE on its own address,
 * over copies of the backup's disks, and the lease that ends it unless renewed. Ending it stops
 * the VM and deletes the copies.
 */
public final class TestClone {
    /**
     * What starting a test clone did: the clone point (log position and events delivered), how the
     * disks were copied ({@code reflink} or {@code sparse copy}) and the bytes the copies hold, how
     * long the backup's replay was held to take it, the time from the request to the clone serving,
     * where it serves, and the directory of the copies.
     */
    public record Started(long position, long eventsDelivered, String copyMethod, long bytesCopied,
                          double replayPauseMs, double timeToServeMs, String address, String copies) {}

    private final ServedRun run;
    private final ClonePoint point;
    private final String address;
    private final Instant since;
    private final ScheduledThreadPoolExecutor leaseTimer = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().daemon().name("sitepair-test-clone-lease").factory());
    private volatile Duration lease;
    private volatile long leaseEndsNanos;

    /** Serves {@code run} from now; {@code expired} is told (on the lease's thread) once the lease runs out unrenewed. */
    TestClone(ServedRun run, ClonePoint point, Instant since, Duration lease, Consumer<TestClone> expired) {
        this.run = run;
        this.point = point;
        this.address = hostPort(run.address());
        leaseTimer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.since = since;
        renew(lease);
        watchLease(expired);
    }

    /** Where clients reach the clone. */
    String address() {
        return address;
    }

    Instant since() {
        return since;
    }

    ServedRun run() {
        return run;
    }

    /** The lease runs {@code lease} from now. */
    void renew(Duration lease) {
        this.lease = lease;
        this.leaseEndsNanos = System.nanoTime() + lease.toNanos();
    }

    Duration lease() {
        return lease;
    }

    private void watchLease(Consumer<TestClone> expired) {
        long left = leaseEndsNanos - System.nanoTime();
        leaseTimer.schedule(() -> {
            if (leaseEndsNanos - System.nanoTime() > 0) {
                watchLease(expired); // renewed meanwhile
            } else {
                expired.accept(this);
            }
        }, Math.max(0, left), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the VM (its clients are dropped) and deletes the copies; returns what was deleted, in
     * words. It may run on the lease's own thread: the timer is shut down without interrupting it.
     */
    String end() {
        leaseTimer.shutdown();
        String stopped;
        try {
            run.stop();
            stopped = "stopped";
        } catch (Exception e) {
            stopped = "had halted (" + e.getMessage() + ")";
        }
        return "its VM " + stopped + "; " + point.deleteCopies();
    }

    static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** Deletes {@code directory} and the files in it, if it exists; returns how many files there were. */
    static int deleteDirectory(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return 0;
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(directory)) {
            files = listed.toList();
        }
        for (Path file : files) {
            Files.delete(file);
        }
        Files.delete(directory);
        return files.size();
    }
}
