package io.sitepair.replicator.pair;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.pair.SiteState.Disk;
import io.sitepair.replicator.pair.SiteState.Link;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a replicating role ends. What ends its log before the primary does: the operator's stop,
 * the primary going on in a later epoch without it (superseded: it rejoins), a disk failing under
 * a copy. And the ways it ends: stopped, halted, or stopped to rejoin at once on the same ports.
 * Each way its disks and block map are closed (so the site can run again in this process) and the
 * site's run finishes, with the VM's state hash or with why not. A site that goes live does not
 * end here: its disks and records pass to the serving role.
 */
final class ReplicaEnd {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaEnd.class);

    private final String site;
    private final SiteStateMachine role;
    private final List<DiskImage> disks;
    private final SiteRecords records;
    private final CompletableFuture<String> finished;
    private final ReceivedLog received;
    private final LogReceiver receiver;
    private final HeartbeatLink heartbeat;
    private final EventLoopGroup network;
    private volatile String outcome = "";
    private volatile boolean stopping;
    private volatile String superseded; // null: not superseded
    private volatile String diskFailure; // null: the disks work

    /** {@code network} runs {@code receiver} and {@code heartbeat}; {@code finished} is the site's run. */
    ReplicaEnd(String site, SiteStateMachine role, List<DiskImage> disks, SiteRecords records,
               CompletableFuture<String> finished, ReceivedLog received, LogReceiver receiver, HeartbeatLink heartbeat,
               EventLoopGroup network) {
        this.site = site;
        this.role = role;
        this.disks = disks;
        this.records = records;
        this.finished = finished;
        this.received = received;
        this.receiver = receiver;
        this.heartbeat = heartbeat;
        this.network = network;
    }

    // ---- what ends the log early (any thread) ----

    /** Stops replay after the entries already received (the operator stopped this backup). */
    void stop() {
        stopping = true;
        endLog();
    }

    /** The primary went on in a later epoch without this site: its replay can never be used. */
    void supersede(String why) {
        superseded = why;
        role.change(s -> s.with(Link.DOWN), why);
        endLog();
    }

    /** A write of a copy failed: the site has failed. */
    void diskFailed(String why) {
        diskFailure = why;
        role.change(s -> s.with(Disk.FAILED), why);
        LOG.error("site '{}' FAILED: {}", site, why);
        endLog();
    }

    /**
     * Nothing more is received or acknowledged, and the log to replay ends after what arrived
     * (replay then drains it).
     */
    void endLog() {
        receiver.stop();
        received.end();
    }

    boolean stopping() {
        return stopping;
    }

    /** Whether this site stops to rejoin: the primary went on in a later epoch without it. */
    boolean superseded() {
        return superseded != null;
    }

    /** Whether something other than the primary ends this site's log. */
    boolean ending() {
        return stopping || superseded != null || diskFailure != null;
    }

    /** Why the run ended; empty before. */
    String outcome() {
        return outcome;
    }

    // ---- the ways it ends (the replay thread) ----

    /**
     * The log ended before replay could begin (superseded or stopped while waiting for the primary
     * or in the middle of a copy): no VM ran, and this site's disks and records are untouched.
     */
    void withoutReplay() {
        String failure = diskFailure;
        if (failure != null) {
            halted(failure, new SiteHalted(failure));
            return;
        }
        if (superseded != null) {
            rejoin("none (no VM ran)");
            return;
        }
        stopped("stopped before the primary's log began", "none (no VM ran)");
    }

    /** The site stops, with {@code state} its final state hash, to rejoin at once on the same ports. */
    void rejoin(String state) {
        closeNetworkNow();
        stopped(superseded, state);
    }

    /**
     * This site's run ends, stopped for {@code why} with {@code state} its final state hash, once
     * its disks and records are closed (so the site can run again in this process).
     */
    void stopped(String why, String state) {
        outcome = why;
        role.moveTo(Role.STOPPED, why);
        release();
        finished.complete(state);
    }

    /** This site's run ends halted for {@code why}, once its disks and records are closed. */
    void halted(String why, Throwable cause) {
        outcome = why;
        role.moveTo(Role.HALTED, why);
        release();
        finished.completeExceptionally(cause);
    }

    /** After a replay that did not hand its VM over: the disks and records close, then the network. */
    void afterReplay() {
        release();
        // Let a divergence report reach the primary before the channel closes.
        if (!network.isShuttingDown()) {
            network.schedule(this::closeNetwork, 200, TimeUnit.MILLISECONDS);
        }
    }

    /** Closes the channel and heartbeat sockets; the future completes once their ports are free. */
    private Future<?> closeNetwork() {
        receiver.stop();
        heartbeat.stop();
        return network.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Closes the channel and heartbeat sockets and waits until their ports are free. */
    void closeNetworkNow() {
        closeNetwork().syncUninterruptibly();
    }

    /** Closes the disks and the block map (cleanly), so the site can be run again in this process. */
    void release() {
        for (DiskImage disk : disks) {
            try {
                disk.close();
            } catch (Exception e) {
                LOG.warn("closing a disk failed: {}", e.getMessage());
            }
        }
        try {
            records.close();
        } catch (Exception e) {
            LOG.warn("closing the block map failed: {}", e.getMessage());
        }
    }
}
