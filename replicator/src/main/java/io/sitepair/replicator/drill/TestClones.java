package io.sitepair.replicator.drill;

import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestModule;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.VmOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A protected backup's test clones, for a disaster-recovery test drill; at most one at a time.
 *
 * <p>A clone is consistent and loses nothing acknowledged: on request, its target is the log
 * position the backup has received (every output a client was given was acknowledged by then),
 * and the replay thread takes it ({@link ClonePoint}) between two events once replay has reached
 * that position: the VM's state, and copies of the disks begun there, which go on being written in
 * the background while replay goes on. Once they are complete, the clone boots off the replay thread, LIVE on its own address over the
 * copies ({@link ServedRun#restoreLive}), linked to nothing: no logging channel, heartbeat or
 * quorum, so its outputs reach only its own clients and its writes only the copies. Replay goes
 * on meanwhile, and the backup keeps acknowledging.
 *
 * <p>A clone ends when the drill ends it, when its lease runs out unrenewed (a drill that was
 * killed leaves nothing behind), when its VM halts, and first of all when the backup's replay
 * ends (it stops, halts, rejoins or goes live), even while its disks are being copied. Ending it
 * stops the copies being written, then deletes them.
 */
public final class TestClones {
    private static final Logger LOG = LoggerFactory.getLogger(TestClones.class);
    /** How long replay may take to reach a clone's target. */
    static final Duration REACH_WITHIN = Duration.ofSeconds(30);
    /** The copies' directory, in the site's data directory. */
    public static final String DIRECTORY = "drill-clone";

    /** A clone asked for, waiting for replay to reach {@code target}. */
    private record Request(long target, Instant at, long atNanos, CompletableFuture<ClonePoint> taken) {}

    private final String site;
    private final GuestModule module;
    private final VmOptions options;
    private final Path directory;
    private final InetSocketAddress service;
    private final LongSupplier received;
    private final Runnable wakeReplay;
    private final AtomicReference<Request> pending = new AtomicReference<>();
    private Request starting; // guarded by this: asked for, not serving yet
    private ClonePoint copying; // guarded by this: taken, its disks still being copied
    private String copyEnded; // guarded by this: why the clone was ended while its disks were copied
    private TestClone serving; // guarded by this
    private String closed; // guarded by this: why replay ended; null while it runs

    /**
     * For site {@code site}, whose VM runs {@code module} with {@code options}; the copies go into {@code dataDir}. {@code service} is the pair's service address, which no
     * clone may take; {@code received} gives the position the backup has received; {@code
     * wakeReplay} makes a waiting replay thread look at the request (a quiet primary sends nothing
     * that would wake it).
     */
    public TestClones(String site, GuestModule module, VmOptions options, Path dataDir,
                      InetSocketAddress service, LongSupplier received, Runnable wakeReplay) {
        this.site = site;
        this.module = module;
        this.options = options.withConsole((mode, line) -> options.console().accept(mode, "(test clone) " + line));
        this.directory = dataDir.resolve(DIRECTORY);
        this.service = service;
        this.received = received;
        this.wakeReplay = wakeReplay;
    }

    /**
     * Takes a clone at what the backup has received and serves it on {@code address} until ended or
     * for {@code lease} unless renewed; returns once it serves. Throws why it cannot.
     */
    public TestClone.Started start(InetSocketAddress address, Duration lease) throws Exception {
        Request request = ask(address, lease, System.nanoTime());
        try {
            ClonePoint point = await(request);
            LOG.info("site '{}': test clone taken at position {} ({} events); replay held {} ms; copying the disks"
                    + " ({})", site, point.position(), point.events(), millis(point.pauseNanos()), point.method());
            awaitCopies(point);
            LOG.info("site '{}': test clone's disks copied: {}, {} bytes", site, point.method(), point.bytes());
            return serve(request, point, address, lease);
        } finally {
            synchronized (this) {
                if (starting == request) {
                    starting = null;
                }
            }
        }
    }

    private synchronized Request ask(InetSocketAddress address, Duration lease, long atNanos) throws IOException {
        if (closed != null) {
            throw new IllegalStateException("site '" + site + "' takes no test clone: its replay has ended ("
                    + closed + ")");
        }
        if (serving != null) {
            throw new IllegalStateException("a test clone is already serving on " + serving.address() + " since "
                    + serving.since());
        }
        if (starting != null) {
            throw new IllegalStateException("a test clone is already being taken, asked for at " + starting.at());
        }
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("a test clone's lease must be positive, not " + lease);
        }
        if (address.getPort() == service.getPort() && (address.getAddress() == null || service.getAddress() == null
                || address.getAddress().isAnyLocalAddress() || service.getAddress().isAnyLocalAddress()
                || address.getAddress().equals(service.getAddress()))) {
            throw new IllegalArgumentException(TestClone.hostPort(address) + " is the pair's service address ("
                    + TestClone.hostPort(service) + "): a test clone serves only on an isolated address of its own");
        }
        int leftOver = TestClone.deleteDirectory(directory);
        if (leftOver > 0) {
            LOG.warn("site '{}': removed {} copies an earlier test clone left in {} (its process ended without"
                    + " ending it)", site, leftOver, directory);
        }
        Request request = new Request(received.getAsLong(), Instant.now(), atNanos, new CompletableFuture<>());
        starting = request;
        pending.set(request);
        LOG.info("site '{}': test clone requested, to serve on {}: taken once replay reaches position {}", site,
                TestClone.hostPort(address), request.target());
        wakeReplay.run();
        return request;
    }

    /** The clone point the replay thread took for {@code request}; throws if replay does not reach it in time. */
    private ClonePoint await(Request request) throws Exception {
        try {
            return request.taken().get(REACH_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (pending.compareAndSet(request, null)) {
                throw new IllegalStateException("replay did not reach position " + request.target() + " within "
                        + REACH_WITHIN.toSeconds() + " s; no test clone was taken");
            }
            return request.taken().get(); // being taken: the copy is under way
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Waits for {@code point}'s copies, off the replay thread; deletes them and throws if they
     * fail or the clone is ended meanwhile.
     */
    private void awaitCopies(ClonePoint point) throws Exception {
        Exception failed = null;
        try {
            point.awaitCopies();
        } catch (IOException | InterruptedException e) {
            failed = e;
        }
        String ended;
        synchronized (this) {
            ended = closed != null ? closed : copyEnded;
            copying = null;
            copyEnded = null;
        }
        if (ended != null) {
            throw new IllegalStateException("the test clone was ended while its disks were copied (" + ended + "); "
                    + point.deleteCopies());
        }
        if (failed != null) {
            LOG.warn("site '{}': test clone's disks could not be copied: {}; {}", site, failed.getMessage(),
                    point.deleteCopies());
            throw new IllegalStateException("the test clone's disks could not be copied: " + failed.getMessage()
                    + "; the backup replays on, protected", failed);
        }
    }

    /** Boots the clone from {@code point}, off the replay thread; deletes the copies if it cannot. */
    private TestClone.Started serve(Request request, ClonePoint point, InetSocketAddress address, Duration lease)
            throws Exception {
        ServedRun run;
        try {
            run = ServedRun.restoreLive(module, options, point.copyPaths(), point.state(), point.position(),
                    point.events(), address);
        } catch (Exception e) {
            LOG.warn("site '{}': test clone could not serve on {}: {}; {}", site, TestClone.hostPort(address),
                    e.getMessage(), point.deleteCopies());
            throw new IllegalStateException("the test clone could not serve on " + TestClone.hostPort(address) + ": "
                    + e.getMessage(), e);
        }
        TestClone clone = new TestClone(run, point, Instant.now(), lease, this::expired);
        String endedMeanwhile;
        synchronized (this) {
            endedMeanwhile = closed;
            if (endedMeanwhile == null) {
                serving = clone;
            }
        }
        if (endedMeanwhile != null) {
            throw new IllegalStateException("site '" + site + "' ended its replay while the test clone booted ("
                    + endedMeanwhile + "); " + clone.end());
        }
        watchForHalt(clone);
        double ready = millis(System.nanoTime() - request.atNanos());
        LOG.info("site '{}': test clone serving on {}, {} ms after the request; lease {} s", site, clone.address(),
                ready, lease.toSeconds());
        return new TestClone.Started(point.position(), point.events(), point.method(), point.bytes(),
                millis(point.pauseNanos()), ready, clone.address(), point.directory().toString());
    }

    /** A clone whose VM halts (a guest fault) ends as if ended. */
    private void watchForHalt(TestClone clone) {
        Thread.ofVirtual().name("sitepair-test-clone-watch").start(() -> {
            try {
                clone.run().await();
            } catch (Exception e) {
                end(clone, "its VM halted: " + e.getMessage());
            }
        });
    }

    /**
     * On the replay thread, with {@code vm} between two events: takes the requested clone if replay
     * has reached its target. A failure fails the request, never replay.
     */
    public void atEventBoundary(GuestVm vm) {
        Request request = pending.get();
        if (request == null || vm.position() < request.target() || !pending.compareAndSet(request, null)) {
            return;
        }
        try {
            ClonePoint point = ClonePoint.take(vm, directory);
            synchronized (this) {
                copying = point;
            }
            request.taken().complete(point);
        } catch (Exception e) {
            LOG.warn("site '{}': test clone could not be taken at position {}: {}", site, vm.position(),
                    e.getMessage());
            request.taken().completeExceptionally(new IllegalStateException("the test clone could not be taken at"
                    + " position " + vm.position() + ": " + e.getMessage(), e));
        }
    }

    /** Extends the serving clone's lease by its length from now; says until when. */
    public synchronized String renew() {
        TestClone clone = requireServing();
        clone.renew(clone.lease());
        return "test clone on " + clone.address() + " renewed: it serves for " + clone.lease().toSeconds()
                + " s more unless renewed again";
    }

    /** Ends the serving clone, or the one whose disks are being copied; says what was stopped and deleted. */
    public String end() {
        TestClone clone = null;
        ClonePoint point;
        synchronized (this) {
            point = serving == null ? copying : null;
            if (point == null) {
                clone = requireServing();
            } else {
                copyEnded = "ended by request";
            }
        }
        if (point != null) {
            point.stopCopies(); // the request that took it deletes the copies
            return "test clone taken at position " + point.position() + " ended while its disks were copied";
        }
        return end(clone, "ended by request");
    }

    /** Replay has ended ({@code why}): a clone serving or being asked for ends first, and no other is taken. */
    public void close(String why) {
        TestClone clone;
        ClonePoint point;
        synchronized (this) {
            if (closed != null) {
                return;
            }
            closed = why;
            clone = serving;
            point = copying;
        }
        if (point != null) {
            point.stopCopies(); // the disks are no longer watched once this returns; the request deletes the copies
        }
        Request request = pending.getAndSet(null);
        if (request != null) {
            request.taken().completeExceptionally(new IllegalStateException("site '" + site
                    + "' takes no test clone: " + why));
        }
        if (clone != null) {
            end(clone, why);
        }
    }

    private void expired(TestClone clone) {
        end(clone, "its lease of " + clone.lease().toSeconds() + " s ran out without renewal");
    }

    /** Ends {@code clone} if it still serves; says what was done. */
    private String end(TestClone clone, String why) {
        synchronized (this) {
            if (serving != clone) {
                return "the test clone on " + clone.address() + " had already ended";
            }
            serving = null;
        }
        String ended = clone.end();
        LOG.info("site '{}': test clone on {} ended: {}; {}", site, clone.address(), why, ended);
        return "test clone on " + clone.address() + " ended: " + ended;
    }

    private TestClone requireServing() {
        if (serving == null) {
            throw new IllegalStateException("site '" + site + "' serves no test clone");
        }
        return serving;
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e5) / 10.0;
    }
}
