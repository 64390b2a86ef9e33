package io.sitepair.replicator.pair;

import io.sitepair.replicator.pair.SiteState.Disk;
import io.sitepair.replicator.pair.SiteState.Fence;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.replicator.pair.SiteState.Operation;
import io.sitepair.replicator.service.OutputGate;
import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.InMemoryQuorum;
import io.sitepair.tiebreaker.InMemoryTiebreaker;
import io.sitepair.tiebreaker.NoQuorumException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * One site of the simulated pair, across its crashes and restarts. Its decisions are the
 * product's own parts: the {@link SiteStateMachine}, the {@link OutputGate} (the Output Rule and
 * the quorum fence, held through {@link OutputFence}), {@link PeerWatch}, {@link BackupLoss} and
 * {@link Takeover} (both halves of failover), the {@link QuorumGuard} and {@link Arbitration}
 * over the in-memory quorum. What a
 * real site does with Netty, the VM and RocksDB is reduced to a model: the VM makes one output
 * per log entry; the log flows as TCP would carry it (in order, resent after silence, as
 * {@code LogShipper} does on reconnecting); re-protection is one copy message. The wiring follows
 * {@code PrimaryRole} and {@code BackupRole}, and the restart follows the site daemon.
 */
final class SimSite {
    static final Duration SUSPECT_AFTER = Duration.ofMillis(1000);
    private static final long TICK_MS = 10;
    private static final long HEARTBEAT_MS = 50;
    private static final long RESEND_AFTER_MS = 200;
    private static final long LINK_DOWN_AFTER_MS = 300;
    private static final long COPY_EVERY_MS = 100;
    private static final int ENTRIES_PER_TICK = 50;
    private static final int WINDOW = 100; // entries unacknowledged at most, as TCP's window and flow control bound them
    private static final long SWITCHOVER_WAIT_MS = 30_000;

    /** A deliberate bug, to show that the invariants catch it. */
    enum Mutation { NONE, BACKUP_ACKS_AHEAD, BACKUP_KEEPS_ACKING_AFTER_FAILURE }

    final String name;
    final String peerName;
    final SimDisk disk = new SimDisk();
    private final SimClock clock;
    private final SimNetwork network;
    private final InMemoryQuorum quorum;
    private final Random random;
    private final PairInvariants invariants;
    private final Mutation mutation;
    private final QuorumRetry retry;
    private final String endpoint;

    // One process run: tasks of an earlier run find the incarnation changed and do nothing.
    private int incarnation;
    private boolean up;
    private SiteStateMachine state;
    private InMemoryTiebreaker tiebreaker;
    private Arbitration arbitration;
    private PeerWatch watch;
    private long epoch;
    private long lastHeartbeatNanos;
    private long lastTrafficNanos;
    private long peerEpoch;
    private boolean peerReturning;
    private long peerRunCopied; // across runs: the last returning run of the peer given a copy
    private long peerRunReturning;

    // Serving.
    private OutputGate gate;
    private BackupLoss backupLoss;
    private QuorumGuard guard;
    private long position;
    private long sentThrough;
    private long acked;
    private long lastAckNanos;
    private long lastProgressNanos; // when the acknowledged position last moved
    private boolean linkUp;
    private SimMessage.Copy copyOut; // captured for the returning peer, until it acknowledges it
    private long copySentNanos;
    private long switchoverMarker;
    private long switchoverStartNanos;

    // Replicating.
    private Takeover takeover;
    private long received;
    private boolean acking;
    private boolean superseded;
    private boolean claiming;
    private boolean copying; // a copy is being written: the disk is marked inconsistent

    SimSite(String name, String peerName, SimClock clock, SimNetwork network, InMemoryQuorum quorum, Random random,
            PairInvariants invariants, Mutation mutation) {
        this.name = name;
        this.peerName = peerName;
        this.clock = clock;
        this.network = network;
        this.quorum = quorum;
        this.random = random;
        this.invariants = invariants;
        this.mutation = mutation;
        this.retry = new QuorumRetry(Runnable::run, clock.laterBy(QuorumRetry.RETRY_MS));
        this.endpoint = name + ":6379";
    }

    // ---- lifecycle, as the site daemon runs it ----

    /** Starts as the primary of {@code firstEpoch}, on empty disks. */
    void startPrimary(long firstEpoch) {
        begin(Role.PRIMARY, "initial primary");
        serveFrom(firstEpoch, 0, true);
    }

    /** Starts as the backup of {@code firstEpoch}, on empty disks, replicating from the first entry. */
    void startBackup(long firstEpoch) {
        begin(Role.BACKUP, "initial backup");
        epoch = firstEpoch;
        replicate(0);
    }

