package io.sitepair.replicator.pair;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.channel.Transport;
import io.sitepair.replicator.drill.TestClone;
import io.sitepair.replicator.drill.TestClones;
import io.sitepair.replicator.pair.SiteState.Disk;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.replicator.resync.BackupResync;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.vm.VmThread;
import io.sitepair.tiebreaker.Tiebreaker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The site while it replicates (backup or resyncing): receives the primary's log, acknowledges it, and replays it in real time on
 * its own disk images (performing the disk writes itself; checking every disk read's checksum,
 * every output's hash and every periodic state hash against the primary's). It serves no
 * clients. It stops when the primary powers off cleanly, and halts at the first divergence,
 * telling the primary.
 *
 * <p>A returning site is re-protected first: it takes a copy of the primary's disks and VM state
 * ({@link Role#RESYNCING}, its disks durably marked inconsistent meanwhile; {@link ReplicaCopy})
 * and replays the log from the copy's position.
 *
 * <p>When the primary fails (no heartbeats and no log traffic for the failure timeout) and a
 * tiebreaker is configured, the backup goes live: it stops acknowledging (so the old primary can
 * release nothing more), replays everything it received, claims the next epoch, and on winning
 * hands its VM to a {@link PrimaryRole} that serves alone until the failed site returns
 * ({@link Takeover}, {@link GoLive}). On losing it halts.
 *
 * <p>The network (the channel, heartbeats, the tick that watches the peer) runs on one event loop;
 * replay runs on its own {@link VmThread} ({@link ReplayDriver}). How the run ends is {@link ReplicaEnd}'s.
 */
final class BackupRole {
    private static final long TICK_MS = 100;

    private final SiteSettings settings;
    private final SiteStateMachine role;
    private final ReceivedLog received;
    private final EventLoopGroup network = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlers());
    private final List<DiskImage> disks = new ArrayList<>();
    private final LogReceiver receiver;
    private final HeartbeatLink heartbeat;
    private final PeerWatch peer;
    private final Takeover takeover;
    private final ReplicaEnd end;
    private final GoLive goLive;
    private final ReplayDriver driver;
    private final BackupStatusReport report;

    /** {@code finished} is the site's run: completed by this role unless the site goes live. */
    private BackupRole(SiteSettings settings, Tiebreaker tiebreaker, SiteStateMachine role,
                       CompletableFuture<String> finished, Consumer<PrimaryRole> wentLive) throws IOException {
        this.settings = settings;
        Arbitration arbitration = new Arbitration(tiebreaker, settings.site());
        SiteRecords records = SiteRecords.open(settings.dataDir());
        this.role = role;
        this.received = new ReceivedLog(settings.bufferBytes(), 0);
        ReplicaCopy copy = new ReplicaCopy(settings, disks, records, tiebreaker, new AsReplica());
        if (copy.wantsCopy()) {
            role.change(s -> s.with(Disk.INCONSISTENT), "its disks are marked inconsistent: a copy must complete");
        }
        this.receiver = new LogReceiver(settings.identity(), settings.epoch(), received, this::replayed,
                new BackupResync(settings.identity().diskBlocks(), copy), settings.linkTiming());
        receiver.onLinkChange(this::linkChanged);
        VerifyTally verifyTally = new VerifyTally(receiver::reportVerify);
        this.heartbeat = new HeartbeatLink(settings.identity(), settings.epoch(), settings.peerHeartbeat());
        this.peer = new PeerWatch(settings.identity().peer(), settings.suspectAfter(), heartbeat::nanosSinceHeard,
                receiver::nanosSinceTraffic, PeerWatch.afterNextRead(network.next()));
        this.takeover = new Takeover(arbitration, settings.identity().peer(), settings.suspectAfter(), new AsBackup());
        this.end = new ReplicaEnd(settings.site(), role, disks, records, finished, received, receiver, heartbeat, network);
        this.goLive = new GoLive(settings, tiebreaker, role, finished, wentLive, disks, records, takeover, end);
        this.driver = new ReplayDriver(settings, received, disks, records, verifyTally, receiver, arbitration, takeover,
                goLive, end);
        this.report = new BackupStatusReport(settings, role, arbitration, records, received, receiver, peer, copy,
                verifyTally, takeover, driver, goLive, end);
    }

    /**
     * Opens the disks, listens for the primary and starts the replay thread, which boots the VM
     * once it knows where the log starts. With a {@code tiebreaker} (null: none) it goes live when
     * the primary fails.
     */
    static BackupRole start(SiteSettings settings, Tiebreaker tiebreaker, SiteStateMachine role,
                            CompletableFuture<String> finished, Consumer<PrimaryRole> wentLive) throws Exception {
        BackupRole site = new BackupRole(settings, tiebreaker, role, finished, wentLive);
        try {
            for (Path path : settings.disks()) {
                site.disks.add(DiskImage.openOrCreate(path, settings.diskBytes()));
            }
            site.receiver.start(site.network, settings.channel());
            site.heartbeat.start(site.network.next(), settings.channel(), settings.heartbeatInterval());
        } catch (Exception e) {
            site.end.release();
            site.network.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        site.network.next().scheduleAtFixedRate(site::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        Thread replay = VmThread.factory("sitepair-replay").newThread(site.driver);
        replay.start();
        return site;
    }

    public InetSocketAddress channelAddress() {
        return receiver.address();
    }

    private void tick() {
        peer.check();
        takeover.check(peer.suspected(), System.nanoTime());
        long epoch = goLive.epoch();
        if (heartbeat.peerEpoch() > epoch && !end.superseded()
                && (role.role() == Role.BACKUP || role.role() == Role.RESYNCING)) {
            end.supersede("site '" + settings.identity().peer() + "' serves in epoch " + heartbeat.peerEpoch()
                    + " without this backup (epoch " + epoch + "); rejoining by re-protection");
        }
        report.tick();
    }

    /**
     * The logging channel as the site's state shows it: streaming while an authenticated primary
     * is connected, connecting while none is. A resyncing site shows its copy instead, and a
     * channel closed for good (the primary failed, or this site is superseded) stays down.
     */
    private void linkChanged(boolean streaming, String why) {
        role.change(s -> s.link() == Link.DOWN || s.role() == Role.RESYNCING ? s
                : s.with(streaming ? Link.STREAMING : Link.CONNECTING), why);
    }

    /** What the takeover asks of this site: fencing the failed primary off, then draining what was received. */
    private final class AsBackup implements Takeover.Backup {
        @Override
        public boolean protecting() {
            return role.role() == Role.BACKUP;
        }

        @Override
        public long received() {
            return received.received();
        }

        @Override
        public void stopAcknowledging(String why) {
            role.change(s -> s.with(Link.DOWN), why);
            end.endLog();
        }
    }

    /** A drill: this site's disks fail from now on; the next replayed or copied write fails the backup. */
    String injectDiskFault(String error) {
        return DiskFaultDrill.inject(settings.site(), disks, error);
    }

    /**
     * A test drill's clone of what this backup has replayed, serving on {@code address} for {@code
     * lease} unless renewed; only while it protects the primary (replaying what streams in).
     */
    TestClone.Started startTestClone(InetSocketAddress address, Duration lease) throws Exception {
        SiteState state = role.state();
        if (state.role() != Role.BACKUP || state.link() != Link.STREAMING || state.disk() != Disk.UP_TO_DATE
                || end.ending()) {
            throw new IllegalStateException("site '" + settings.site() + "' is " + state.label() + "; only a"
                    + " protected backup, replaying what its primary streams, can take a test clone");
        }
        return driver.testClones().start(address, lease);
    }

    TestClones testClones() {
        return driver.testClones();
    }

    /** Whether this backup stopped to rejoin: the primary went on in a later epoch without it. */
    boolean rejoins() {
        return end.superseded();
    }

    /** How this site went live, or why it is going live; empty before. */
    String failover() {
        return takeover.failover();
    }

    /** What re-protection tells this site, and asks of it. */
    private final class AsReplica implements ReplicaCopy.Replica {
        @Override
        public boolean replayingOrEnding() {
            return received.received() > 0 || driver.copyWaiting() || end.ending();
        }

        @Override
        public void resyncing(String why) {
            role.change(s -> s.with(Role.RESYNCING).with(Link.COPYING), why);
        }

        @Override
        public void copied(ReplicaCopy.Completed copy) {
            driver.startFrom(copy);
            role.change(s -> s.with(Role.BACKUP).with(Disk.UP_TO_DATE).with(Link.STREAMING), "re-protecting site '"
                    + settings.identity().peer() + "' from position " + copy.position());
        }

        @Override
        public void diskFailed(String why) {
            end.diskFailed(why);
        }
    }

    /** The log position replay reached, acknowledged to the primary. */
    private long replayed() {
        return driver.replayed();
    }

    /** Stops replay after the entries already received (the operator stopped this backup). */
    void stop() {
        end.stop();
    }

    BackupStatus status() {
        return report.status();
    }
}
