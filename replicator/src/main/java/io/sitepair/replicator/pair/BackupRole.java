package io.sitepair.replicator.pair;

import static io.sitepair.replicator.status.StatusFields.emptyAsNull;
import static io.sitepair.replicator.status.StatusFields.round;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.channel.Transport;
import io.sitepair.replicator.pair.SiteState.Disk;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.replicator.resync.BackupResync;
import io.sitepair.replicator.resync.ResyncWriter;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.replicator.vm.ReplayDivergence;
import io.sitepair.replicator.vm.Replayer;
import io.sitepair.replicator.vm.Snapshot;
import io.sitepair.replicator.vm.VmException;
import io.sitepair.replicator.vm.VmOptions;
import io.sitepair.replicator.vm.VmThread;
import io.sitepair.tiebreaker.Tiebreaker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The site while it replicates (backup or resyncing): receives the primary's log, acknowledges it, and replays it in real time on
 * its own disk images (performing the disk writes itself; checking every disk read's checksum,
 * every output's hash and every periodic state hash against the primary's). It serves no
 * clients. It stops when the primary powers off cleanly, and halts at the first divergence,
 * telling the primary.
 *
 * <p>A returning site is re-protected first: it takes a copy of the primary's disks and VM state
 * ({@link Role#RESYNCING}, its disks durably marked inconsistent meanwhile) and replays the log
 * from the copy's position.
 *
 * <p>When the primary fails (no heartbeats and no log traffic for the failure timeout) and a
 * tiebreaker is configured, the backup goes live: it stops acknowledging (so the old primary can
 * release nothing more), replays everything it received, claims the next epoch, and on winning
 * hands its VM to a {@link PrimaryRole} that serves alone until the failed site returns. On
 * losing it halts.
 *
 * <p>The network runs on one event loop; replay runs on its own {@link VmThread}, taking entries
 * from the bounded {@link ReceivedLog} and waiting when it is empty.
 */
final class BackupRole {
    private static final Logger LOG = LoggerFactory.getLogger(BackupRole.class);
    private static final long TICK_MS = 100;

    private final SiteSettings settings;
    private final Tiebreaker tiebreaker;
    private final Arbitration arbitration;
    private final SiteStateMachine role;
    private final ReceivedLog received;
    private final EventLoopGroup network = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlers());
    private final CompletableFuture<String> finished; // the site's: completed here unless this site goes live
    private final Consumer<PrimaryRole> wentLive;
    private final List<DiskImage> disks = new ArrayList<>();
    private final SiteRecords records;
    private final LogReceiver receiver;
    private final HeartbeatLink heartbeat;
    private final PeerWatch peer;
    private final ByteRate wireRate = new ByteRate();
    private int ticks; // network loop only
    private volatile long replayed;
    private volatile long events;
    private volatile long epoch;
    private final Takeover takeover;
    private volatile ReplicaCopy.Completed copied; // waiting for the replay thread to restore it
    private final ReplicaCopy copy;
    private final VerifyTally verifyTally;
    private final ReplicaEnd end;

    private BackupRole(SiteSettings settings, Tiebreaker tiebreaker, SiteStateMachine role,
                       CompletableFuture<String> finished, Consumer<PrimaryRole> wentLive) throws IOException {
        this.settings = settings;
        this.tiebreaker = tiebreaker;
        this.finished = finished;
        this.wentLive = wentLive;
        this.arbitration = new Arbitration(tiebreaker, settings.site());
        this.epoch = settings.epoch();
        this.records = SiteRecords.open(settings.dataDir());
        this.role = role;
        this.received = new ReceivedLog(settings.bufferBytes(), 0);
        this.copy = new ReplicaCopy(settings, disks, records, tiebreaker, new AsReplica());
        if (copy.wantsCopy()) {
            role.change(s -> s.with(Disk.INCONSISTENT), "its disks are marked inconsistent: a copy must complete");
        }
        this.receiver = new LogReceiver(settings.identity(), settings.epoch(), received, () -> replayed,
                new BackupResync(settings.identity().diskBlocks(), copy), settings.linkTiming());
        this.verifyTally = new VerifyTally(receiver::reportVerify);
        this.heartbeat = new HeartbeatLink(settings.identity(), settings.epoch(), settings.peerHeartbeat());
        this.peer = new PeerWatch(settings.identity().peer(), settings.suspectAfter(), heartbeat::nanosSinceHeard,
                receiver::nanosSinceTraffic);
        this.takeover = new Takeover(arbitration, settings.identity().peer(), settings.suspectAfter(), new AsBackup());
        this.end = new ReplicaEnd(settings.site(), role, disks, records, finished, received, receiver, heartbeat, network);
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
        Thread replay = VmThread.factory("sitepair-replay").newThread(site::replay);
        replay.start();
        return site;
    }

    public java.net.InetSocketAddress channelAddress() {
        return receiver.address();
    }

    private void tick() {
        peer.check();
        takeover.check(peer.suspected(), System.nanoTime());
        if (heartbeat.peerEpoch() > epoch && !end.superseded()
                && (role.role() == Role.BACKUP || role.role() == Role.RESYNCING)) {
            end.supersede("site '" + settings.identity().peer() + "' serves in epoch " + heartbeat.peerEpoch()
                    + " without this backup (epoch " + epoch + "); rejoining by re-protection");
        }
        if (++ticks % 10 == 0) {
            wireRate.sample(receiver.codecStats().wireBytes());
        }
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
            receiver.stop();
            role.change(s -> s.with(Link.DOWN), why);
            received.end();
        }
    }

    /** A drill: this site's disks fail from now on; the next replayed or copied write fails the backup. */
    String injectDiskFault(String error) {
        return DiskFaultDrill.inject(settings.site(), disks, error);
    }

    /** Whether this backup stopped to rejoin: the primary went on in a later epoch without it. */
    boolean rejoins() {
        return end.superseded();
    }

    /** How this site went live, or why it is going live; empty before. */
    String failover() {
        return takeover.failover();
    }

    private void replay() {
        boolean handedOver = false;
        try (GroupFlusher flusher = new GroupFlusher("sitepair-backup-flush", ticket -> {})) {
            GuestVm vm = bootForReplay();
            if (vm == null) {
                end.withoutReplay();
                return;
            }
            // The backup's flushes need not be waited for: no output leaves here.
            vm.flushDisksWith(flusher::request);
            flusher.start();
            Replayer replayer = new Replayer(vm, received).onDiskCheck(verifyTally);
            ServedRun.Handover handover = new ServedRun.Handover();
            ShipLog liveLog = new ShipLog(RealInputs.WallClock.SYSTEM::nanos);
            if (arbitration.enabled()) {
                // The log may end inside a handler; the VM then goes on recording for its own backup.
                vm.recordAtEndOfLog(RealInputs.system(), handover, liveLog, settings.identity().loggedReads());
            }
            Replayer.Result result = replayer.run(v -> {
                replayed = v.position();
                events = v.eventsDelivered();
                return true;
            });
            replayed = result.lastPosition();
            flusher.close();
            if (end.superseded()) {
                end.rejoin(HexFormat.of().formatHex(vm.stateHash()));
                return;
            }
            if (result.switchover() && arbitration.enabled()) {
                receiver.stop(); // the primary delivers nothing after the marker; acknowledge nothing more
                handedOver = goLive(vm, result.lastPosition(), handover, liveLog, System.nanoTime());
                return;
            }
            if (takeover.primaryFailed() && !result.poweredOff()) {
                handedOver = goLive(vm, result.lastPosition(), handover, liveLog, System.nanoTime());
                return;
            }
            end.stopped(result.poweredOff() ? "the primary powered off cleanly at position " + result.lastPosition()
                    + "; this backup stopped there too and will not go live"
                    : "stopped at position " + result.lastPosition(), HexFormat.of().formatHex(vm.stateHash()));
        } catch (ReplayDivergence e) {
            receiver.reportDivergence(e.position(), "replay diverged: " + e.getMessage());
            String why = "replay diverged at log position " + e.position() + ": " + e.getMessage();
            end.halted(why, new SiteHalted(why, e));
        } catch (VmException e) {
            // A disk that fails under replay fails the backup: the primary goes on alone at once.
            receiver.reportDivergence(replayed, "failed: " + e.getMessage());
            end.halted(e.getMessage(), new SiteHalted(e.getMessage(), e));
        } catch (Exception | Error e) {
            end.halted("replay failed: " + e, e);
        } finally {
            if (!handedOver) {
                end.afterReplay();
            }
        }
    }

    /**
     * The VM replay starts from: booted fresh when the log starts at the beginning, or restored
     * from the copy re-protection brought (checked against the primary's state hash).
     */
    private GuestVm bootForReplay() throws IOException {
        VmOptions options = settings.vmOptions().withWriteStamps(records.stamps());
        if (!received.awaitStart()) {
            if (received.received() == 0) {
                return null; // ended before anything arrived: the disks (maybe mid-copy) stay as they are
            }
            // Replaying the epoch from its start: this site's disks follow it from here.
            records.enter(settings.epoch(), settings.epochStart(), settings.epochPrimary());
            return GuestVm.create(settings.module(), options, disks);
        }
        ReplicaCopy.Completed copy = copied;
        copied = null; // the state can be large: hold it no longer than needed
        GuestVm vm = Snapshot.restoreState(settings.module(), options, disks, copy.state(),
                copy.position(), copy.events());
        if (!Arrays.equals(vm.vmStateHash(), copy.stateHash())) {
            throw new ReplayDivergence(copy.position(), "the VM state copied from the primary does not hash to the"
                    + " primary's state hash");
        }
        return vm;
    }

    /** What re-protection tells this site, and asks of it. */
    private final class AsReplica implements ReplicaCopy.Replica {
        @Override
        public boolean replayingOrEnding() {
            return received.received() > 0 || copied != null || end.ending();
        }

        @Override
        public void resyncing(String why) {
            role.change(s -> s.with(Role.RESYNCING).with(Link.COPYING), why);
        }

        @Override
        public void copied(ReplicaCopy.Completed copy) {
            copied = copy;
            received.startAfter(copy.position());
            role.change(s -> s.with(Role.BACKUP).with(Disk.UP_TO_DATE).with(Link.STREAMING), "re-protecting site '"
                    + settings.identity().peer() + "' from position " + copy.position());
        }

        @Override
        public void diskFailed(String why) {
            end.diskFailed(why);
        }
    }

    /** Claims the next epoch and, on winning, hands the VM to a live site; returns whether it did. */
    private boolean goLive(GuestVm vm, long position, ServedRun.Handover handover, ShipLog liveLog,
                           long replayDoneNanos) throws Exception {
        String endpoint = settings.serviceEndpoint();
        Takeover.Outcome outcome = takeover.claim(epoch, position, endpoint, replayDoneNanos, end::stopping,
                end::superseded).get();
        switch (outcome) {
            case Takeover.Outcome.Abandoned() ->
                    throw new VmException("stopped while claiming epoch " + (epoch + 1) + "; did not go live");
            case Takeover.Outcome.Rejoin() -> {
                end.rejoin(HexFormat.of().formatHex(vm.stateHash()));
                return false;
            }
            case Takeover.Outcome.Halt(String why) -> {
                end.halted(why, new SiteHalted(why));
                return false;
            }
            case Takeover.Outcome.Live(long won) -> epoch = won;
        }
        records.enter(epoch, position, settings.site()); // before any write of the new epoch
        String failover = takeover.failover();
        end.closeNetworkNow(); // the live site binds the same channel ports to dial and re-protect the failed site
        String cause = !takeover.primaryFailed() ? "primary '" + settings.identity().peer() + "' switched over to this site"
                : "primary '" + settings.identity().peer() + "' failed";
        PrimaryRole live = PrimaryRole.takeOver(settings, tiebreaker, role, finished, epoch, vm, disks, handover,
                liveLog, records, cause);
        // Only now that clients can connect: status must not say live-alone before the service listens.
        role.change(s -> s.with(Role.LIVE_ALONE).with(Link.CONNECTING), cause + "; " + failover);
        wentLive.accept(live);
        String gone = "site '" + settings.site() + "' is " + failover + "; clients on " + endpoint
                + "; UNPROTECTED until site '" + settings.identity().peer() + "' rejoins";
        if (!takeover.primaryFailed()) {
            LOG.info("{}", gone);
        } else {
            LOG.warn("ALARM: {}", gone);
        }
        GoLiveHook.runAsync(settings.goLiveHook(), Map.of("SITEPAIR_PAIR", settings.identity().pair(),
                "SITEPAIR_SITE", settings.site(), "SITEPAIR_EPOCH", String.valueOf(epoch),
                "SITEPAIR_ENDPOINT", endpoint));
        return true;
    }

    /** Stops replay after the entries already received (the operator stopped this backup). */
    void stop() {
        end.stop();
    }

    BackupStatus status() {
        ResyncWriter writer = copy.writer();
        BackupStatus.Resync resyncing = role.role() == Role.RESYNCING && writer != null
                ? new BackupStatus.Resync(settings.identity().peer(), writer.plannedBlocks(), writer.copiedBlocks(),
                        writer.durablyPendingBlocks())
                : null;
        String channel = takeover.primaryFailed() ? "closed (the primary failed)"
                : receiver.streaming() ? "streaming" : "waiting for the primary (" + receiver.lastProblem() + ")";
        return new BackupStatus(settings.site(), role.role(), end.outcome().isEmpty() ? role.reason() : end.outcome(), epoch,
                resyncing, emptyAsNull(takeover.failover()), emptyAsNull(verifyTally.last()),
                emptyAsNull(arbitration.progress()), arbitration.connection(), channel,
                new BackupStatus.Positions(received.received(), replayed),
                new BackupStatus.Logging(round(wireRate.mbitPerSecond()), received.bufferedBytes(),
                        settings.bufferBytes()),
                events, records.status(),
                new BackupStatus.Peer(settings.identity().peer(), peer.msSinceHeartbeat(), peer.suspected()));
    }
}