    /** A new process on this site's disks: it learns its role from the quorum, waiting for one. */
    void restart() {
        if (up && tiebreaker != null) {
            tiebreaker.close();
        }
        begin(Role.STARTING, "restarted");
        learnRole(incarnation);
    }

    private void learnRole(int run) {
        if (!current(run)) {
            return;
        }
        try {
            EpochRecord record = tiebreaker.current();
            if (!record.liveSite().equals(name)) {
                epoch = record.epoch();
                state.moveTo(Role.BACKUP, "rejoins as the backup of site '" + record.liveSite() + "' in epoch "
                        + record.epoch());
                returnToPair();
                return;
            }
            // The live site of the record restarts cold, as the daemon restarts a site that served
            // its epoch: its log positions begin again, so it must serve a new epoch.
            Claim claim = tiebreaker.claim(record.epoch(), name, 0, endpoint);
            if (claim.won()) {
                state.moveTo(Role.PRIMARY, "restarted cold as the live site: epoch " + claim.record().epoch());
                serveFrom(claim.record().epoch(), 0, true);
                return;
            }
        } catch (NoQuorumException e) {
            // the daemon waits for a quorum before it knows its role
        }
        clock.after(QuorumRetry.RETRY_MS * SimClock.MS, () -> learnRole(run));
    }

    /** kill -9: nothing runs, nothing is heard, the disks stay. */
    void crash() {
        up = false;
        network.deafen(name);
        if (guard != null) {
            guard.close();
        }
        tiebreaker.close();
    }

    private void begin(Role role, String why) {
        incarnation++;
        up = true;
        state = new SiteStateMachine(name, role, why);
        tiebreaker = quorum.connect();
        arbitration = new Arbitration(tiebreaker, name, retry, clock::nanos);
        lastHeartbeatNanos = -1;
        lastTrafficNanos = clock.nanos();
        peerEpoch = 0;
        peerReturning = false;
        gate = null;
        guard = null;
        acking = false;
        superseded = false;
        claiming = false;
        copying = false;
        copyOut = null;
        copySentNanos = 0;
        switchoverMarker = 0;
        watch = new PeerWatch(peerName, SUSPECT_AFTER,
                () -> lastHeartbeatNanos < 0 ? -1 : clock.nanos() - lastHeartbeatNanos,
                () -> clock.nanos() - lastTrafficNanos, Runnable::run); // a simulated loop reads before it ticks
        int run = incarnation;
        network.listen(name, message -> onLoop(run, () -> receive((SimMessage) message)));
        every(run, TICK_MS, this::tick);
        every(run, HEARTBEAT_MS, this::heartbeat);
    }

    private void every(int run, long ms, Runnable task) {
        clock.after(ms * SimClock.MS, () -> {
            if (current(run)) {
                task.run();
                every(run, ms, task);
            }
        });
    }

    private void onLoop(int run, Runnable task) {
        clock.after(0, () -> {
            if (current(run)) {
                task.run();
            }
        });
    }

    private boolean current(int run) {
        return up && incarnation == run && !state.state().ended();
    }

    // ---- serving ----

    private void serveFrom(long won, long from, boolean outputRule) {
        epoch = won;
        position = from;
        sentThrough = from;
        acked = from;
        lastAckNanos = Long.MIN_VALUE / 2; // no backup heard yet
        lastProgressNanos = clock.nanos();
        linkUp = false;
        invariants.wentLive(this, won);
        gate = new OutputGate(outputRule);
        gate.flushedThrough(Long.MAX_VALUE); // durability is not what this simulation checks
        backupLoss = new BackupLoss(arbitration, name, peerName, endpoint, SUSPECT_AFTER, new AsPrimary());
        int run = incarnation;
        guard = arbitration.guard(() -> epoch, new OutputFence(gate::fence, state),
                why -> onLoop(run, () -> halt(why)));
    }

    private void serveTick() {
        Operation operation = state.state().operation();
        if ((operation == Operation.NONE || operation == Operation.RESYNC) && random.nextInt(3) == 0) {
            produce(false);
        }
        if (peerReturning && copyOut == null) {
            captureCopy();
        }
        if (copyOut != null) {
            sendCopy();
        } else if (state.role() == Role.PRIMARY) {
            ship();
        }
        if (state.role() == Role.PRIMARY) {
            watchLink();
        }
        backupLoss.check(watch.suspected(), clock.nanos());
        boolean switchoverWaits = operation == Operation.SWITCHOVER
                && clock.nanos() - switchoverStartNanos < SWITCHOVER_WAIT_MS * SimClock.MS;
        if (switchoverWaits) {
            switchoverProgress();
        } else if (peerEpoch > epoch) {
            halt("site '" + peerName + "' serves in epoch " + peerEpoch + "; this site, in epoch " + epoch
                    + ", must not serve");
        }
    }

