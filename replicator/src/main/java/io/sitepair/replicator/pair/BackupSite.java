package io.sitepair.replicator.pair;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.compression.CodecStats;
import io.sitepair.disk.ConsistencyMark;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.disk.Lineage;
import io.sitepair.disk.Stamp;
import io.sitepair.replicator.channel.CopyTarget;
import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.channel.ResyncWriter;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.channel.Transport;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.replicator.vm.ReplayDivergence;
import io.sitepair.replicator.vm.Replayer;
import io.sitepair.replicator.vm.Snapshot;
import io.sitepair.replicator.vm.VmException;
import io.sitepair.replicator.vm.VmOptions;
import io.sitepair.replicator.vm.VmThread;
import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.Tiebreaker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The backup site: receives the primary's log, acknowledges it, and replays it in real time on
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
 * hands its VM to a {@link PrimarySite} that serves alone until the failed site returns. On
 * losing it halts.
 *
 * <p>The network runs on one event loop; replay runs on its own {@link VmThread}, taking entries
 * from the bounded {@link ReceivedLog} and waiting when it is empty.
 */
public final class BackupSite implements Site {
    private static final long TICK_MS = 100;
    private static final long QUORUM_RETRY_MS = 200;

    /** A completed copy, waiting for the replay thread to restore it. */
    private record Copied(long position, long events, byte[] state, byte[] stateHash) {}

