package io.sitepair.replicator.pair;

import io.sitepair.replicator.channel.ChannelMessage;
import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.replicator.resync.CopySender;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a serving site hears from its backup through the logging channel, and how it acts on it:
 * acknowledgements release outputs, a backup that stopped leaves the site alone, a finished
 * re-protection makes it a protected primary again, and the link's ups and downs feed failure
 * detection. On the served run's loop, where the channel delivers.
 */
final class BackupListener implements LogShipper.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(BackupListener.class);

    private final BackupLoss backupLoss;
    private final Consumer<String> continueAlone;
    // Bound once in connected(): the shipper needs this listener before it, and so the parts, exist.
    private ServingParts parts;
    private PrimaryStatusReport report;
    private PlannedOperations operations;
    private long replayed;

    /** {@code continueAlone} makes the site serve without a backup, saying why. */
    BackupListener(BackupLoss backupLoss, Consumer<String> continueAlone) {
        this.backupLoss = backupLoss;
        this.continueAlone = continueAlone;
    }

    /** The site's parts exist; before the shipper starts, so before any call from the backup. */
    void connected(ServingParts parts, PrimaryStatusReport report, PlannedOperations operations) {
        this.parts = parts;
        this.report = report;
        this.operations = operations;
    }

    /** The log position the backup last reported replayed. */
    long replayed() {
        return replayed;
    }

    @Override
    public void acknowledged(long received, long replayedThrough) {
        if (replayedThrough >= 0) {
            replayed = Math.max(replayed, replayedThrough);
            parts.lag().replayed(replayed);
        }
        parts.run().acknowledgedThrough(received);
        parts.acks().acknowledged(received);
        parts.flow().acknowledged();
    }

    @Override
    public void backupStopped(long position, String reason) {
        String alarm = "the backup stopped at log position " + position + ": " + reason;
        report.alarm(alarm);
        LOG.warn("ALARM: {}", alarm);
        LOG.warn("ALARM: site '{}' continues UNPROTECTED; the backup must be re-protected",
                parts.settings().site());
        continueAlone.accept("backup stopped at position " + position);
    }

    /**
     * Re-protection's copy of this site's disks and VM state at {@code copy.position()} is
     * captured and sent: outputs made from now on wait for the returning site, whose
     * acknowledgement says when it holds the copy.
     */
    void reprotected(CopySender.Outcome copy) {
        parts.run().resumeOutputRule();
        operations.abandonSwitchover("site '" + parts.peerSite() + "' restarted during it and was"
                + " re-protected from position " + copy.position());
        if (parts.role().moveTo(Role.PRIMARY, "re-protected by site '" + parts.peerSite() + "' from position "
                + copy.position())) {
            report.alarm("");
        }
        report.reprotected(copy);
        parts.settings().meters().reprotected();
        LOG.info("site '{}' is protected again by site '{}' from position {} (re-protection {})",
                parts.settings().site(), parts.peerSite(), copy.position(), report.lastReprotection());
    }

    @Override
    public void verified(ChannelMessage.VerifyReport report) {
        parts.verifier().reported(report);
    }

    @Override
    public void linkChanged(boolean streaming, String why) {
        // Outputs simply wait while the link is down. Lag control only acts on a connected
        // backup: flow control bounds what accumulates meanwhile.
        parts.role().change(s -> s.with(streaming ? Link.STREAMING : Link.CONNECTING), why);
        backupLoss.linkChanged(streaming, System.nanoTime());
        if (!streaming) {
            parts.verifier().linkLost(why);
            parts.lag().reset();
        }
    }
}