    /** The VM makes one event: a log entry, and an output that waits on the gate. */
    private long produce(boolean switchover) {
        long at = ++position;
        long written = epoch;
        disk.write(written, at);
        if (switchover) {
            switchoverMarker = at;
        }
        // Under the Output Rule if made under it and it still applies (a won epoch frees what waited).
        boolean protectedOutput = gate.outputRule();
        gate.offer(0, at, () -> invariants.released(this, epoch, written, at, protectedOutput && gate.outputRule()));
        return at;
    }

    /** The log to the backup, in order, a window at a time; after a silence, again from the last acknowledgement. */
    private void ship() {
        if (sentThrough > acked && clock.nanos() - lastProgressNanos > RESEND_AFTER_MS * SimClock.MS) {
            sentThrough = acked;
            lastProgressNanos = clock.nanos();
        }
        for (int n = 0; n < ENTRIES_PER_TICK && sentThrough < position && sentThrough - acked < WINDOW; n++) {
            sentThrough++;
            network.send(peerName, new SimMessage.Entry(disk.epochAt(sentThrough), sentThrough,
                    sentThrough == switchoverMarker));
        }
    }

    /** Whether the backup acknowledges, as {@code LogShipper}'s liveness sees it. */
    private void watchLink() {
        boolean heard = clock.nanos() - lastAckNanos < LINK_DOWN_AFTER_MS * SimClock.MS;
        if (heard != linkUp) {
            linkUp = heard;
            state.change(s -> s.with(heard ? Link.STREAMING : Link.CONNECTING), heard ? "backup acknowledges"
                    : "no acknowledgement for " + LINK_DOWN_AFTER_MS + " ms");
            backupLoss.linkChanged(heard, clock.nanos());
        }
    }

    /**
     * Re-protection, as {@code CopySender}, {@code LogShipper} and {@code PrimaryRole} do it: the
     * state is captured between two events, and from then on this site is a primary streaming to
     * the returning site, its new outputs waiting for it; the copy goes (again, as the simulated
     * network may lose it) until the returning site acknowledges holding it.
     */
    private void captureCopy() {
        copyOut = new SimMessage.Copy(epoch, position, disk.contents());
        peerRunCopied = peerRunReturning;
        sentThrough = position;
        lastAckNanos = clock.nanos();
        lastProgressNanos = lastAckNanos;
        gate.resumeOutputRule();
        if (state.state().operation() == Operation.SWITCHOVER) {
            // as PlannedOperations.abandonSwitchover: the returning site replays past the marker
            state.change(s -> s.with(Operation.NONE), "switchover abandoned: site '" + peerName + "' restarted");
        }
        linkUp = true;
        state.change(s -> s.with(Role.PRIMARY).with(Link.STREAMING), "re-protecting site '" + peerName
                + "' from position " + position);
        backupLoss.linkChanged(true, clock.nanos());
    }

    private void sendCopy() {
        if (copySentNanos == 0 || clock.nanos() - copySentNanos >= COPY_EVERY_MS * SimClock.MS) {
            copySentNanos = clock.nanos();
            network.send(peerName, copyOut);
        }
    }

    private void acknowledged(SimMessage.Ack ack) {
        if (ack.epoch() != epoch || ack.position() > position) {
            return; // an acknowledgement of another epoch, or of another run's log, acknowledges nothing here
        }
        lastAckNanos = clock.nanos();
        if (copyOut != null && ack.position() >= copyOut.position()) {
            copyOut = null; // the returning site holds it: entries stream from there
            peerRunCopied = Math.max(peerRunCopied, ack.run()); // its late requests are answered
            copySentNanos = 0;
            peerReturning = false;
        }
        if (state.role() == Role.PRIMARY) {
            lastProgressNanos = ack.position() > acked ? clock.nanos() : lastProgressNanos;
            acked = Math.max(acked, ack.position());
            gate.acknowledgedThrough(ack.position());
        }
    }

    /** Planned switchover: the marker goes to the backup, which takes the next epoch from it. */
    boolean switchOver() {
        if (!up || state.role() != Role.PRIMARY || !linkUp || peerReturning
                || state.state().operation() != Operation.NONE) {
            return false;
        }
        state.change(s -> s.with(Operation.SWITCHOVER), "switching over to site '" + peerName + "'");
        switchoverStartNanos = clock.nanos();
        produce(true);
        return true;
    }