    private final SiteSettings settings;
    private final Tiebreaker tiebreaker;
    private final Arbitration arbitration;
    private final RoleState role;
    private final ReceivedLog received;
    private final EventLoopGroup network = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlers());
    private final CompletableFuture<String> finished = new CompletableFuture<>();
    private final List<DiskImage> disks = new ArrayList<>();
    private final SiteRecords records;
    private final LogReceiver receiver;
    private final HeartbeatLink heartbeat;
    private final PeerWatch peer;
    private final ByteRate wireRate = new ByteRate();
    private int ticks; // network loop only
    private volatile long replayed;
    private volatile long events;
    private volatile String outcome = "";
    private volatile long epoch;
    private volatile long failureDetectedNanos; // 0: the primary has not failed
    private volatile String failover = "";
    private volatile String superseded; // null: not superseded
    private volatile PrimarySite successor;
    private volatile Copied copied;
    private volatile ResyncWriter resync; // the copy under way (or last taken)
    private volatile String diskFailure; // null: the disks work
    private volatile boolean stopping;
    private volatile String lastVerify = "";

    private BackupSite(SiteSettings settings, Tiebreaker tiebreaker) throws IOException {
        this.settings = settings;
        this.tiebreaker = tiebreaker;
        this.arbitration = new Arbitration(tiebreaker, settings.site());
        this.epoch = settings.epoch();
        this.records = SiteRecords.open(settings.dataDir());
        this.role = new RoleState(settings.site(), Role.BACKUP, "backup of pair '" + settings.identity().pair() + "'");
        this.received = new ReceivedLog(settings.bufferBytes(), 0);
        this.receiver = new LogReceiver(settings.identity(), settings.epoch(), received, () -> replayed, new Copy(),
                settings.linkTiming());
        this.heartbeat = new HeartbeatLink(settings.identity(), settings.epoch(), settings.peerHeartbeat());
        this.peer = new PeerWatch(settings.identity().peer(), settings.suspectAfter(), heartbeat::nanosSinceHeard,
                receiver::nanosSinceTraffic);
    }

    /**
     * Opens the disks, listens for the primary and starts the replay thread, which boots the VM
     * once it knows where the log starts. With a {@code tiebreaker} (null: none) it goes live when
     * the primary fails.
     */
    public static BackupSite start(SiteSettings settings, Tiebreaker tiebreaker) throws Exception {
        BackupSite site = new BackupSite(settings, tiebreaker);
        try {
            for (Path path : settings.disks()) {
                site.disks.add(DiskImage.openOrCreate(path, settings.diskBytes()));
            }
            site.receiver.start(site.network, settings.channel());
            site.heartbeat.start(site.network.next(), settings.channel(), settings.heartbeatInterval());
        } catch (Exception e) {
            site.release();
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
        if (peer.suspected() && arbitration.enabled() && received.received() > 0 && failureDetectedNanos == 0
                && role.role() == Role.BACKUP) {
            primaryFailed();
        }
        if (heartbeat.peerEpoch() > epoch && superseded == null
                && (role.role() == Role.BACKUP || role.role() == Role.RESYNCING)) {
            supersede("site '" + settings.identity().peer() + "' serves in epoch " + heartbeat.peerEpoch()
                    + " without this backup (epoch " + epoch + "); rejoining by re-protection");
        }
        if (++ticks % 10 == 0) {
            wireRate.sample(receiver.codecStats().wireBytes());
        }
    }

    /**
     * Fencing first: once this site stops acknowledging, the old primary can release no output
     * that this site has not received. Then the replay drains what was received and goes live.
     */
    private void primaryFailed() {
        failureDetectedNanos = System.nanoTime();
        receiver.stop();
        failover = "primary '" + settings.identity().peer() + "' failed; replaying to position " + received.received();
        System.err.println("sitepair: site '" + settings.site() + "': " + failover);
        received.end();
    }

    /** After a failover this site is the live one: its successor verifies. */
    @Override
    public String verify(boolean repair) throws Exception {
        return liveSuccessor("verify").verify(repair);
    }

    /** After a failover this site is the live one: its successor resyncs the failed site. */
    @Override
    public String resync(long rate, String discard) throws Exception {
        return liveSuccessor("resync its peer").resync(rate, discard);
    }

    /** A drill: this site's disks fail from now on; the next replayed or copied write fails the backup. */
    @Override
    public String injectDiskFault(String error) throws Exception {
        PrimarySite live = successor;
        if (live != null) {
            return live.injectDiskFault(error);
        }
        return DiskFaultDrill.inject(settings.site(), disks, error);
    }

    /** After a failover this site is the live one: its successor can switch back. */
    @Override
    public String switchOver() throws Exception {
        return liveSuccessor("switch over").switchOver();
    }

    /** The live site this backup became, for an operation only a primary can do. */
    private PrimarySite liveSuccessor(String operation) {
        PrimarySite live = successor;
        if (live == null) {
            throw new IllegalStateException("site '" + settings.site() + "' is " + role.role().label()
                    + "; only a protected primary can " + operation);
        }
        return live;
    }

    @Override
    public boolean rejoins() {
        PrimarySite live = successor;
        return live != null ? live.rejoins() : superseded != null;
    }

    /** The primary went on in a later epoch without this site: its replay can never be used. */
    private void supersede(String why) {
        superseded = why;
        System.err.println("sitepair: site '" + settings.site() + "': " + why);
        receiver.stop();
        received.end();
    }

    private void replay() {
        boolean handedOver = false;
        try (GroupFlusher flusher = new GroupFlusher("sitepair-backup-flush", ticket -> {})) {
            GuestVm vm = bootForReplay();
            if (vm == null) {
                endWithoutReplay();
                return;
            }
            // The backup's flushes need not be waited for: no output leaves here.
            vm.flushDisksWith(flusher::request);
            flusher.start();
            Replayer replayer = new Replayer(vm, received).onDiskCheck(new VerifyTally());
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
            if (superseded != null) {
                closeNetworkNow(); // the site rejoins at once, on the same ports
                stopWith(superseded, HexFormat.of().formatHex(vm.stateHash()));
                return;
            }
            if (result.switchover() && arbitration.enabled()) {
                receiver.stop(); // the primary delivers nothing after the marker; acknowledge nothing more
                handedOver = goLive(vm, result.lastPosition(), handover, liveLog, System.nanoTime());
                return;
            }
            if (failureDetectedNanos != 0 && !result.poweredOff()) {
                handedOver = goLive(vm, result.lastPosition(), handover, liveLog, System.nanoTime());
                return;
            }
            stopWith(result.poweredOff() ? "the primary powered off cleanly at position " + result.lastPosition()
                    + "; this backup stopped there too and will not go live"
                    : "stopped at position " + result.lastPosition(), HexFormat.of().formatHex(vm.stateHash()));
        } catch (ReplayDivergence e) {
            receiver.reportDivergence(e.position(), "replay diverged: " + e.getMessage());
            String why = "replay diverged at log position " + e.position() + ": " + e.getMessage();
            haltWith(why, new SiteHalted(why, e));
        } catch (VmException e) {
            // A disk that fails under replay fails the backup: the primary goes on alone at once.
            receiver.reportDivergence(replayed, "failed: " + e.getMessage());
            haltWith(e.getMessage(), new SiteHalted(e.getMessage(), e));
        } catch (Exception | Error e) {
            haltWith("replay failed: " + e, e);
        } finally {
            if (!handedOver) {
                release();
                // Let a divergence report reach the primary before the channel closes.
                if (!network.isShuttingDown()) {
                    network.schedule(this::closeNetwork, 200, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /**
     * The log ended before replay could begin (superseded or stopped while waiting for the primary
     * or in the middle of a copy): no VM ran, and this site's disks and records are untouched.
     */
    private void endWithoutReplay() {
        String failure = diskFailure;
        if (failure != null) {
            haltWith(failure, new SiteHalted(failure));
            return;
        }
        if (superseded != null) {
            closeNetworkNow(); // the site rejoins at once, on the same ports
        }
        stopWith(superseded != null ? superseded : "stopped before the primary's log began", "none (no VM ran)");
    }

    /**
     * This site's run ends, stopped for {@code why} with {@code state} its final state hash, once
     * its disks and records are closed (so the site can run again in this process).
     */
    private void stopWith(String why, String state) {
        outcome = why;
        role.moveTo(Role.STOPPED, why);
        release();
        finished.complete(state);
    }

    /** This site's run ends halted for {@code why}, once its disks and records are closed. */
    private void haltWith(String why, Throwable cause) {
        outcome = why;
        role.moveTo(Role.HALTED, why);
        release();
        finished.completeExceptionally(cause);
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
        Copied copy = copied;
        copied = null; // the state can be large: hold it no longer than needed
        GuestVm vm = Snapshot.restoreState(settings.module(), options, disks, copy.state(),
                copy.position(), copy.events());
        if (!Arrays.equals(vm.vmStateHash(), copy.stateHash())) {
            throw new ReplayDivergence(copy.position(), "the VM state copied from the primary does not hash to the"
                    + " primary's state hash");
        }
        return vm;
    }

    /** Online verify: adds up what the disk checks of one run found and reports it at the last. */
    private final class VerifyTally implements Replayer.DiskCheckListener {
        private final List<Long> differing = new ArrayList<>();
        private long compared;

        @Override
        public void checked(long position, io.sitepair.replicator.log.LogRecord.DiskCheck check, long[] found) {
            compared += check.blocks();
            for (long block : found) {
                differing.add(io.sitepair.replicator.channel.ChannelMessage.VerifyReport.block(check.disk(), block));
            }
            if (check.last()) {
                int listed = Math.min(differing.size(), io.sitepair.replicator.channel.ChannelMessage.VerifyReport.MAX_REPORTED);
                long[] blocks = differing.subList(0, listed).stream().mapToLong(Long::longValue).toArray();
                lastVerify = "at position " + position + ": " + compared + " blocks compared, " + differing.size()
                        + " differ" + (differing.isEmpty() ? "" : " (first: block " + differing.getFirst() + ")");
                System.err.println("sitepair: verify " + lastVerify);
                receiver.reportVerify(new io.sitepair.replicator.channel.ChannelMessage.VerifyReport(position, compared,
                        differing.size(), blocks));
                differing.clear();
                compared = 0;
            }
        }
    }

    /**
     * Re-protection as the channel delivers it: blocks go straight to the disks
     * ({@link ResyncWriter}, which keeps the pending blocks durably so an interrupted copy resumes),
     * with the disks marked inconsistent, here and in the quorum, until the copy is complete.
     */
    private final class Copy implements CopyTarget {
        private final ResyncWriter writer = new ResyncWriter(disks, settings.dataDir().resolve(SiteRecords.RESYNC_PROGRESS));

        @Override
        public boolean wantsCopy() {
            return settings.disks().stream().anyMatch(ConsistencyMark::isInconsistent);
        }

        @Override
        public io.sitepair.disk.DiskHistory history() {
            return records;
        }

        @Override
        public Stamp resumable(String source) {
            return wantsCopy() ? writer.resumable(source) : null;
        }

        @Override
        public BitSet pending(int disk) throws IOException {
            return writer.pending(disk);
        }

        @Override
        public boolean acceptsCopy() {
            return received.received() == 0 && copied == null && !stopping;
        }

        @Override
        public CompletableFuture<Void> plan(String source, Stamp begun, List<BitSet> blocks) throws IOException {
            for (Path path : settings.disks()) {
                ConsistencyMark.markInconsistent(path, "receiving a copy from site '" + source + "' in epoch " + epoch);
            }
            writer.begin(source, begun, blocks);
            resync = writer;
            role.moveTo(Role.RESYNCING, "resyncing from site '" + source + "': " + writer.plannedBlocks() + " blocks");
            return markInQuorum(true); // and the tiebreaker refuses this site's claims until it is done
        }

        @Override
        public void blocks(int disk, long first, int count, byte[] data, int offset) throws IOException {
            try {
                writer.blocks(disk, first, count, data, offset);
            } catch (java.io.UncheckedIOException e) {
                throw diskFailed(e);
            }
        }

        @Override
        public void zeros(int disk, long first, int count) throws IOException {
            try {
                writer.zeros(disk, first, count);
            } catch (java.io.UncheckedIOException e) {
                throw diskFailed(e);
            }
        }

        /** A disk write of the copy failed: this site has failed; it halts (its disks stay marked inconsistent). */
        private IOException diskFailed(java.io.UncheckedIOException e) {
            String why = "disk I/O error during the resync: " + e.getMessage() + ": " + e.getCause().getMessage();
            diskFailure = why;
            System.err.println("sitepair: site '" + settings.site() + "' FAILED: " + why);
            receiver.stop();
            received.end();
            return new IOException(why, e);
        }

        @Override
        public CompletableFuture<Void> done(long position, long events, byte[] state, byte[] stateHash,
                                            List<Lineage.Entry> lineage) throws IOException {
            if (lineage.isEmpty() || lineage.getLast().epoch() != settings.epoch()) {
                throw new IOException("the copy's history " + lineage + " does not end in this site's epoch "
                        + settings.epoch());
            }
            // Flushed, and the progress record gone before the mark: a crash in between resyncs again.
            writer.finish();
            // The disks hold the primary's history now, and none of this site's own (a split-brain's
            // discarded epochs included): they follow the primary's epoch from here.
            records.adopt(lineage);
            for (Path path : settings.disks()) {
                ConsistencyMark.markConsistent(path);
            }
            return markInQuorum(false).thenRun(() -> {
                copied = new Copied(position, events, state, stateHash);
                received.startAfter(position);
                role.moveTo(Role.BACKUP, "re-protecting site '" + settings.identity().peer() + "' from position "
                        + position);
            });
        }
    }

    /**
     * Records this site's disks as (in)consistent in the quorum too, on a thread of its own: a slow
     * ZooKeeper must not stall the network loop, which also carries this site's heartbeats. Without
     * a quorum the copy cannot proceed, so it waits for one (a ZooKeeper peer that just restarted
     * with its site is often still rejoining), until this run ends.
     */
    private CompletableFuture<Void> markInQuorum(boolean inconsistent) {
        if (tiebreaker == null) {
            return CompletableFuture.completedFuture(null);
        }
        String mark = inconsistent ? "inconsistent" : "consistent";
        String what = "mark this site's disks " + mark + " in ZooKeeper";
        return CompletableFuture.runAsync(() -> {
            boolean waited = false;
            while (true) {
                try {
                    tiebreaker.markInconsistent(settings.site(), inconsistent);
                    if (waited) {
                        System.err.println("sitepair: site '" + settings.site() + "': a ZooKeeper quorum answered;"
                                + " this site's disks are marked " + mark);
                    }
                    return;
                } catch (io.sitepair.tiebreaker.NoQuorumException e) {
                    if (stopping || superseded != null || diskFailure != null) {
                        throw new java.util.concurrent.CompletionException(
                                new IOException("cannot " + what + ": " + e.getMessage(), e));
                    }
                    if (!waited) {
                        System.err.println("sitepair: site '" + settings.site() + "': waiting for a ZooKeeper quorum"
                                + " to " + what + " (" + e.getMessage() + ")");
                        waited = true;
                    }
                }
                try {
                    Thread.sleep(QUORUM_RETRY_MS);
                } catch (InterruptedException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }
        }, task -> Thread.ofVirtual().name("sitepair-quorum-mark").start(task));
    }

    /** Claims the next epoch and, on winning, hands the VM to a live site; returns whether it did. */
    private boolean goLive(GuestVm vm, long position, ServedRun.Handover handover, ShipLog liveLog,
                           long replayDoneNanos) throws Exception {
        String endpoint = settings.serviceEndpoint();
        failover = "replayed to position " + position + "; claiming epoch " + (epoch + 1);
        Claim claim = arbitration.claim(epoch, position, endpoint, () -> stopping);
        if (claim == null) {
            throw new VmException("stopped while claiming epoch " + (epoch + 1) + "; did not go live");
        }
        if (!claim.won()) {
            if (superseded != null && claim.refusal() == null) {
                // It heard the live site's later epoch while claiming (a paused backup resumed): it
                // lost to the site it was already told to rejoin, so it rejoins rather than halts.
                closeNetworkNow();
                stopWith(superseded, HexFormat.of().formatHex(vm.stateHash()));
                return false;
            }
            String why = claim.refusal() != null ? claim.refusal() : "site '" + claim.record().liveSite()
                    + "' is live in epoch " + claim.record().epoch() + "; this site must not serve";
            haltWith(why, new SiteHalted(why));
            return false;
        }
        epoch = claim.record().epoch();
        records.enter(epoch, position, settings.site()); // before any write of the new epoch
        failover = failureDetectedNanos == 0
                ? String.format("live in epoch %d from position %d by a planned switchover: arbitration %d ms", epoch,
                        position, arbitration.claimMillis())
                : String.format("live in epoch %d from position %d: detection %d ms (failure timeout), replay %d ms,"
                        + " arbitration %d ms", epoch, position, settings.suspectAfter().toMillis(),
                (replayDoneNanos - failureDetectedNanos) / 1_000_000, arbitration.claimMillis());
        closeNetworkNow(); // the live site binds the same channel ports to dial and re-protect the failed site
        String cause = failureDetectedNanos == 0 ? "primary '" + settings.identity().peer() + "' switched over to this site"
                : "primary '" + settings.identity().peer() + "' failed";
        PrimarySite live = PrimarySite.takeOver(settings, tiebreaker, epoch, vm, disks, handover, liveLog, records,
                cause, failover);
        // Only now that clients can connect: status must not say live-alone before the service listens.
        role.moveTo(Role.LIVE_ALONE, cause + "; handed over to the live site");
        successor = live;
        System.err.println("sitepair: " + (failureDetectedNanos == 0 ? "" : "ALARM: ") + "site '" + settings.site()
                + "' is " + failover + "; clients on " + endpoint + "; UNPROTECTED until site '"
                + settings.identity().peer() + "' rejoins");
        GoLiveHook.runAsync(settings.goLiveHook(), Map.of("SITEPAIR_PAIR", settings.identity().pair(),
                "SITEPAIR_SITE", settings.site(), "SITEPAIR_EPOCH", String.valueOf(epoch),
                "SITEPAIR_ENDPOINT", endpoint));
        Thread.ofPlatform().daemon().name("sitepair-live-watch").start(() -> {
            try {
                finished.complete(live.await());
            } catch (Exception e) {
                finished.completeExceptionally(e);
            }
        });
        return true;
    }

    private void closeNetwork() {
        receiver.stop();
        heartbeat.stop();
        network.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Closes the channel and heartbeat sockets and waits until their ports are free. */
    private void closeNetworkNow() {
        receiver.stop();
        heartbeat.stop();
        network.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Closes the disks and the block map (cleanly), so the site can be run again in this process. */
    private void release() {
        for (DiskImage disk : disks) {
            try {
                disk.close();
            } catch (Exception e) {
                System.err.println("sitepair: closing a disk failed: " + e.getMessage());
            }
        }
        try {
            records.close();
        } catch (Exception e) {
            System.err.println("sitepair: closing the block map failed: " + e.getMessage());
        }
    }

    /** Stops replay after the entries already received (the operator stopped this backup). */
    @Override
    public void stop() {
        stopping = true;
        PrimarySite live = successor;
        if (live != null) {
            live.stop();
            return;
        }
        receiver.stop();
        received.end();
    }

    @Override
    public String await() throws Exception {
        try {
            return finished.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public Role role() {
        PrimarySite live = successor;
        return live != null ? live.role() : role.role();
    }

    @Override
    public Map<String, Object> status() {
        PrimarySite live = successor;
        if (live != null) {
            Map<String, Object> status = live.status();
            status.put("failover", failover);
            return status;
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("site", settings.site());
        status.put("role", role.role().label());
        status.put("reason", outcome.isEmpty() ? role.reason() : outcome);
        status.put("epoch", epoch);
        if (role.role() == Role.RESYNCING && this.resync != null) {
            Map<String, Object> resync = new LinkedHashMap<>();
            resync.put("source", settings.identity().peer());
            resync.put("planned_blocks", this.resync.plannedBlocks());
            resync.put("copied_blocks", this.resync.copiedBlocks());
            resync.put("durably_pending_blocks", this.resync.durablyPendingBlocks()); // what a resume would still need
            status.put("resync", resync);
        }
        if (!failover.isEmpty()) {
            status.put("failover", failover);
        }
        if (!lastVerify.isEmpty()) {
            status.put("last_verify", lastVerify);
        }
        String claim = arbitration.progress();
        if (!claim.isEmpty()) {
            status.put("arbitration", claim);
        }
        status.put("quorum", arbitration.connection());
        status.put("channel", failureDetectedNanos != 0 ? "closed (the primary failed)"
                : receiver.streaming() ? "streaming" : "waiting for the primary (" + receiver.lastProblem() + ")");
        Map<String, Object> positions = new LinkedHashMap<>();
        positions.put("received", received.received());
        positions.put("replayed", replayed);
        status.put("positions", positions);
        CodecStats wire = receiver.codecStats();
        Map<String, Object> logging = new LinkedHashMap<>();
        logging.put("wire_mbit_s", PrimarySite.round(wireRate.mbitPerSecond()));
        logging.put("buffered_bytes", received.bufferedBytes());
        logging.put("buffer_limit", settings.bufferBytes());
        status.put("logging", logging);
        status.put("events", events);
        status.put("disks", records.status());
        Map<String, Object> peerStatus = new LinkedHashMap<>();
        peerStatus.put("site", settings.identity().peer());
        peerStatus.put("heartbeat_ms", peer.msSinceHeartbeat());
        peerStatus.put("suspected", peer.suspected());
        status.put("peer", peerStatus);
        return status;
    }
}
