package io.sitepair.replicator.pair;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.pair.SiteState.Operation;
import io.sitepair.replicator.resync.PrimaryResync;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.tiebreaker.Tiebreaker;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The site while it serves (primary or live-alone): serves clients, records every non-deterministic input into a {@link ShipLog},
 * streams it to the backup as it is produced, and releases each output only when the backup has
 * acknowledged the output's log entry (the Output Rule, enforced by the served run's gate).
 *
 * <p>Everything below runs on the served run's event loop, the thread that runs the guest:
 * shipping a batch, handling an acknowledgement and releasing outputs need no hand-off. Three
 * controls act on event delivery: flow control (the log held for the backup is bounded), lag
 * control ({@link LagControl}) and the power-off.
 */
final class PrimaryRole implements PrimaryStatusReport.Serving, PlannedOperations.Serving, BackupLoss.Primary {
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryRole.class);
    private static final long TICK_MS = 100;

    private final SiteSettings settings;
    private final Arbitration arbitration;
    private QuorumGuard guard;
    private final SiteStateMachine role;
    private final AcknowledgedWaits acks = new AcknowledgedWaits(); // loop thread only
    private final ShipLog log;
    private final SiteRecords records;
    private final LagControl lag;
    private final CompletableFuture<String> finished; // the site's: completed when this role ends the site's run
    private final long streamId = new SecureRandom().nextLong() & Long.MAX_VALUE | 1;
    private ServedRun run;
    private ServingParts parts; // once connected
    private long heartbeatsResumedNanos; // loop thread only: the last resumption acted on
    private final BackupLoss backupLoss;
    private final BackupListener fromBackup;
    private PrimaryStatusReport report;
    private PlannedOperations operations;
    private ServingEnd end;
    private volatile long epoch;

    private PrimaryRole(SiteSettings settings, Tiebreaker tiebreaker, SiteStateMachine role,
                        CompletableFuture<String> finished, long epoch, ShipLog log, SiteRecords records) {
        this.settings = settings;
        this.finished = finished;
        this.records = records;
        this.arbitration = new Arbitration(tiebreaker, settings.site());
        this.epoch = epoch;
        this.log = log;
        this.lag = new LagControl(settings.lagTarget());
        this.role = role;
        this.backupLoss = new BackupLoss(arbitration, settings.site(), settings.identity().peer(),
                settings.serviceEndpoint(), settings.suspectAfter(), this);
        this.fromBackup = new BackupListener(backupLoss, this::continueAlone);
    }

    /**
     * Boots the guest, starts serving clients and dialling the backup. With a {@code tiebreaker}
     * (null: none), losing the backup makes this site claim the next epoch and go on alone.
     */
    static PrimaryRole start(SiteSettings settings, Tiebreaker tiebreaker, SiteStateMachine role,
                             CompletableFuture<String> finished) throws Exception {
        SiteRecords records = SiteRecords.open(settings.dataDir());
        try {
            records.enter(settings.epoch(), settings.epochStart(), settings.epochPrimary());
        } catch (Exception e) {
            records.close();
            throw e;
        }
        PrimaryRole site = new PrimaryRole(settings, tiebreaker, role, finished, settings.epoch(),
                new ShipLog(RealInputs.WallClock.SYSTEM::nanos), records);
        site.run = ServedRun.startRecording(settings.module(),
                settings.vmOptions().withWriteStamps(records.stamps(settings.meters())), settings.disks(),
                settings.diskBytes(), settings.network(), new ServedRun.Recording(site.log,
                        settings.identity().loggedReads(), true, site::afterEvent, settings.meters()));
        site.connect("");
        return site;
    }

    /**
     * A backup that won epoch {@code epoch} after its primary failed (or switched over) goes on as
     * this site, live alone: it serves with the replayed {@code vm} (armed with {@link GuestVm#recordAtEndOfLog}
     * on {@code log}), and dials the failed site, which is re-protected when it returns.
     */
    static PrimaryRole takeOver(SiteSettings settings, Tiebreaker tiebreaker, SiteStateMachine role,
                                CompletableFuture<String> finished, long epoch, GuestVm vm, List<DiskImage> disks,
                                ServedRun.Handover handover, ShipLog log, SiteRecords records, String cause)
            throws Exception {
        PrimaryRole site = new PrimaryRole(settings, tiebreaker, role, finished, epoch, log, records);
        site.run = ServedRun.goLive(vm, disks, settings.network(), handover,
                new ServedRun.Recording(log, settings.identity().loggedReads(), false, site::afterEvent,
                        settings.meters()));
        site.connect(cause);
        site.run.loop().execute(site.parts.shipper()::requireCopy); // the failed site's state is of the old epoch
        return site;
    }

    /**
     * Starts the logging channel, heartbeats, failure detection and the quorum guard; {@code alarm}
     * says why the site serves unprotected from the start (it went live alone), or is empty.
     */
    private void connect(String alarm) throws Exception {
        OnlineVerify verifier = new OnlineVerify(run, log, this::afterEvent, settings.site(),
                settings.identity().peer(), fromBackup::replayed, settings.meters());
        PrimaryResync resyncs = new PrimaryResync(settings.identity(), new LiveCopySource(run, records),
                settings.resync(), fromBackup::reprotected);
        LogShipper shipper = new LogShipper(settings.identity(), epoch, streamId, log, resyncs, run.loop(),
                settings.peerChannel(), settings.linkTiming(), fromBackup);
        HeartbeatLink heartbeat = new HeartbeatLink(settings.identity(), epoch, settings.peerHeartbeat());
        heartbeat.start(run.loop(), settings.channel(), settings.heartbeatInterval());
        PeerWatch peer = new PeerWatch(settings.identity().peer(), settings.suspectAfter(), heartbeat::nanosSinceHeard,
                shipper::nanosSinceTraffic, PeerWatch.afterNextRead(run.loop()));
        LogFlow flow = new LogFlow(run, log, shipper, lag, settings.bufferBytes(), () -> role.role() == Role.PRIMARY,
                this::deliveryHeld);
        parts = new ServingParts(settings, role, arbitration, run, log, records, acks, lag, shipper, heartbeat, peer,
                flow, verifier);
        end = new ServingEnd(parts, finished, this::endLinks);
        report = new PrimaryStatusReport(parts, this, alarm);
        operations = new PlannedOperations(parts, report, this);
        fromBackup.connected(parts, report, operations);
        shipper.start();
        guard = arbitration.guard(() -> epoch, new OutputFence(run::fenceOutputs, role), why -> onLoop(() -> halt(why)));
        run.loop().scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        long checkEvery = settings.stateCheckInterval().toMillis();
        run.loop().scheduleAtFixedRate(this::logStateCheck, checkEvery, checkEvery, TimeUnit.MILLISECONDS);
        Thread.ofPlatform().daemon().name("sitepair-primary-watch").start(end::watchRun);
    }

    // ---- on the loop thread ----

    /** After every event, once the channel exists (the boot's entries are shipped once the backup connects). */
    private void afterEvent() {
        if (parts != null) {
            parts.flow().afterEvent();
        }
    }

    /** Whether delivery is held for an operation, or for good. */
    private boolean deliveryHeld() {
        return operation() == Operation.SWITCHOVER || operation() == Operation.POWER_OFF || finished.isDone();
    }

    private Operation operation() {
        return role.state().operation();
    }

    private void tick() {
        if (parts.primaryStreaming()) {
            lag.adjust(RealInputs.WallClock.SYSTEM.nanos());
        }
        HeartbeatLink heartbeat = parts.heartbeat();
        long resumed = heartbeat.resumedNanos();
        if (resumed != heartbeatsResumedNanos) {
            heartbeatsResumedNanos = resumed;
            parts.shipper().peerHeardAgain(resumed);
        }
        parts.peer().check();
        backupLoss.check(parts.peer().suspected(), System.nanoTime());
        // A switchover that still waits sees the backup take the epoch itself; one that gave up must not keep serving.
        if (heartbeat.peerEpoch() > epoch && role.role().serves() && !operations.switchoverWaiting()) {
            halt("site '" + settings.identity().peer() + "' serves in epoch " + heartbeat.peerEpoch()
                    + " (its heartbeats say so); this site, in epoch " + epoch + ", must not serve");
        }
        report.tick();
    }

    /** A full VM state hash, between events, for the backup to compare at the same point. */
    private void logStateCheck() {
        if (role.role() == Role.PRIMARY && run.vm().status() == GuestVm.Status.RUNNING) {
            log.append(new LogRecord.StateCheck(run.vm().vmStateHash()));
            afterEvent();
        }
    }

    // ---- what BackupLoss needs of this site ----

    @Override
    public boolean protectedPrimary() {
        return role.role() == Role.PRIMARY;
    }

    @Override
    public boolean switchingOver() {
        return operation() == Operation.SWITCHOVER;
    }

    @Override
    public long position() {
        return log.lastPosition();
    }

    @Override
    public void wonEpoch(long won, long position, String why) {
        epochPassed(won, position);
        String alarm = why + "; live alone in epoch " + epoch;
        report.alarm(alarm);
        LOG.warn("ALARM: {} (from position {})", alarm, position);
        continueAlone(why + "; epoch " + epoch);
    }

    @Override
    public boolean ended() {
        return finished.isDone();
    }

    /**
     * Runs {@code task} on the loop, for a helper thread (a claim, the quorum guard) that learned
     * something. A site that has ended (halted while a claim waited for a quorum) has shut its
     * loop down, and what it learns afterwards has nothing left to act on.
     */
    @Override
    public void onLoop(Runnable task) {
        try {
            run.loop().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException ended) {
            // the site ended meanwhile: see above
        }
    }

    /**
     * This site now holds {@code next}, from log position {@code start}: its lineage says so
     * before any write of the new epoch, everything it sends says so, and its outputs are counted
     * under it.
     */
    private void epochPassed(long next, long start) {
        try {
            records.enter(next, start, settings.site());
        } catch (java.io.IOException e) {
            halt("cannot record epoch " + next + " in this site's lineage: " + e.getMessage());
            return;
        }
        report.epochEnded(epoch);
        epoch = next;
        parts.shipper().newEpoch(next);
        parts.heartbeat().newEpoch(next);
    }

    /**
     * Serves without a backup: outputs no longer wait for acknowledgements and no log is kept. The
     * channel keeps dialling the peer, which is re-protected (copied in full) when it returns.
     */
    private void continueAlone(String why) {
        // A switchover or verify whose backup failed is over: this site goes on; a power-off goes on.
        if (!role.change(s -> s.with(Role.LIVE_ALONE).with(s.operation() == Operation.POWER_OFF
                ? Operation.POWER_OFF : Operation.NONE), why)) {
            return;
        }
        acks.abandon();
        parts.shipper().requireCopy();
        run.dropOutputRule();
        parts.flow().alone();
    }

    /** Stops serving at once, releasing nothing more: another site is live. */
    @Override
    public void halt(String why) {
        end.halt(why);
    }

    /**
     * This role is over: the channel and heartbeats stop, and its quorum guard no longer listens
     * (a process that rejoins as the backup, and later serves again, is guarded by its new role).
     */
    private void endLinks() {
        guard.close();
        parts.shipper().stop();
        parts.heartbeat().stop();
    }

    // ---- lifecycle ----

    /** Clean power-off; see {@link PlannedOperations#powerOff}. */
    public void stop() {
        if (finished.isDone()) {
            return;
        }
        try {
            operations.powerOff();
        } catch (Exception e) {
            finished.completeExceptionally(e);
        }
    }

    @Override
    public void endStopped(String why) throws Exception {
        end.stopped(why);
    }

    /** Planned switchover to the backup; see {@link PlannedOperations#switchOver}. */
    public String switchOver() throws Exception {
        return operations.switchOver();
    }

    public boolean rejoins() {
        return operations.switchedOver();
    }

    /** Online verify (and repair); see {@link PlannedOperations#verify}. */
    public String verify(boolean repair) throws Exception {
        return operations.verify(repair);
    }

    /** A drill: this site's disks fail from now on; the guest's next write halts the site (a primary failure). */
    public String injectDiskFault(String error) throws Exception {
        return run.loop().submit(() -> DiskFaultDrill.inject(settings.site(), run.vm().disks(), error)).get();
    }

    /** The operator's go-ahead for the resync of the returning site, or a new rate limit; see {@link LogShipper#approveResync}. */
    public String resync(long rate, String discard) throws Exception {
        return run.loop().submit(() -> parts.shipper().approveResync(rate, discard)).get();
    }

    public PrimaryStatus status() {
        return report.status();
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public long replayed() {
        return fromBackup.replayed();
    }

    @Override
    public String fenced() {
        return guard.state();
    }
}