    /** As {@code PlannedOperations}' wait: once the quorum shows the backup live, this site stops and rejoins. */
    private void switchoverProgress() {
        try {
            EpochRecord record = tiebreaker.current();
            if (record.epoch() > epoch && record.liveSite().equals(peerName)) {
                guard.close();
                state.moveTo(Role.STOPPED, "switched over to site '" + peerName + "' in epoch " + record.epoch()
                        + "; this site rejoins as the backup");
            }
        } catch (NoQuorumException e) {
            // asked again next tick
        }
    }

    private void halt(String why) {
        if (state.moveTo(Role.HALTED, why) && guard != null) {
            guard.close();
        }
    }

    /** What {@link BackupLoss} needs of this site, as {@code PrimaryRole} gives it. */
    private final class AsPrimary implements BackupLoss.Primary {
        private final int run = incarnation;

        @Override
        public boolean protectedPrimary() {
            return state.role() == Role.PRIMARY;
        }

        @Override
        public boolean switchingOver() {
            return state.state().operation() == Operation.SWITCHOVER;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void wonEpoch(long won, long from, String why) {
            epoch = won;
            invariants.wentLive(SimSite.this, won);
            state.change(s -> s.with(Role.LIVE_ALONE).with(s.operation() == Operation.POWER_OFF
                    ? Operation.POWER_OFF : Operation.NONE), why);
            gate.dropOutputRule();
            copyOut = null; // a copy of the old epoch protects nothing of the new one
            copySentNanos = 0;
        }

        @Override
        public void halt(String why) {
            SimSite.this.halt(why);
        }

        @Override
        public boolean ended() {
            return !current(run);
        }

        @Override
        public void onLoop(Runnable task) {
            SimSite.this.onLoop(run, task);
        }
    }

    // ---- replicating ----

    private void replicate(long from) {
        received = from;
        acking = true;
        takeover = new Takeover(arbitration, peerName, SUSPECT_AFTER, new AsBackup());
    }

    /** A returning site waits for a copy, saying so in its heartbeats. */
    private void returnToPair() {
        takeover = new Takeover(arbitration, peerName, SUSPECT_AFTER, new AsBackup());
        state.change(s -> s.with(Role.RESYNCING).with(Link.CONNECTING), "waiting for a copy from site '"
                + peerName + "'");
    }

    private void replicateTick() {
        takeover.check(watch.suspected(), clock.nanos());
        if (peerEpoch > epoch && !superseded) {
            superseded = true;
            acking = false;
            state.moveTo(Role.STOPPED, "site '" + peerName + "' serves in epoch " + peerEpoch
                    + " without this backup; rejoining by re-protection");
        }
    }

    private void logEntry(SimMessage.Entry entry) {
        if (!acking || state.role() != Role.BACKUP || entry.epoch() != epoch) {
            return; // a stale primary's log is refused; a later epoch's means this site is superseded
        }
        if (entry.position() == received + 1) {
            received++;
            disk.write(entry.epoch(), entry.position());
            state.change(s -> s.with(Link.STREAMING), "the primary's log arrives");
        }
        if (entry.position() <= received) {
            network.send(peerName, new SimMessage.Ack(epoch,
                    received + (mutation == Mutation.BACKUP_ACKS_AHEAD ? 1 : 0), incarnation));
        }
        if (entry.switchover() && entry.position() == received) {
            acking = false; // the primary delivers nothing after the marker
            claimLive(received);
        }
    }

    /** The replay has drained everything received: claim the next epoch from there. */
    private void claimLive(long from) {
        if (claiming) {
            return; // one replay, one go-live: the marker and a failure may both end it
        }
        claiming = true;
        int run = incarnation;
        takeover.claim(epoch, from, endpoint, clock.nanos(), () -> !current(run), () -> superseded)
                .thenAccept(outcome -> {
                    if (!current(run) && !(outcome instanceof Takeover.Outcome.Rejoin)) {
                        return;
                    }
                    switch (outcome) {
                        case Takeover.Outcome.Live(long won) -> {
                            disk.truncateAfter(from); // what arrived beyond is not in the VM it goes live with
                            state.change(s -> s.with(Role.LIVE_ALONE).with(Link.CONNECTING), takeover.failover());
                            serveFrom(won, from, false);
                        }
                        case Takeover.Outcome.Rejoin() -> state.moveTo(Role.STOPPED, "rejoins the live site");
                        case Takeover.Outcome.Halt(String why) -> halt(why);
                        case Takeover.Outcome.Abandoned() -> { }
                    }
                });
    }

