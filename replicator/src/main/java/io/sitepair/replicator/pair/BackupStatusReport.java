package io.sitepair.replicator.pair;

import static io.sitepair.replicator.status.StatusFields.emptyAsNull;
import static io.sitepair.replicator.status.StatusFields.round;

import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.resync.ResyncWriter;
import io.sitepair.replicator.status.BackupStatus;

/**
 * What a replicating site reports about itself ({@link BackupStatus}), and what it keeps only to
 * report: the logging channel's rate. {@link #tick()} on the network loop; {@link #status()} from
 * any thread (it reads what the network loop and the replay thread publish).
 */
final class BackupStatusReport {
    private final SiteSettings settings;
    private final SiteStateMachine role;
    private final Arbitration arbitration;
    private final SiteRecords records;
    private final ReceivedLog received;
    private final LogReceiver receiver;
    private final PeerWatch peer;
    private final ReplicaCopy copy;
    private final VerifyTally verifyTally;
    private final Takeover takeover;
    private final ReplayDriver driver;
    private final GoLive goLive;
    private final ReplicaEnd end;
    private final ByteRate wireRate = new ByteRate();
    private int ticks; // network loop only

    BackupStatusReport(SiteSettings settings, SiteStateMachine role, Arbitration arbitration, SiteRecords records,
                       ReceivedLog received, LogReceiver receiver, PeerWatch peer, ReplicaCopy copy,
                       VerifyTally verifyTally, Takeover takeover, ReplayDriver driver, GoLive goLive, ReplicaEnd end) {
        this.settings = settings;
        this.role = role;
        this.arbitration = arbitration;
        this.records = records;
        this.received = received;
        this.receiver = receiver;
        this.peer = peer;
        this.copy = copy;
        this.verifyTally = verifyTally;
        this.takeover = takeover;
        this.driver = driver;
        this.goLive = goLive;
        this.end = end;
    }

    /** On every tick of the network loop: samples the logging channel's rate once a second. */
    void tick() {
        if (++ticks % 10 == 0) {
            wireRate.sample(receiver.codecStats().wireBytes());
        }
    }

    BackupStatus status() {
        ResyncWriter writer = copy.writer();
        BackupStatus.Resync resyncing = role.role() == Role.RESYNCING && writer != null
                ? new BackupStatus.Resync(settings.identity().peer(), writer.plannedBlocks(), writer.copiedBlocks(),
                        writer.durablyPendingBlocks())
                : null;
        String channel = takeover.primaryFailed() ? "closed (the primary failed)"
                : receiver.streaming() ? "streaming" : "waiting for the primary (" + receiver.lastProblem() + ")";
        String outcome = end.outcome();
        return new BackupStatus(settings.site(), role.role(), outcome.isEmpty() ? role.reason() : outcome,
                goLive.epoch(), resyncing, emptyAsNull(takeover.failover()), emptyAsNull(verifyTally.last()),
                emptyAsNull(arbitration.progress()), arbitration.connection(), channel,
                new BackupStatus.Positions(received.received(), driver.replayed()),
                new BackupStatus.Logging(round(wireRate.mbitPerSecond()), received.bufferedBytes(),
                        settings.bufferBytes()),
                driver.eventsDelivered(), records.status(),
                new BackupStatus.Peer(settings.identity().peer(), peer.msSinceHeartbeat(), peer.suspected()));
    }
}
