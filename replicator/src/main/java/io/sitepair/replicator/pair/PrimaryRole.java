package io.sitepair.replicator.pair;

import io.sitepair.compression.CodecStats;
import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.pair.SiteState.Fence;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.replicator.pair.SiteState.Operation;
import io.sitepair.replicator.resync.CopySender;
import io.sitepair.replicator.resync.PrimaryResync;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.Protection;
import io.sitepair.replicator.status.StatusFields;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.tiebreaker.Tiebreaker;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
final class PrimaryRole {
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryRole.class);
    private static final long TICK_MS = 100;
    private static final long POWER_OFF_WAIT_MS = 10_000;
    private static final long SWITCHOVER_WAIT_MS = 30_000;

    private final SiteSettings settings;
    private final Arbitration arbitration;
    private QuorumGuard guard;
    private final SiteStateMachine role;
    private final AcknowledgedWaits acks = new AcknowledgedWaits(); // loop thread only
    private final ShipLog log;
    private final SiteRecords records;
    private final LagControl lag;
    private final ByteRate rawRate = new ByteRate();
    private final ByteRate wireRate = new ByteRate();
    private final CompletableFuture<String> finished; // the site's: completed when this role ends the site's run
    private final long streamId = new SecureRandom().nextLong() & Long.MAX_VALUE | 1;
    private ServedRun run;
    private LogShipper shipper;
    private HeartbeatLink heartbeat;
    private PeerWatch peer;
    private LogFlow flow;
    private long replayed;
    private int ticks;
    private String alarm = "";
    private long heartbeatsResumedNanos; // loop thread only: the last resumption acted on
    private final BackupLoss backupLoss;
    private volatile boolean switchedOver;
    /** Outputs this site released, per epoch it held (the current one counted live); loop thread only. */
    private final Map<Long, Long> releasedByEpoch = new TreeMap<>();
    private long releasedBeforeEpoch; // loop thread only
    private OnlineVerify verifier;
    private volatile long epoch;
    private CopySender.Outcome lastCopy; // the last re-protection; loop thread only
    private java.time.LocalTime lastCopyAt; // when it completed; loop thread only

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
                settings.serviceEndpoint(), settings.suspectAfter(), new AsPrimary());
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
        site.run = ServedRun.startRecording(settings.module(), settings.vmOptions().withWriteStamps(records.stamps()),
                settings.disks(), settings.diskBytes(),
                settings.service(), new ServedRun.Recording(site.log, settings.identity().loggedReads(), true,
                        site::afterEvent));
        site.connect();
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
        site.alarm = cause;
        site.run = ServedRun.goLive(vm, disks, settings.service(), handover,
                new ServedRun.Recording(log, settings.identity().loggedReads(), false, site::afterEvent));
        site.connect();
        site.run.loop().execute(site.shipper::requireCopy); // the failed site's state is of the old epoch
        return site;
    }

    /** Starts the logging channel, heartbeats, failure detection and the quorum guard. */
    private void connect() throws Exception {
        verifier = new OnlineVerify(run, log, this::afterEvent, settings.site(), settings.identity().peer(),
                () -> replayed);
        FromBackup fromBackup = new FromBackup();
        PrimaryResync resyncs = new PrimaryResync(settings.identity(), new LiveCopySource(run, records), settings.resync(),
                fromBackup::reprotected);
        shipper = new LogShipper(settings.identity(), epoch, streamId, log, resyncs, run.loop(), settings.peerChannel(),
                settings.linkTiming(), fromBackup);
        heartbeat = new HeartbeatLink(settings.identity(), epoch, settings.peerHeartbeat());
        heartbeat.start(run.loop(), settings.channel(), settings.heartbeatInterval());
        peer = new PeerWatch(settings.identity().peer(), settings.suspectAfter(), heartbeat::nanosSinceHeard,
                shipper::nanosSinceTraffic);
        flow = new LogFlow(run, log, shipper, lag, settings.bufferBytes(), () -> role.role() == Role.PRIMARY,
                this::deliveryHeld);
        shipper.start();
        guard = arbitration.guard(() -> epoch, new OutputFence(), why -> onLoop(() -> halt(why)));
        run.loop().scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        long checkEvery = settings.stateCheckInterval().toMillis();
        run.loop().scheduleAtFixedRate(this::logStateCheck, checkEvery, checkEvery, TimeUnit.MILLISECONDS);
        Thread.ofPlatform().daemon().name("sitepair-primary-watch").start(this::watchRun);
    }

    /** The address clients use. */
    public java.net.InetSocketAddress serviceAddress() {
        return run.address();
    }

    // ---- on the loop thread ----

    /** After every event, once the channel exists (the boot's entries are shipped once the backup connects). */
    private void afterEvent() {
        if (flow != null) {
            flow.afterEvent();
        }
    }

    private void updateDelivery() {
        flow.updateDelivery();
    }

    /** Whether delivery is held for an operation, or for good. */
    private boolean deliveryHeld() {
        return operation() == Operation.SWITCHOVER || operation() == Operation.POWER_OFF || finished.isDone();
    }

    private Operation operation() {
        return role.state().operation();
    }

    private void tick() {
        if (role.role() == Role.PRIMARY && shipper.state() == LogShipper.State.STREAMING) {
            lag.adjust(RealInputs.WallClock.SYSTEM.nanos());
        }
        long resumed = heartbeat.resumedNanos();
        if (resumed != heartbeatsResumedNanos) {
            heartbeatsResumedNanos = resumed;
            shipper.peerHeardAgain(resumed);
        }
        peer.check();
        backupLoss.check(peer.suspected(), System.nanoTime());
        if (heartbeat.peerEpoch() > epoch && role.role().serves() && operation() != Operation.SWITCHOVER) {
            halt("site '" + settings.identity().peer() + "' serves in epoch " + heartbeat.peerEpoch()
                    + " (its heartbeats say so); this site, in epoch " + epoch + ", must not serve");
        }
        if (++ticks % 10 == 0) {
            CodecStats wire = shipper.codecStats();
            rawRate.sample(wire.rawBytes());
            wireRate.sample(wire.wireBytes());
        }
    }

    /** A full VM state hash, between events, for the backup to compare at the same point. */
    private void logStateCheck() {
        if (role.role() == Role.PRIMARY && run.vm().status() == io.sitepair.replicator.vm.GuestVm.Status.RUNNING) {
            log.append(new LogRecord.StateCheck(run.vm().vmStateHash()));
            afterEvent();
        }
    }

    /** What {@link BackupLoss} needs of this site. */
    private final class AsPrimary implements BackupLoss.Primary {
        @Override
        public boolean protectedPrimary() {
            return role.role() == Role.PRIMARY;
        }

        @Override
        public boolean switchingOver() {
            return operation() == Operation.SWITCHOVER;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public long position() {
            return log.lastPosition();
        }

        @Override
        public void wonEpoch(long won, long position, String why) {
            epochPassed(won, position);
            alarm = why + "; live alone in epoch " + epoch;
            LOG.warn("ALARM: {} (from position {})", alarm, position);
            continueAlone(why + "; epoch " + epoch);
        }

        @Override
        public void halt(String why) {
            PrimaryRole.this.halt(why);
        }

        @Override
        public boolean ended() {
            return finished.isDone();
        }

        @Override
        public void onLoop(Runnable task) {
            PrimaryRole.this.onLoop(task);
        }
    }

    /**
     * Runs {@code task} on the loop, for a helper thread (a claim, the quorum guard) that learned
     * something. A site that has ended (halted while a claim waited for a quorum) has shut its
     * loop down, and what it learns afterwards has nothing left to act on.
     */
    private void onLoop(Runnable task) {
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
        long released = run.releasedOutputs();
        releasedByEpoch.merge(epoch, released - releasedBeforeEpoch, Long::sum);
        releasedBeforeEpoch = released;
        epoch = next;
        shipper.newEpoch(next);
        heartbeat.newEpoch(next);
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
        shipper.requireCopy();
        run.dropOutputRule();
        flow.alone();
    }

    /** Stops serving at once, releasing nothing more: another site is live. */
    private void halt(String why) {
        if (!role.moveTo(Role.HALTED, why)) {
            return;
        }
        LOG.error("site '{}' HALTED: {}", settings.site(), why);
        acks.abandon();
        endLinks();
        finished.completeExceptionally(new SiteHalted(why));
        Thread.ofPlatform().name("sitepair-halt").start(() -> {
            try {
                run.stop();
            } catch (Exception e) {
                LOG.warn("stopping the halted run: {}", e.getMessage());
            }
            closeRecords();
        });
    }

    /**
     * This role is over: the channel and heartbeats stop, and its quorum guard no longer listens
     * (a process that rejoins as the backup, and later serves again, is guarded by its new role).
     */
    private void endLinks() {
        guard.close();
        shipper.stop();
        heartbeat.stop();
    }

    /** Once the VM writes no more: a clean stop of the block map. */
    private void closeRecords() {
        try {
            records.close();
        } catch (Exception e) {
            LOG.warn("closing the block map failed: {}", e.getMessage());
        }
    }

    /** The quorum guard's hold on outputs: the served run's gate, and the site's state that says so. */
    private final class OutputFence implements QuorumGuard.Fence {
        @Override
        public void hold(String why) {
            run.fenceOutputs(true);
            role.change(s -> s.with(Fence.FENCED), why);
        }

        @Override
        public void release(String why) {
            run.fenceOutputs(false);
            role.change(s -> s.with(Fence.CLEAR), why);
        }
    }

    private final class FromBackup implements LogShipper.Listener {
        @Override
        public void acknowledged(long received, long replayedThrough) {
            if (replayedThrough >= 0) {
                replayed = Math.max(replayed, replayedThrough);
                lag.replayed(replayed);
            }
            run.acknowledgedThrough(received);
            acks.acknowledged(received);
            flow.acknowledged();
        }

        @Override
        public void backupStopped(long position, String reason) {
            alarm = "the backup stopped at log position " + position + ": " + reason;
            LOG.warn("ALARM: {}", alarm);
            LOG.warn("ALARM: site '{}' continues UNPROTECTED; the backup must be re-protected",
                    settings.site());
            continueAlone("backup stopped at position " + position);
        }

        /** Re-protection finished: the backup holds this site's disks and VM state at {@code copy.position()}. */
        void reprotected(CopySender.Outcome copy) {
            run.resumeOutputRule();
            if (role.moveTo(Role.PRIMARY, "re-protected by site '" + settings.identity().peer() + "' from position "
                    + copy.position())) {
                alarm = "";
            }
            lastCopy = copy;
            lastCopyAt = java.time.LocalTime.now().withNano(0);
            LOG.info("site '{}' is protected again by site '{}' from position {} (re-protection {})",
                    settings.site(), settings.identity().peer(), copy.position(), lastReprotection());
        }

        @Override
        public void verified(io.sitepair.replicator.channel.ChannelMessage.VerifyReport report) {
            verifier.reported(report);
        }

        @Override
        public void linkChanged(boolean streaming, String why) {
            // Outputs simply wait while the link is down. Lag control only acts on a connected
            // backup: flow control bounds what accumulates meanwhile.
            role.change(s -> s.with(streaming ? Link.STREAMING : Link.CONNECTING), why);
            backupLoss.linkChanged(streaming, System.nanoTime());
            if (!streaming) {
                verifier.linkLost(why);
                lag.reset();
            }
        }
    }

    // ---- lifecycle ----

    private void watchRun() {
        try {
            run.await();
        } catch (Exception e) {
            role.moveTo(Role.HALTED, e.getMessage());
            endLinks();
            closeRecords();
            finished.completeExceptionally(e);
        }
    }

    /**
     * Clean power-off: delivers no more events, logs a power-off marker and waits (bounded) until
     * the backup holds it, so the backup stops at exactly this state instead of going live.
     */
    public void stop() {
        if (finished.isDone()) {
            return;
        }
        try {
            long powerOff = run.loop().submit(() -> {
                role.change(st -> st.with(Operation.POWER_OFF), "powering off");
                updateDelivery();
                long position = log.append(new LogRecord.Control(LogRecord.Control.Operation.POWER_OFF));
                shipper.shipPending();
                return position;
            }).get();
            if (!backupHolds(powerOff, POWER_OFF_WAIT_MS)) {
                LOG.warn("the backup did not acknowledge the power-off within {} ms; it will report the"
                        + " primary as failed", POWER_OFF_WAIT_MS);
            }
            endLinks();
            ServedRun.Result result = run.stop();
            role.moveTo(Role.STOPPED, "powered off at position " + powerOff);
            closeRecords();
            finished.complete(HexFormat.of().formatHex(result.stateHash()));
        } catch (Exception e) {
            finished.completeExceptionally(e);
        }
    }

    /**
     * Waits up to {@code timeoutMs} for the backup to hold {@code position}; returns whether it
     * does. A primary without a backup (it failed meanwhile) has nothing to wait for: false.
     */
    private boolean backupHolds(long position, long timeoutMs) throws Exception {
        CompletableFuture<Void> held = run.loop().submit(() -> role.role() == Role.PRIMARY ? acks.reach(position)
                : CompletableFuture.<Void>completedFuture(null)).get();
        try {
            held.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
        return run.loop().submit(() -> role.role() == Role.PRIMARY && acks.acknowledged() >= position).get();
    }

    /**
     * Planned switchover: delivers no more events, logs a switchover marker and waits until the
     * backup holds it (so every output this site made may leave); the backup then replays to the
     * marker and claims the next epoch. Once the quorum shows the backup live, this site stops
     * serving, closing its clients' connections (they reconnect to the new endpoint), and rejoins
     * as the backup. If the backup fails meanwhile, this site claims the epoch and goes on alone.
     */
    public String switchOver() throws Exception {
        if (!arbitration.enabled()) {
            throw new IllegalStateException("a switchover passes the epoch through ZooKeeper; this pair has no"
                    + " coordination configured");
        }
        long seenEpoch = epoch;
        long marker = run.loop().submit(() -> {
            if (role.role() != Role.PRIMARY || shipper.state() != LogShipper.State.STREAMING
                    || operation() != Operation.NONE) {
                throw new IllegalStateException("site '" + settings.site() + "' is " + role.role().label() + ", "
                        + protection() + (operation() == Operation.NONE ? "" : ", " + busy())
                        + "; only a protected primary can switch over");
            }
            long at = log.append(new LogRecord.Control(LogRecord.Control.Operation.SWITCHOVER));
            role.change(st -> st.with(Operation.SWITCHOVER), "switching over to site '" + settings.identity().peer()
                    + "' at position " + at);
            updateDelivery();
            shipper.shipPending();
            return at;
        }).get();
        long start = System.nanoTime();
        backupHolds(marker, SWITCHOVER_WAIT_MS);
        long left = Math.max(1, SWITCHOVER_WAIT_MS - (System.nanoTime() - start) / 1_000_000);
        var record = arbitration.epochAfter(seenEpoch, left).get();
        if (record == null) {
            throw new IllegalStateException("site '" + settings.identity().peer() + "' has not taken epoch "
                    + (seenEpoch + 1) + " within " + SWITCHOVER_WAIT_MS / 1000 + " s; this site holds its clients"
                    + " (delivery paused) until it does or fails");
        }
        if (!record.liveSite().equals(settings.identity().peer())) {
            throw new IllegalStateException("the switchover did not happen: " + record + " (the backup failed and"
                    + " this site went on alone)");
        }
        String done = String.format("switched over to site '%s' in epoch %d at position %d in %d ms; clients on %s",
                record.liveSite(), record.epoch(), marker, (System.nanoTime() - start) / 1_000_000, record.endpoint());
        switchedOver = true;
        endLinks();
        ServedRun.Result result = run.stop();
        role.moveTo(Role.STOPPED, done + "; this site rejoins as the backup");
        closeRecords();
        finished.complete(HexFormat.of().formatHex(result.stateHash()));
        return done;
    }

    public boolean rejoins() {
        return switchedOver;
    }

    /**
     * Online verify (and repair) through the log; see {@link OnlineVerify}. Only while protected:
     * the backup must replay the checks.
     */
    public String verify(boolean repair) throws Exception {
        try {
            run.loop().submit(() -> {
                String refusal = operation() == Operation.VERIFY ? "a verify is already under way" : verifyRefusal();
                if (refusal != null) {
                    throw new IllegalStateException(refusal);
                }
                role.change(s -> s.with(Operation.VERIFY), repair ? "verify and repair" : "verify");
            }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        try {
            return verifier.verify(repair, this::verifyRefusal);
        } finally {
            onLoop(() -> role.change(s -> s.operation() == Operation.VERIFY ? s.with(Operation.NONE) : s,
                    "verify done"));
        }
    }

    /** Why this site cannot verify now, or null; on the loop. */
    private String verifyRefusal() {
        boolean protectedPrimary = role.role() == Role.PRIMARY && shipper.state() == LogShipper.State.STREAMING;
        if (protectedPrimary && operation() != Operation.NONE && operation() != Operation.VERIFY) {
            return "site '" + settings.site() + "' is " + busy();
        }
        return protectedPrimary ? null : "site '" + settings.site() + "' is " + role.role().label() + ", "
                + protection() + "; only a protected primary can verify";
    }

    /** The operation under way, as an operator reads it; on the loop. */
    private String busy() {
        return switch (operation()) {
            case SWITCHOVER -> "already switching over";
            case VERIFY -> "verifying";
            case RESYNC -> "resyncing its peer";
            case POWER_OFF -> "powering off";
            case NONE -> "idle";
        };
    }

    /** A drill: this site's disks fail from now on; the guest's next write halts the site (a primary failure). */
    public String injectDiskFault(String error) throws Exception {
        return run.loop().submit(() -> DiskFaultDrill.inject(settings.site(), run.vm().disks(), error)).get();
    }

    /** The operator's go-ahead for the resync of the returning site, or a new rate limit; see {@link LogShipper#approveResync}. */
    public String resync(long rate, String discard) throws Exception {
        return run.loop().submit(() -> shipper.approveResync(rate, discard)).get();
    }

    public PrimaryStatus status() {
        if (run.loop().isShuttingDown()) {
            return header();
        }
        try {
            return run.loop().submit(this::statusOnLoop).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return header();
        }
    }

    private PrimaryStatus header() {
        return PrimaryStatus.header(settings.site(), role.role(), role.reason(), epoch, settings.serviceEndpoint());
    }

    private PrimaryStatus statusOnLoop() {
        CodecStats wire = shipper.codecStats();
        var logging = new PrimaryStatus.Logging(StatusFields.round(rawRate.mbitPerSecond()), StatusFields.round(wireRate.mbitPerSecond()),
                wire.rawBytes(), wire.wireBytes(), StatusFields.round(wire.ratio()), log.bufferedBytes(), settings.bufferBytes(),
                flow.flowControlPauses());
        Map<Long, Long> released = new TreeMap<>(releasedByEpoch);
        released.merge(epoch, run.releasedOutputs() - releasedBeforeEpoch, Long::sum);
        var backup = new PrimaryStatus.Peer(settings.identity().peer(), shipper.state().name().toLowerCase(Locale.ROOT),
                shipper.lastProblem(), peer.msSinceHeartbeat(), peer.suspected());
        return new PrimaryStatus(settings.site(), role.role(), role.reason(), epoch, settings.serviceEndpoint(),
                protection(), lastCopy == null ? null : lastReprotection(),
                lastCopy == null ? null : lastCopy.figures(), shipper.resyncStatus(), verifier.progress(),
                new PrimaryStatus.Positions(log.lastPosition(), shipper.sentThrough(), acks.acknowledged(), replayed),
                lag.lagMillis(), Math.round(lag.slowdown() * 100), logging, run.heldOutputs(), released,
                arbitration.connection(), StatusFields.emptyAsNull(guard.state()), StatusFields.emptyAsNull(arbitration.progress()), flow.delivery(),
                backup, run.vm().eventsDelivered(), records.status(), null);
    }

    /** The last re-protection in a line, for status and the log; on the loop. */
    private String lastReprotection() {
        return "at " + lastCopyAt + ", " + lastCopy.summary();
    }

    /** Protected, unprotected (why) or re-protecting (progress); on the loop. */
    private Protection protection() {
        if (shipper.state() == LogShipper.State.COPYING) {
            return Protection.reprotecting("site '" + settings.identity().peer() + "': " + shipper.copyProgress());
        }
        if (role.role() == Role.LIVE_ALONE) {
            return Protection.unprotected(alarm + "; waiting for site '" + settings.identity().peer() + "' to return"
                    + (shipper.lastProblem().isEmpty() ? "" : ": " + shipper.lastProblem()));
        }
        return shipper.state() == LogShipper.State.STREAMING ? Protection.PROTECTED
                : Protection.unprotected("waiting for the backup: " + shipper.lastProblem());
    }
}
