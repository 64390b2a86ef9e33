package io.sitepair.replicator.pair;

import io.sitepair.compression.CodecStats;
import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.CopySender;
import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.log.LogRecord;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.Tiebreaker;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The primary site: serves clients, records every non-deterministic input into a {@link ShipLog},
 * streams it to the backup as it is produced, and releases each output only when the backup has
 * acknowledged the output's log entry (the Output Rule, enforced by the served run's gate).
 *
 * <p>Everything below runs on the served run's event loop, the thread that runs the guest:
 * shipping a batch, handling an acknowledgement and releasing outputs need no hand-off. Three
 * controls act on event delivery: flow control (the log held for the backup is bounded), lag
 * control ({@link LagControl}) and the power-off.
 */
public final class PrimarySite implements Site {
    private static final long TICK_MS = 100;
    private static final long POWER_OFF_WAIT_MS = 10_000;
    private static final long SWITCHOVER_WAIT_MS = 30_000;

    private final SiteSettings settings;
    private final Arbitration arbitration;
    private QuorumGuard guard;
    private final RoleState role;
    private final ShipLog log;
    private final SiteRecords records;
    private final LagControl lag;
    private final ByteRate rawRate = new ByteRate();
    private final ByteRate wireRate = new ByteRate();
    private final CompletableFuture<String> finished = new CompletableFuture<>();
    private final long streamId = new SecureRandom().nextLong() & Long.MAX_VALUE | 1;
    private ServedRun run;
    private LogShipper shipper;
    private HeartbeatLink heartbeat;
    private PeerWatch peer;
    private boolean iterationEndPending;
    private boolean bufferFull;
    private boolean throttled;
    private long acknowledged;
    private long replayed;
    private long flowControlPauses;
    private int ticks;
    private String alarm = "";
    private boolean everStreamed; // loop thread only
    private long linkDownSinceNanos; // loop thread only; 0: streaming, or never streamed
    private boolean claiming; // loop thread only
    private long heartbeatsResumedNanos; // loop thread only: the last resumption acted on
    private long switchoverAt; // loop thread only; 0: no switchover under way
    private boolean switchoverTaken; // loop thread only: the backup holds the next epoch; nothing to claim
    private volatile boolean switchedOver;
    /** Outputs this site released, per epoch it held (the current one counted live); loop thread only. */
    private final Map<Long, Long> releasedByEpoch = new java.util.TreeMap<>();
    private long releasedBeforeEpoch; // loop thread only
    private OnlineVerify verifier;
    private volatile long epoch;
    private CopySender.Outcome lastCopy; // the last re-protection; loop thread only
    private java.time.LocalTime lastCopyAt; // when it completed; loop thread only

    private PrimarySite(SiteSettings settings, Tiebreaker tiebreaker, long epoch, ShipLog log, SiteRecords records,
                        Role initial, String reason) {
        this.settings = settings;
        this.records = records;
        this.arbitration = new Arbitration(tiebreaker, settings.site());
        this.epoch = epoch;
        this.log = log;
        this.lag = new LagControl(settings.lagTarget());
        this.role = new RoleState(settings.site(), initial, reason);
    }

    /**
     * Boots the guest, starts serving clients and dialling the backup. With a {@code tiebreaker}
     * (null: none), losing the backup makes this site claim the next epoch and go on alone.
     */
    public static PrimarySite start(SiteSettings settings, Tiebreaker tiebreaker) throws Exception {
        SiteRecords records = SiteRecords.open(settings.dataDir());
        try {
            records.enter(settings.epoch(), settings.epochStart(), settings.epochPrimary());
        } catch (Exception e) {
            records.close();
            throw e;
        }
        PrimarySite site = new PrimarySite(settings, tiebreaker, settings.epoch(),
                new ShipLog(RealInputs.WallClock.SYSTEM::nanos), records, Role.PRIMARY,
                "initial primary of pair '" + settings.identity().pair() + "'");
        site.run = ServedRun.startRecording(settings.module(), settings.vmOptions().withWriteStamps(records.stamps()),
                settings.disks(), settings.diskBytes(),
                settings.service(), new ServedRun.Recording(site.log, settings.identity().loggedReads(), true,
                        site::afterEvent));
        site.connect();
        return site;
    }

