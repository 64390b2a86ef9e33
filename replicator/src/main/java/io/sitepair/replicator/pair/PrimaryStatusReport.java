package io.sitepair.replicator.pair;

import static io.sitepair.replicator.status.StatusFields.emptyAsNull;
import static io.sitepair.replicator.status.StatusFields.round;

import io.sitepair.compression.CodecStats;
import io.sitepair.replicator.channel.LogShipper;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.resync.CopySender;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.Protection;
import java.time.LocalTime;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What a serving site reports about itself ({@link PrimaryStatus}), and what it keeps only to
 * report: the logging channel's rates, the outputs released per epoch it held, why it is
 * unprotected and its last re-protection. Loop thread only, except {@link #status()}.
 */
final class PrimaryStatusReport {
    /** What the report reads of the serving site as it goes on; on the loop. */
    interface Serving {
        long epoch();

        /** The log position the backup last reported replayed. */
        long replayed();

        /** Why the quorum guard holds outputs; empty if it does not. */
        String fenced();
    }

    private final ServingParts parts;
    private final Serving serving;
    private final ByteRate rawRate = new ByteRate();
    private final ByteRate wireRate = new ByteRate();
    private int ticks;
    /** Outputs this site released, per epoch it held (the current one counted live). */
    private final Map<Long, Long> releasedByEpoch = new TreeMap<>();
    private long releasedBeforeEpoch;
    private String alarm;
    private CopySender.Outcome lastCopy; // the last re-protection
    private LocalTime lastCopyAt; // when it completed

    /** {@code alarm}: why the site serves unprotected from the start (it went live alone), or empty. */
    PrimaryStatusReport(ServingParts parts, Serving serving, String alarm) {
        this.parts = parts;
        this.serving = serving;
        this.alarm = alarm;
    }

    /** On every tick of the loop: samples the logging channel's rates once a second. */
    void tick() {
        if (++ticks % 10 == 0) {
            CodecStats wire = parts.shipper().codecStats();
            rawRate.sample(wire.rawBytes());
            wireRate.sample(wire.wireBytes());
        }
    }

    /** The site leaves epoch {@code ended}: the outputs released so far are counted under it. */
    void epochEnded(long ended) {
        long released = parts.run().releasedOutputs();
        releasedByEpoch.merge(ended, released - releasedBeforeEpoch, Long::sum);
        releasedBeforeEpoch = released;
    }

    /** Why the site serves unprotected, or empty once it is protected again. */
    void alarm(String why) {
        alarm = why;
    }

    /** Re-protection finished with {@code copy}. */
    void reprotected(CopySender.Outcome copy) {
        lastCopy = copy;
        lastCopyAt = LocalTime.now().withNano(0);
    }

    /** The last re-protection in a line, for status and the log. */
    String lastReprotection() {
        return "at " + lastCopyAt + ", " + lastCopy.summary();
    }

    /** Protected, unprotected (why) or re-protecting (progress). */
    Protection protection() {
        LogShipper shipper = parts.shipper();
        if (shipper.state() == LogShipper.State.COPYING) {
            return Protection.reprotecting("site '" + parts.peerSite() + "': " + shipper.copyProgress());
        }
        if (parts.role().role() == Role.LIVE_ALONE) {
            return Protection.unprotected(alarm + "; waiting for site '" + parts.peerSite() + "' to return"
                    + (shipper.lastProblem().isEmpty() ? "" : ": " + shipper.lastProblem()));
        }
        return shipper.state() == LogShipper.State.STREAMING ? Protection.PROTECTED
                : Protection.unprotected("waiting for the backup: " + shipper.lastProblem());
    }

    /** The status, from any thread: in full from the loop, else (the site is stopping) its header. */
    PrimaryStatus status() {
        ServedRun run = parts.run();
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
        return PrimaryStatus.header(parts.settings().site(), parts.role().role(), parts.role().reason(),
                serving.epoch(), parts.settings().serviceEndpoint());
    }

    private PrimaryStatus statusOnLoop() {
        SiteSettings settings = parts.settings();
        SiteStateMachine role = parts.role();
        ServedRun run = parts.run();
        ShipLog log = parts.log();
        LogShipper shipper = parts.shipper();
        LagControl lag = parts.lag();
        long epoch = serving.epoch();
        CodecStats wire = shipper.codecStats();
        var logging = new PrimaryStatus.Logging(round(rawRate.mbitPerSecond()), round(wireRate.mbitPerSecond()),
                wire.rawBytes(), wire.wireBytes(), round(wire.ratio()), log.bufferedBytes(), settings.bufferBytes(),
                parts.flow().flowControlPauses(), wire.framesCompressed() + wire.framesStored());
        Map<Long, Long> released = new TreeMap<>(releasedByEpoch);
        released.merge(epoch, run.releasedOutputs() - releasedBeforeEpoch, Long::sum);
        var backup = new PrimaryStatus.Peer(parts.peerSite(), shipper.state().name().toLowerCase(Locale.ROOT),
                shipper.lastProblem(), parts.peer().msSinceHeartbeat(), parts.peer().suspected());
        return new PrimaryStatus(settings.site(), role.role(), role.reason(), epoch, settings.serviceEndpoint(),
                NicReport.of(run), protection(), lastCopy == null ? null : lastReprotection(),
                lastCopy == null ? null : lastCopy.figures(), shipper.resyncStatus(), parts.verifier().progress(),
                new PrimaryStatus.Positions(log.lastPosition(), shipper.sentThrough(), parts.acks().acknowledged(),
                        serving.replayed()),
                lag.lagMillis(), Math.round(lag.slowdown() * 100), logging, run.heldOutputs(), released,
                parts.arbitration().connection(), emptyAsNull(serving.fenced()),
                emptyAsNull(parts.arbitration().progress()), parts.flow().delivery(), backup,
                run.vm().eventsDelivered(), parts.records().status(), null);
    }
}
