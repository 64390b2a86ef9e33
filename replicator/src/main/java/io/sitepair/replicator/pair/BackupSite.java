package io.sitepair.replicator.pair;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sitepair.compression.CodecStats;
import io.sitepair.disk.DiskImage;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.replicator.channel.HeartbeatLink;
import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.channel.Transport;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.replicator.vm.ReplayDivergence;
import io.sitepair.replicator.vm.Replayer;
import io.sitepair.replicator.vm.VmException;
import io.sitepair.replicator.vm.VmThread;
import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.Tiebreaker;
import java.util.ArrayList;
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
 * <p>When the primary fails (no heartbeats and no log traffic for the failure timeout) and a
 * tiebreaker is configured, the backup goes live: it stops acknowledging (so the old primary can
 * release nothing more), replays everything it received, claims the next epoch, and on winning
 * serves clients from the end of the log. On losing it halts.
 *
 * <p>The network runs on one event loop; replay runs on its own {@link VmThread}, taking entries
 * from the bounded {@link ReceivedLog} and waiting when it is empty.
 */
public final class BackupSite implements Site {
    private static final long TICK_MS = 100;

    private final SiteSettings settings;
    private final Arbitration arbitration;
    private final RoleState role;
    private final ReceivedLog received;
    private final EventLoopGroup network = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlers());
    private final CompletableFuture<String> finished = new CompletableFuture<>();
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
    private volatile ServedRun live;
    private volatile QuorumGuard guard;
    private volatile boolean stopping;

    private BackupSite(SiteSettings settings, Tiebreaker tiebreaker) {
        this.settings = settings;
        this.arbitration = new Arbitration(tiebreaker, settings.site());
        this.epoch = settings.epoch();
        this.role = new RoleState(settings.site(), Role.BACKUP, "backup of pair '" + settings.identity().pair() + "'");
        this.received = new ReceivedLog(settings.bufferBytes(), 0);
        this.receiver = new LogReceiver(settings.identity(), settings.epoch(), received, () -> replayed);
        this.heartbeat = new HeartbeatLink(settings.identity(), settings.epoch(), settings.peerHeartbeat());
        this.peer = new PeerWatch(settings.identity().peer(), settings.suspectAfter(), heartbeat::nanosSinceHeard,
                receiver::nanosSinceTraffic);
    }

    /**
     * Opens the disks, boots the VM for replay and listens for the primary. With a
     * {@code tiebreaker} (null: none) it goes live when the primary fails.
     */
    public static BackupSite start(SiteSettings settings, Tiebreaker tiebreaker) throws Exception {
        BackupSite site = new BackupSite(settings, tiebreaker);
        try {
            site.receiver.start(site.network, settings.channel());
            site.heartbeat.start(site.network.next(), settings.channel(), settings.heartbeatInterval());
        } catch (Exception e) {
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

    private void replay() {
        List<DiskImage> disks = new ArrayList<>();
        try (GroupFlusher flusher = new GroupFlusher("sitepair-backup-flush", ticket -> {})) {
            for (var path : settings.disks()) {
                disks.add(DiskImage.openOrCreate(path, settings.diskBytes()));
            }
            GuestVm vm = GuestVm.create(settings.module(), settings.vmOptions(), disks);
            // The backup's flushes need not be waited for: no output leaves here.
            vm.flushDisksWith(flusher::request);
            flusher.start();
            Replayer replayer = new Replayer(vm, received);
            ServedRun.Handover handover = new ServedRun.Handover();
            if (arbitration.enabled()) {
                vm.goLiveAtEndOfLog(RealInputs.system(), handover); // the log may end inside a handler
            }
            Replayer.Result result = replayer.run(v -> {
                replayed = v.position();
                events = v.eventsDelivered();
                return true;
            });
            replayed = result.lastPosition();
            flusher.close();
            if (failureDetectedNanos != 0 && !result.poweredOff()) {
                long replayDoneNanos = System.nanoTime();
                if (goLive(vm, disks, result.lastPosition(), handover, replayDoneNanos)) {
                    disks.clear(); // the served run owns them now
                }
                return;
            }
            String state = HexFormat.of().formatHex(vm.stateHash());
            if (result.poweredOff()) {
                outcome = "the primary powered off cleanly at position " + result.lastPosition()
                        + "; this backup stopped there too and will not go live";
            } else {
                outcome = "stopped at position " + result.lastPosition();
            }
            role.moveTo(Role.STOPPED, outcome);
            finished.complete(state);
        } catch (ReplayDivergence e) {
            outcome = "replay diverged at log position " + e.position() + ": " + e.getMessage();
            receiver.reportDivergence(e.position(), e.getMessage());
            role.moveTo(Role.HALTED, outcome);
            finished.completeExceptionally(e);
        } catch (VmException e) {
            outcome = e.getMessage();
            role.moveTo(Role.HALTED, outcome);
            finished.completeExceptionally(e);
        } catch (Exception | Error e) {
            outcome = "replay failed: " + e;
            role.moveTo(Role.HALTED, outcome);
            finished.completeExceptionally(e);
        } finally {
            for (DiskImage disk : disks) {
                try {
                    disk.close();
                } catch (Exception e) {
                    System.err.println("sitepair: closing a disk failed: " + e.getMessage());
                }
            }
            // Let the divergence report reach the primary before the channel closes.
            network.schedule(this::closeNetwork, 200, TimeUnit.MILLISECONDS);
        }
    }

    /** Claims the next epoch and, on winning, serves clients with the replayed VM; returns whether it went live. */
    private boolean goLive(GuestVm vm, List<DiskImage> disks, long position, ServedRun.Handover handover,
                           long replayDoneNanos) throws Exception {
        String endpoint = settings.serviceEndpoint();
        failover = "replayed to position " + position + "; claiming epoch " + (epoch + 1);
        Claim claim = arbitration.claim(epoch, position, endpoint, () -> stopping);
        if (claim == null) {
            throw new VmException("stopped while claiming epoch " + (epoch + 1) + "; did not go live");
        }
        if (!claim.won()) {
            outcome = "site '" + claim.record().liveSite() + "' is live in epoch " + claim.record().epoch()
                    + "; this site must not serve";
            role.moveTo(Role.HALTED, outcome);
            finished.completeExceptionally(new IllegalStateException(outcome));
            return false;
        }
        epoch = claim.record().epoch();
        live = ServedRun.goLive(vm, disks, settings.service(), handover);
        guard = arbitration.guard(() -> epoch, live::fenceOutputs, this::haltLive);
        failover = String.format("live in epoch %d from position %d: detection %d ms (failure timeout), replay %d ms,"
                        + " arbitration %d ms", epoch, position, settings.suspectAfter().toMillis(),
                (replayDoneNanos - failureDetectedNanos) / 1_000_000, arbitration.claimMillis());
        role.moveTo(Role.LIVE_ALONE, "primary '" + settings.identity().peer() + "' failed; " + failover);
        System.err.println("sitepair: ALARM: site '" + settings.site() + "' is " + failover + "; clients on "
                + endpoint + "; UNPROTECTED until the other site is re-protected");
        GoLiveHook.runAsync(settings.goLiveHook(), Map.of("SITEPAIR_PAIR", settings.identity().pair(),
                "SITEPAIR_SITE", settings.site(), "SITEPAIR_EPOCH", String.valueOf(epoch),
                "SITEPAIR_ENDPOINT", endpoint));
        Thread.ofPlatform().daemon().name("sitepair-live-watch").start(() -> {
            try {
                ServedRun.Result result = live.await();
                role.moveTo(Role.STOPPED, "stopped");
                finished.complete(HexFormat.of().formatHex(result.stateHash()));
            } catch (Exception e) {
                role.moveTo(Role.HALTED, e.getMessage());
                finished.completeExceptionally(e);
            }
        });
        return true;
    }

    /** Another site holds the epoch now: stop serving at once. */
    private void haltLive(String why) {
        if (role.moveTo(Role.HALTED, why)) {
            outcome = why;
            System.err.println("sitepair: site '" + settings.site() + "' HALTED: " + why);
            finished.completeExceptionally(new IllegalStateException(why));
            try {
                live.stop();
            } catch (Exception e) {
                System.err.println("sitepair: stopping the halted run: " + e.getMessage());
            }
        }
    }

    private void closeNetwork() {
        receiver.stop();
        heartbeat.stop();
        network.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Stops replay after the entries already received (the operator stopped this backup). */
    @Override
    public void stop() {
        stopping = true;
        ServedRun served = live;
        if (served != null) {
            try {
                served.stop();
            } catch (Exception e) {
                System.err.println("sitepair: stopping: " + e.getMessage());
            }
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
        return role.role();
    }

    /** The live run's held outputs, asked on its loop (the gate is confined there); -1 if it does not answer. */
    private static int heldOutputs(ServedRun run) {
        try {
            return run.loop().submit(run::heldOutputs).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return -1;
        }
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("site", settings.site());
        status.put("role", role.role().label());
        status.put("reason", outcome.isEmpty() ? role.reason() : outcome);
        status.put("epoch", epoch);
        if (!failover.isEmpty()) {
            status.put("failover", failover);
        }
        String claim = arbitration.progress();
        if (!claim.isEmpty()) {
            status.put("arbitration", claim);
        }
        status.put("quorum", arbitration.connection());
        if (live != null) {
            status.put("service", settings.serviceEndpoint());
            status.put("protection", "unprotected (primary '" + settings.identity().peer() + "' failed)");
            status.put("held_outputs", heldOutputs(live));
            if (!guard.state().isEmpty()) {
                status.put("fenced", guard.state());
            }
        }
        status.put("channel", live != null || failureDetectedNanos != 0 ? "closed (the primary failed)"
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
        status.put("events", live != null ? live.vm().eventsDelivered() : events);
        Map<String, Object> peerStatus = new LinkedHashMap<>();
        peerStatus.put("site", settings.identity().peer());
        peerStatus.put("heartbeat_ms", peer.msSinceHeartbeat());
        peerStatus.put("suspected", peer.suspected());
        status.put("peer", peerStatus);
        return status;
    }
}