    /**
     * Whether this site served {@code epoch} before (its data directory says so): started again it
     * boots cold, its log positions beginning again, so it must serve a new epoch. Otherwise its new
     * writes would be stamped below its old ones in the same epoch, and a resync computed from the
     * stamps would miss them.
     */
    public static boolean servedBefore(java.nio.file.Path dataDir, long epoch, String site) throws java.io.IOException {
        return SiteRecords.served(dataDir, epoch, site);
    }

    /**
     * A backup that won epoch {@code epoch} after its primary failed (or switched over) goes on as
     * this site, live alone: it serves with the replayed {@code vm} (armed with {@link GuestVm#recordAtEndOfLog}
     * on {@code log}), and dials the failed site, which is re-protected when it returns.
     */
    public static PrimarySite takeOver(SiteSettings settings, Tiebreaker tiebreaker, long epoch, GuestVm vm,
                                       List<DiskImage> disks, ServedRun.Handover handover, ShipLog log,
                                       SiteRecords records, String cause, String failover) throws Exception {
        PrimarySite site = new PrimarySite(settings, tiebreaker, epoch, log, records, Role.LIVE_ALONE,
                cause + "; " + failover);
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
        shipper = new LogShipper(settings.identity(), epoch, streamId, log, new LiveCopySource(run, records), run.loop(),
                settings.peerChannel(), settings.resync(), settings.linkTiming(), new FromBackup());
        heartbeat = new HeartbeatLink(settings.identity(), epoch, settings.peerHeartbeat());
        heartbeat.start(run.loop(), settings.channel(), settings.heartbeatInterval());
        peer = new PeerWatch(settings.identity().peer(), settings.suspectAfter(), heartbeat::nanosSinceHeard,
                shipper::nanosSinceTraffic);
        shipper.start();
        guard = arbitration.guard(() -> epoch, run::fenceOutputs, why -> onLoop(() -> halt(why)));
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

    /**
     * After every event: entries are shipped when the loop has handled the I/O it is on (so a
     * burst of ready clients makes one batch, and nothing waits for a timer), or at once when
     * the batch is full.
     */
    private void afterEvent() {
        if (shipper == null) {
            return; // booting: the init event's entries are shipped once the backup connects
        }
        if (log.pendingFull()) {
            shipAndControl();
        }
        if (!iterationEndPending) {
            iterationEndPending = true;
            run.loop().execute(this::endOfIteration);
        }
    }

    private void endOfIteration() {
        iterationEndPending = false;
        shipAndControl();
        long busy = run.takeBusyNanos();
        long pause = role.role() == Role.PRIMARY ? lag.pauseAfter(busy) : 0;
        if (pause > 0 && !throttled) {
            throttled = true;
            updateDelivery();
            run.loop().schedule(() -> {
                throttled = false;
                updateDelivery();
            }, pause, TimeUnit.NANOSECONDS);
        }
    }

    private void shipAndControl() {
        if (role.role() != Role.PRIMARY) {
            log.discardThrough(log.lastPosition()); // no backup to keep the log for
            return;
        }
        if (log.hasPending()) {
            lag.shipped(log.lastPosition(), log.pendingFirstTimestamp());
        }
        shipper.shipPending();
        checkBuffer();
    }

    /**
     * Flow control: delivery pauses when the log held for the backup exceeds its bound, and
     * resumes once it has drained to half (so it does not flap at the bound).
     */
    private void checkBuffer() {
        boolean full = log.bufferedBytesOver(settings.bufferBytes());
        if (full && !bufferFull) {
            flowControlPauses++;
        }
        bufferFull = full || (bufferFull && log.bufferedBytesOver(settings.bufferBytes() / 2));
        updateDelivery();
    }

    private void updateDelivery() {
        run.pauseDelivery(bufferFull || throttled || switchoverAt > 0 || finished.isDone());
    }

    private void tick() {
        if (role.role() == Role.PRIMARY && shipper.state() == LogShipper.State.STREAMING) {
            lag.adjust(RealInputs.WallClock.SYSTEM.nanos());
        }
        long resumed = heartbeat.resumedNanos();
        if (resumed != heartbeatsResumedNanos) {
            heartbeatsResumedNanos = resumed;
            shipper.peerHeardAgain();
        }
        peer.check();
        if (role.role() == Role.PRIMARY && everStreamed && arbitration.enabled() && !claiming && !switchoverTaken) {
            long linkDownNanos = linkDownSinceNanos == 0 ? 0 : System.nanoTime() - linkDownSinceNanos;
            if (peer.suspected()) {
                claimAlone("backup '" + settings.identity().peer() + "' failed");
            } else if (linkDownNanos > settings.suspectAfter().toNanos() && switchoverAt == 0) {
                // Heartbeats still arrive, but nothing can be acknowledged: as good as failed.
                claimAlone("the logging channel to backup '" + settings.identity().peer() + "' has been down for "
                        + linkDownNanos / 1_000_000 + " ms");
            }
        }
        if (heartbeat.peerEpoch() > epoch && role.role().serves() && switchoverAt == 0) {
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

    /**
     * The backup is gone (no heartbeats and no log traffic, or no logging channel): claim the next
     * epoch so that it can never go live later, then continue alone. Outputs stay held meanwhile
     * (nothing acknowledges them). If the backup claimed first, it is live and this site halts.
     */
    private void claimAlone(String why) {
        claiming = true;
        long seen = epoch;
        long position = log.lastPosition();
        String endpoint = settings.serviceEndpoint();
        System.err.println("sitepair: site '" + settings.site() + "': " + why + "; claiming epoch " + (seen + 1)
                + " to continue alone");
        Thread.ofPlatform().daemon().name("sitepair-claim").start(() -> {
            try {
                Claim claim = arbitration.claim(seen, position, endpoint, finished::isDone);
                if (claim == null) {
                    return;
                }
                onLoop(() -> {
                    claiming = false;
                    if (claim.won()) {
                        epochPassed(claim.record().epoch(), position);
                        alarm = why + "; live alone in epoch " + epoch;
                        System.err.println("sitepair: ALARM: " + alarm + " (from position " + position + ")");
                        continueAlone(why + "; epoch " + epoch);
                    } else if (switchoverAt > 0 && claim.record().epoch() == seen + 1
                            && claim.record().liveSite().equals(settings.identity().peer())) {
                        // The backup went quiet while taking over (a busy machine), and took the
                        // epoch: that is the switchover succeeding, which switchOver() completes.
                        switchoverTaken = true;
                        System.err.println("sitepair: site '" + settings.site() + "': site '" + claim.record().liveSite()
                                + "' took epoch " + claim.record().epoch() + " as the switchover asked");
                    } else {
                        halt(claim.refusal() != null ? claim.refusal() : "site '" + claim.record().liveSite()
                                + "' went live in epoch " + claim.record().epoch() + "; this site must not serve");
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
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
        if (!role.moveTo(Role.LIVE_ALONE, why)) {
            return;
        }
        shipper.requireCopy();
        bufferFull = false;
        switchoverAt = 0; // a switchover whose backup failed: this site goes on
        log.discardThrough(log.lastPosition());
        run.dropOutputRule();
        updateDelivery();
    }

    /** Stops serving at once, releasing nothing more: another site is live. */
    private void halt(String why) {
        if (!role.moveTo(Role.HALTED, why)) {
            return;
        }
        System.err.println("sitepair: site '" + settings.site() + "' HALTED: " + why);
        endLinks();
        finished.completeExceptionally(new SiteHalted(why));
        Thread.ofPlatform().name("sitepair-halt").start(() -> {
            try {
                run.stop();
            } catch (Exception e) {
                System.err.println("sitepair: stopping the halted run: " + e.getMessage());
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
            System.err.println("sitepair: closing the block map failed: " + e.getMessage());
        }
    }

    private final class FromBackup implements LogShipper.Listener {
        @Override
        public void acknowledged(long received, long replayedThrough) {
            acknowledged = Math.max(acknowledged, received);
            if (replayedThrough >= 0) {
                replayed = Math.max(replayed, replayedThrough);
                lag.replayed(replayed);
            }
            run.acknowledgedThrough(received);
            checkBuffer();
        }

        @Override
        public void backupStopped(long position, String reason) {
            alarm = "the backup stopped at log position " + position + ": " + reason;
            System.err.println();
            System.err.println("sitepair: ALARM: " + alarm);
            System.err.println("sitepair: ALARM: site '" + settings.site() + "' continues UNPROTECTED;"
                    + " the backup must be re-protected");
            System.err.println();
            continueAlone("backup stopped at position " + position);
        }

        @Override
        public void reprotected(CopySender.Outcome copy) {
            run.resumeOutputRule(copy.position());
            if (role.moveTo(Role.PRIMARY, "re-protected by site '" + settings.identity().peer() + "' from position "
                    + copy.position())) {
                alarm = "";
            }
            lastCopy = copy;
            lastCopyAt = java.time.LocalTime.now().withNano(0);
            System.err.println("sitepair: site '" + settings.site() + "' is protected again by site '"
                    + settings.identity().peer() + "' from position " + copy.position() + " (re-protection "
                    + lastReprotection() + ")");
        }

        @Override
        public void verified(io.sitepair.replicator.channel.ChannelMessage.VerifyReport report) {
            verifier.reported(report);
        }

        @Override
        public void linkChanged(boolean streaming, String why) {
            // Outputs simply wait while the link is down. Lag control only acts on a connected
            // backup: flow control bounds what accumulates meanwhile.
            if (!streaming) {
                verifier.linkLost(why);
                lag.reset();
                if (linkDownSinceNanos == 0) {
                    linkDownSinceNanos = System.nanoTime();
                }
            } else {
                everStreamed = true; // from now on, losing the backup is a failure, not a late start
                linkDownSinceNanos = 0;
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
    @Override
    public void stop() {
        if (finished.isDone()) {
            return;
        }
        long powerOff;
        try {
            powerOff = run.loop().submit(() -> {
                run.pauseDelivery(true);
                long position = log.append(new LogRecord.Control(LogRecord.Control.Operation.POWER_OFF));
                shipper.shipPending();
                return position;
            }).get();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POWER_OFF_WAIT_MS);
            while (role.role() == Role.PRIMARY && currentAcknowledged() < powerOff && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (role.role() == Role.PRIMARY && currentAcknowledged() < powerOff) {
                System.err.println("sitepair: the backup did not acknowledge the power-off within "
                        + POWER_OFF_WAIT_MS + " ms; it will report the primary as failed");
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
     * Planned switchover: delivers no more events, logs a switchover marker and waits until the
     * backup holds it (so every output this site made may leave); the backup then replays to the
     * marker and claims the next epoch. Once the quorum shows the backup live, this site stops
     * serving, closing its clients' connections (they reconnect to the new endpoint), and rejoins
     * as the backup. If the backup fails meanwhile, this site claims the epoch and goes on alone.
     */
    @Override
    public String switchOver() throws Exception {
        if (!arbitration.enabled()) {
            throw new IllegalStateException("a switchover passes the epoch through ZooKeeper; this pair has no"
                    + " coordination configured");
        }
        long seenEpoch = epoch;
        long marker = run.loop().submit(() -> {
            if (role.role() != Role.PRIMARY || shipper.state() != LogShipper.State.STREAMING || switchoverAt > 0) {
                throw new IllegalStateException("site '" + settings.site() + "' is " + role.role().label() + ", "
                        + protection() + (switchoverAt > 0 ? ", already switching over" : "")
                        + "; only a protected primary can switch over");
            }
            switchoverAt = log.append(new LogRecord.Control(LogRecord.Control.Operation.SWITCHOVER));
            updateDelivery();
            shipper.shipPending();
            return switchoverAt;
        }).get();
        long start = System.nanoTime();
        System.err.println("sitepair: site '" + settings.site() + "': switching over to site '"
                + settings.identity().peer() + "' at position " + marker);
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(SWITCHOVER_WAIT_MS);
        while (currentAcknowledged() < marker && role.role() == Role.PRIMARY && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        var record = arbitration.awaitEpochAfter(seenEpoch, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
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

    @Override
    public boolean rejoins() {
        return switchedOver;
    }

    /**
     * Online verify (and repair) through the log; see {@link OnlineVerify}. Only while protected:
     * the backup must replay the checks.
     */
    @Override
    public String verify(boolean repair) throws Exception {
        return verifier.verify(repair, () -> role.role() == Role.PRIMARY && shipper.state() == LogShipper.State.STREAMING
                ? null : "site '" + settings.site() + "' is " + role.role().label() + ", " + protection()
                        + "; only a protected primary can verify");
    }

    /** A drill: this site's disks fail from now on; the guest's next write halts the site (a primary failure). */
    @Override
    public String injectDiskFault(String error) throws Exception {
        return run.loop().submit(() -> DiskFaultDrill.inject(settings.site(), run.vm().disks(), error)).get();
    }

    /** The operator's go-ahead for the resync of the returning site, or a new rate limit; see {@link LogShipper#approveResync}. */
    @Override
    public String resync(long rate, String discard) throws Exception {
        return run.loop().submit(() -> shipper.approveResync(rate, discard)).get();
    }

    private long currentAcknowledged() throws Exception {
        return run.loop().submit(() -> acknowledged).get();
    }

    @Override
    public String await() throws Exception {
        try {
            return finished.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public Role role() {
        return role.role();
    }

    @Override
    public Map<String, Object> status() {
        if (run.loop().isShuttingDown()) {
            return base();
        }
        try {
            return run.loop().submit(this::statusOnLoop).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return base();
        }
    }

    private Map<String, Object> base() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("site", settings.site());
        status.put("role", role.role().label());
        status.put("reason", role.reason());
        status.put("epoch", epoch);
        status.put("service", settings.serviceEndpoint());
        return status;
    }

    private Map<String, Object> statusOnLoop() {
        Map<String, Object> status = base();
        status.put("protection", protection());
        if (lastCopy != null) {
            status.put("last_reprotection", lastReprotection());
            status.put("last_resync", lastCopy.figures());
        }
        Map<String, Object> resync = shipper.resyncStatus();
        if (resync != null) {
            status.put("resync", resync);
        }
        String verify = verifier.progress();
        if (verify != null) {
            status.put("verify", verify);
        }
        Map<String, Object> positions = new LinkedHashMap<>();
        positions.put("logged", log.lastPosition());
        positions.put("sent", shipper.sentThrough());
        positions.put("acknowledged", acknowledged);
        positions.put("replayed", replayed);
        status.put("positions", positions);
        status.put("lag_ms", lag.lagMillis());
        status.put("slowdown_percent", Math.round(lag.slowdown() * 100));
        CodecStats wire = shipper.codecStats();
        Map<String, Object> logging = new LinkedHashMap<>();
        logging.put("raw_mbit_s", round(rawRate.mbitPerSecond()));
        logging.put("wire_mbit_s", round(wireRate.mbitPerSecond()));
        logging.put("raw_bytes", wire.rawBytes());
        logging.put("wire_bytes", wire.wireBytes());
        logging.put("compression_ratio", round(wire.ratio()));
        logging.put("buffered_bytes", log.bufferedBytes());
        logging.put("buffer_limit", settings.bufferBytes());
        logging.put("flow_control_pauses", flowControlPauses);
        status.put("logging", logging);
        status.put("held_outputs", run.heldOutputs());
        Map<String, Object> released = new LinkedHashMap<>();
        releasedByEpoch.forEach((e, n) -> released.put(String.valueOf(e), n));
        released.merge(String.valueOf(epoch), run.releasedOutputs() - releasedBeforeEpoch, (a, b) -> (Long) a + (Long) b);
        status.put("released_outputs_by_epoch", released);
        status.put("quorum", arbitration.connection());
        if (!guard.state().isEmpty()) {
            status.put("fenced", guard.state());
        }
        if (!arbitration.progress().isEmpty()) {
            status.put("arbitration", arbitration.progress());
        }
        status.put("delivery", bufferFull ? "paused (log buffer full)" : throttled ? "throttled" : "running");
        Map<String, Object> peerStatus = new LinkedHashMap<>();
        peerStatus.put("site", settings.identity().peer());
        peerStatus.put("channel", shipper.state().name().toLowerCase(java.util.Locale.ROOT));
        peerStatus.put("last_problem", shipper.lastProblem());
        peerStatus.put("heartbeat_ms", peer.msSinceHeartbeat());
        peerStatus.put("suspected", peer.suspected());
        status.put("peer", peerStatus);
        status.put("events", run.vm().eventsDelivered());
        status.put("disks", records.status());
        return status;
    }

    /** The last re-protection in a line, for status and the log; on the loop. */
    private String lastReprotection() {
        return "at " + lastCopyAt + ", " + lastCopy.summary();
    }

    /** {@code protected}, {@code unprotected (why)} or {@code re-protecting (progress)}; on the loop. */
    private String protection() {
        if (shipper.state() == LogShipper.State.COPYING) {
            return "re-protecting (site '" + settings.identity().peer() + "': " + shipper.copyProgress() + ")";
        }
        if (role.role() == Role.LIVE_ALONE) {
            return "unprotected (" + alarm + "; waiting for site '" + settings.identity().peer() + "' to return"
                    + (shipper.lastProblem().isEmpty() ? "" : ": " + shipper.lastProblem()) + ")";
        }
        return shipper.state() == LogShipper.State.STREAMING ? "protected"
                : "unprotected (waiting for the backup: " + shipper.lastProblem() + ")";
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