    /** Re-protection, as {@code ReplicaCopy} does it: marked inconsistent in the quorum before the first block. */
    private void copy(SimMessage.Copy copy) {
        if (state.role() != Role.RESYNCING || copying) {
            return;
        }
        copying = true;
        int run = incarnation;
        mark(true).thenCompose(marked -> {
            if (marked == null) {
                return CompletableFuture.completedFuture(null); // this run ended first: the disk is untouched
            }
            disk.inconsistent(true);
            disk.replaceWith(copy.disk());
            return mark(false);
        }).thenAccept(marked -> {
            if (marked != null) {
                disk.inconsistent(false);
                onLoop(run, () -> copied(copy));
            }
        });
    }

    private void copied(SimMessage.Copy copy) {
        copying = false;
        epoch = copy.epoch();
        state.change(s -> s.with(Role.BACKUP).with(Disk.UP_TO_DATE).with(Link.STREAMING),
                "copied from site '" + peerName + "' at position " + copy.position());
        replicate(copy.position());
        network.send(peerName, new SimMessage.Ack(epoch, received, incarnation));
    }

    /** Marks this site's disks in the quorum, asking again while there is none; null if the run ended first. */
    private CompletableFuture<Boolean> mark(boolean inconsistent) {
        int run = incarnation;
        return retry.until(() -> {
            tiebreaker.markInconsistent(name, inconsistent);
            return Boolean.TRUE;
        }, () -> !current(run), e -> { });
    }

    /** What {@link Takeover} asks of this site, as {@code BackupRole} gives it. */
    private final class AsBackup implements Takeover.Backup {
        @Override
        public boolean protecting() {
            return state.role() == Role.BACKUP;
        }

        @Override
        public long received() {
            return received;
        }

        @Override
        public void stopAcknowledging(String why) {
            acking = mutation == Mutation.BACKUP_KEEPS_ACKING_AFTER_FAILURE;
            state.change(s -> s.with(Link.DOWN), why);
            int run = incarnation;
            long replayMs = random.nextLong(30);
            clock.after(replayMs * SimClock.MS, () -> {
                if (current(run)) {
                    claimLive(received);
                }
            });
        }
    }

    // ---- both ----

    private void tick() {
        watch.check();
        if (state.role().serves()) {
            serveTick();
        } else if (state.role() == Role.BACKUP || state.role() == Role.RESYNCING) {
            replicateTick();
        }
    }

    private void heartbeat() {
        network.send(peerName, new SimMessage.Heartbeat(epoch, state.role() == Role.RESYNCING ? incarnation : 0));
        if (state.role() == Role.BACKUP && acking && received > 0) {
            network.send(peerName, new SimMessage.Ack(epoch, received, incarnation)); // the channel's keepalive
        }
    }

    private void receive(SimMessage message) {
        switch (message) {
            case SimMessage.Heartbeat heartbeat -> {
                lastHeartbeatNanos = clock.nanos();
                peerEpoch = Math.max(peerEpoch, heartbeat.epoch());
                if (heartbeat.returningRun() > peerRunCopied && heartbeat.epoch() <= epoch) {
                    peerReturning = true;
                    peerRunReturning = heartbeat.returningRun();
                } else if (heartbeat.returningRun() == 0) {
                    peerReturning = false; // a late one is corrected by the next
                }
            }
            case SimMessage.Entry entry -> {
                lastTrafficNanos = clock.nanos();
                logEntry(entry);
            }
            case SimMessage.Ack ack -> {
                lastTrafficNanos = clock.nanos();
                if (state.role().serves()) {
                    acknowledged(ack);
                }
            }
            case SimMessage.Copy copy -> {
                lastTrafficNanos = clock.nanos();
                copy(copy);
            }
        }
    }

    // ---- for the invariants and the harness ----

    boolean up() {
        return up;
    }

    SiteState state() {
        return state.state();
    }

    long epoch() {
        return epoch;
    }

    long released() {
        return gate == null ? 0 : gate.released();
    }

    boolean fenced() {
        return state.state().fence() == Fence.FENCED;
    }

    InMemoryTiebreaker tiebreaker() {
        return tiebreaker;
    }

    /** For a replay's trace: where this site's log stands. */
    String positions() {
        return name + ": " + (state.role().serves() ? "written " + position + ", sent " + sentThrough + ", acknowledged "
                + acked + ", held " + gate.heldCount() : "received " + received + (acking ? "" : " (not acknowledging)"));
    }

    @Override
    public String toString() {
        return "site '" + name + "' " + (up ? state.state().label() : "down") + " in epoch " + epoch;
    }
}
