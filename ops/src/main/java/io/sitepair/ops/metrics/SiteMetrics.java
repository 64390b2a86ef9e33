package io.sitepair.ops.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.sitepair.disk.DiskImage;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.pki.CertificateExpiry;
import io.sitepair.ops.site.Coordination;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.BackupStatus;
import io.sitepair.replicator.status.DiskStatus;
import io.sitepair.replicator.status.NicStatus;
import io.sitepair.replicator.status.PrimaryStatus;
import io.sitepair.replicator.status.ResyncStatus;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TlsException;
import io.sitepair.tiebreaker.QuorumProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The site's metrics, {@code sitepair_*} in Prometheus's exposition, tagged {@code pair} and
 * {@code site}: gauges and counters read from the site's typed status, what the
 * {@link SiteRecorder} counted and timed, the quorum's members and the certificates' expiry.
 * A scrape asks the site for its status once ({@link #SNAPSHOT}), however many gauges read it;
 * a figure the current status does not have (a backup's wire bytes, a starting site's epoch) is
 * NaN, or 0 for a counter. docs/monitoring.md lists every metric. Micrometer holds counters'
 * sources weakly: whoever binds this keeps a reference to it while the registry lives.
 */
public final class SiteMetrics implements MeterBinder {
    /** How long one status serves the gauges: a scrape's worth. */
    static final Duration SNAPSHOT = Duration.ofMillis(500);
    /** The quorum is probed (a TCP round trip to each member) at most this often. */
    static final Duration QUORUM_PROBE_EVERY = Duration.ofSeconds(5);
    private static final Duration QUORUM_PROBE_TIMEOUT = Duration.ofMillis(500);
    private static final double BLOCK_BYTES = DiskImage.BLOCK_SIZE;

    private final Tags tags;
    private final Supplier<SiteStatus> status;
    private final SiteRecorder recorder;
    private final Duration lagTarget;
    private final Supplier<QuorumProbe.Report> quorum;
    private final Map<String, Path> certificates;
    private final Supplier<Map<String, Double>> expiries;

    /**
     * @param status       the site's current status (the daemon's current site, across roles)
     * @param quorum       which quorum members serve; null without coordination
     * @param certificates by label ({@code site}, {@code ca}), the PEM file whose first certificate's expiry is exported
     * @param nanoClock    as {@link System#nanoTime}, for how long a status or probe is reused
     */
    SiteMetrics(String pair, String site, Supplier<SiteStatus> status, SiteRecorder recorder, Duration lagTarget,
                Supplier<QuorumProbe.Report> quorum, Map<String, Path> certificates, LongSupplier nanoClock) {
        this.tags = Tags.of("pair", pair, "site", site);
        this.status = new Cached<>(status, SNAPSHOT, nanoClock);
        this.recorder = recorder;
        this.lagTarget = lagTarget;
        this.quorum = quorum == null ? null : new Cached<>(quorum, QUORUM_PROBE_EVERY, nanoClock);
        this.certificates = Map.copyOf(certificates);
        this.expiries = new Cached<>(this::readExpiries, SNAPSHOT, nanoClock);
    }

    /** The metrics of {@code site} of {@code config}'s pair, whose status {@code status} gives. */
    public static SiteMetrics of(PairConfig config, String site, Supplier<SiteStatus> status, SiteRecorder recorder) {
        Map<String, Path> certificates = new LinkedHashMap<>();
        if (config.tls().on()) {
            certificates.put("site", config.tls().files(site).certificate());
            certificates.put("ca", config.tls().ca());
        }
        Supplier<QuorumProbe.Report> quorum = config.coordination() == null ? null : () -> Coordination.probe(config,
                config.tls().on() ? config.tls().files(site) : null, QUORUM_PROBE_TIMEOUT);
        return new SiteMetrics(config.pair(), site, status, recorder, config.logging().lagTarget(), quorum,
                certificates, System::nanoTime);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        recorder.bindTo(registry, tags);
        bindRole(registry);
        bindLog(registry);
        bindResync(registry);
        bindQuorum(registry);
        bindNic(registry);
        certificates.keySet().forEach(label -> Gauge.builder("sitepair.certificate.expiry.timestamp.seconds", this,
                        m -> m.expiries.get().getOrDefault(label, Double.NaN))
                .description("when the certificate expires (Unix time); NaN if it cannot be read")
                .tags(tags.and("certificate", label)).strongReference(true).register(registry));
    }

    private void bindRole(MeterRegistry registry) {
        for (Role role : Role.values()) {
            gauge(registry, Tags.of("role", role.label()), "sitepair.role", "1 for the site's current role, else 0",
                    s -> s.role() == role ? 1 : 0);
        }
        gauge(registry, "sitepair.epoch", "the epoch the site is in", s -> orNaN(s.epoch()));
        gauge(registry, "sitepair.protected", "a serving site: 1 if its backup holds its log, else 0; NaN if not"
                + " serving", s -> s instanceof PrimaryStatus ? (s.pairProtected() ? 1 : 0) : Double.NaN);
        gauge(registry, "sitepair.fenced", "a serving site: 1 while outputs are held because the quorum is in doubt",
                s -> s instanceof PrimaryStatus p ? (p.fenced() != null ? 1 : 0) : Double.NaN);
        gauge(registry, "sitepair.peer.heartbeat.age.seconds", "since the peer was last heard; NaN if never",
                s -> switch (s) {
                    case PrimaryStatus p when p.peer() != null && p.peer().heartbeatMs() >= 0 ->
                            p.peer().heartbeatMs() / 1000.0;
                    case BackupStatus b when b.peer().heartbeatMs() >= 0 -> b.peer().heartbeatMs() / 1000.0;
                    default -> Double.NaN;
                });
        counter(registry, "sitepair.events.delivered", "events delivered to the guest by the site's current VM",
                s -> switch (s) {
                    case PrimaryStatus p -> orZero(p.events());
                    case BackupStatus b -> b.events();
                    default -> 0;
                });
        counter(registry, "sitepair.outputs.released", "outputs the serving site released, over every epoch it"
                + " served", s -> s instanceof PrimaryStatus p && p.releasedOutputsByEpoch() != null
                ? p.releasedOutputsByEpoch().values().stream().mapToLong(Long::longValue).sum() : 0);
        gauge(registry, "sitepair.held.outputs", "outputs waiting to leave (the Output Rule, a flush, the quorum)",
                s -> s instanceof PrimaryStatus p ? orNaN(p.heldOutputs()) : Double.NaN);
        counter(registry, "sitepair.block.map.writes", "writes of the block map's activity log",
                s -> disks(s) == null ? 0 : disks(s).activityLogWrites());
        gauge(registry, "sitepair.block.map.records", "records in the block map",
                s -> disks(s) == null ? Double.NaN : disks(s).records());
    }

    private void bindLog(MeterRegistry registry) {
        gauge(registry, "sitepair.log.logged.position", "the primary's last logged position",
                s -> positions(s, PrimaryStatus.Positions::logged));
        gauge(registry, "sitepair.log.sent.position", "the last position the primary sent to its backup",
                s -> positions(s, PrimaryStatus.Positions::sent));
        gauge(registry, "sitepair.log.acknowledged.position", "the last position the backup acknowledged holding",
                s -> positions(s, PrimaryStatus.Positions::acknowledged));
        gauge(registry, "sitepair.log.received.position", "the last position this backup received",
                s -> s instanceof BackupStatus b ? b.positions().received() : Double.NaN);
        gauge(registry, "sitepair.log.replayed.position", "the last position the backup replayed",
                s -> switch (s) {
                    case PrimaryStatus p when p.positions() != null -> p.positions().replayed();
                    case BackupStatus b -> b.positions().replayed();
                    default -> Double.NaN;
                });
        gauge(registry, "sitepair.replay.lag.seconds", "how far the backup's replay runs behind the primary",
                s -> primary(s, p -> p.lagMs() == null ? Double.NaN : p.lagMs() / 1000.0));
        gauge(registry, "sitepair.replay.lag.target.seconds", "the lag above which the primary slows its guest",
                s -> lagTarget.toNanos() / 1e9);
        gauge(registry, "sitepair.lag.slowdown.ratio", "how much lag control slows event delivery (0: not at all)",
                s -> primary(s, p -> p.slowdownPercent() == null ? Double.NaN : p.slowdownPercent() / 100.0));
        counter(registry, "sitepair.log.raw.bytes", "log bytes before compression",
                s -> logging(s, PrimaryStatus.Logging::rawBytes));
        counter(registry, "sitepair.log.wire.bytes", "log bytes on the wire, after compression",
                s -> logging(s, PrimaryStatus.Logging::wireBytes));
        counter(registry, "sitepair.log.batches", "log batches sent", s -> logging(s, PrimaryStatus.Logging::batches));
        counter(registry, "sitepair.flow.control.pauses", "times the full log buffer paused event delivery",
                s -> logging(s, PrimaryStatus.Logging::flowControlPauses));
        gauge(registry, "sitepair.log.compression.ratio", "raw over wire bytes (above 1: compression saves)",
                s -> primary(s, p -> p.logging() == null ? Double.NaN : p.logging().compressionRatio()));
        gauge(registry, "sitepair.log.buffered.bytes", "log held for the backup (primary) or for replay (backup)",
                s -> switch (s) {
                    case PrimaryStatus p when p.logging() != null -> p.logging().bufferedBytes();
                    case BackupStatus b -> b.logging().bufferedBytes();
                    default -> Double.NaN;
                });
        gauge(registry, "sitepair.log.buffer.limit.bytes", "the bound on the log held",
                s -> switch (s) {
                    case PrimaryStatus p when p.logging() != null -> p.logging().bufferLimit();
                    case BackupStatus b -> b.logging().bufferLimit();
                    default -> Double.NaN;
                });
    }

    private void bindResync(MeterRegistry registry) {
        gauge(registry, "sitepair.resync.planned.blocks", "blocks the resync under way copies; 0 if none",
                s -> switch (s) {
                    case PrimaryStatus p when copying(p) -> p.resync().plan().blocks();
                    case BackupStatus b when b.resync() != null -> b.resync().plannedBlocks();
                    default -> 0;
                });
        gauge(registry, "sitepair.resync.remaining.blocks", "blocks the resync under way has still to copy; 0 if"
                + " none", s -> switch (s) {
                    case PrimaryStatus p when copying(p) -> p.resync().plan().blocks() - p.resync().copiedBlocks();
                    case BackupStatus b when b.resync() != null ->
                            b.resync().plannedBlocks() - b.resync().copiedBlocks();
                    default -> 0;
                });
        gauge(registry, "sitepair.resync.copied.bytes", "data the resync under way copied so far; 0 if none",
                s -> switch (s) {
                    case PrimaryStatus p when copying(p) -> orZero(p.resync().copiedBytes());
                    case BackupStatus b when b.resync() != null -> b.resync().copiedBlocks() * BLOCK_BYTES;
                    default -> 0;
                });
        gauge(registry, "sitepair.resync.rate.bytes.per.second", "the live site's copy rate on the wire; NaN if"
                + " none", s -> s instanceof PrimaryStatus p && copying(p) ? orNaN(p.resync().rateBytesS())
                : Double.NaN);
        gauge(registry, "sitepair.last.reprotection.copy.seconds", "how long the last re-protection's copy took",
                s -> primary(s, p -> p.lastResync() == null ? Double.NaN : p.lastResync().tookMs() / 1000.0));
        gauge(registry, "sitepair.last.reprotection.pause.seconds", "how long the last re-protection paused the guest",
                s -> primary(s, p -> p.lastResync() == null ? Double.NaN : p.lastResync().pauseMs() / 1000.0));
    }

    private void bindQuorum(MeterRegistry registry) {
        gauge(registry, "sitepair.quorum.reachable", "1 while the site's ZooKeeper session is connected; NaN without"
                + " coordination", s -> {
                    String connection = switch (s) {
                        case PrimaryStatus p -> p.quorum();
                        case BackupStatus b -> b.quorum();
                        default -> null;
                    };
                    return connection == null || connection.startsWith("none") ? Double.NaN
                            : connection.equals("connected") ? 1 : 0;
                });
        if (quorum != null) {
            Gauge.builder("sitepair.quorum.peers.up", this, m -> m.quorum.get().serving().size())
                    .description("quorum members serving (leader or follower)").tags(tags).strongReference(true)
                    .register(registry);
            Gauge.builder("sitepair.quorum.peers", this, m -> m.quorum.get().ensembleSize())
                    .description("quorum members configured").tags(tags).strongReference(true).register(registry);
        }
    }

    /** Network mode nic: the serving site's virtual NIC. NaN (gauges) or 0 (counters) on any other site. */
    private void bindNic(MeterRegistry registry) {
        gauge(registry, "sitepair.nic.link.up", "a serving site in network mode nic: 1 while its NIC's link is up"
                + " and read, else 0", s -> nic(s) == null ? Double.NaN : nic(s).linkUp() ? 1 : 0);
        for (String direction : List.of("in", "out")) {
            boolean in = direction.equals("in");
            counter(registry, Tags.of("direction", direction), "sitepair.nic.frames", "frames the NIC's TAP device"
                    + " passed", s -> tap(s, t -> in ? t.framesIn() : t.framesOut()));
            counter(registry, Tags.of("direction", direction), "sitepair.nic.bytes", "bytes the NIC's TAP device"
                    + " passed", s -> tap(s, t -> in ? t.bytesIn() : t.bytesOut()));
        }
        String dropped = "sitepair.nic.dropped.frames";
        String droppedMeaning = "frames dropped, by where (tap, host, guest) and why";
        counter(registry, drop("tap", "in"), dropped, droppedMeaning, s -> tap(s, NicStatus.TapCounters::droppedIn));
        counter(registry, drop("tap", "out"), dropped, droppedMeaning, s -> tap(s, NicStatus.TapCounters::droppedOut));
        counter(registry, drop("host", "oversized"), dropped, droppedMeaning,
                s -> nic(s) == null ? 0 : nic(s).hostDropped().oversized());
        counter(registry, drop("host", "unsent"), dropped, droppedMeaning,
                s -> nic(s) == null ? 0 : nic(s).hostDropped().unsent());
        for (String reason : NicStatus.Guest.DROP_REASONS) {
            counter(registry, drop("guest", reason), dropped, droppedMeaning,
                    s -> guest(s, g -> g.dropped().getOrDefault(reason, 0L)));
        }
        gauge(registry, "sitepair.nic.connections", "the guest stack's open connections, half-open included",
                s -> guest(s, NicStatus.Guest::connectionsOpen, Double.NaN));
        gauge(registry, "sitepair.nic.buffer.bytes", "the guest stack's send buffers and out-of-order segments",
                s -> guest(s, NicStatus.Guest::bufferBytes, Double.NaN));
        counter(registry, "sitepair.nic.connections.accepted", "connections the guest's stack accepted",
                s -> guest(s, NicStatus.Guest::connectionsAccepted));
        counter(registry, "sitepair.nic.refused.connections", "connections the guest's stack refused at its limits",
                s -> guest(s, NicStatus.Guest::refusedLimit));
        counter(registry, "sitepair.nic.retransmits", "TCP segments the guest's stack sent again",
                s -> guest(s, NicStatus.Guest::retransmits));
        counter(registry, "sitepair.nic.fast.retransmits", "of those, fast retransmits",
                s -> guest(s, NicStatus.Guest::fastRetransmits));
        counter(registry, "sitepair.nic.connection.timeouts", "connections the guest's stack gave up retransmitting",
                s -> guest(s, NicStatus.Guest::timeouts));
        counter(registry, "sitepair.nic.resets.sent", "TCP resets the guest's stack sent",
                s -> guest(s, NicStatus.Guest::resetsSent));
        counter(registry, "sitepair.nic.resets.received", "TCP resets that closed a connection of the guest's stack",
                s -> guest(s, NicStatus.Guest::resetsReceived));
    }

    private static Tags drop(String where, String reason) {
        return Tags.of("where", where, "reason", reason);
    }

    private static NicStatus nic(SiteStatus s) {
        return s instanceof PrimaryStatus p ? p.nic() : null;
    }

    private static double tap(SiteStatus s, ToDoubleFunction<NicStatus.TapCounters> figure) {
        return nic(s) == null || nic(s).tapCounters() == null ? 0 : figure.applyAsDouble(nic(s).tapCounters());
    }

    /** A counter of the guest's stack: 0 where there is none. */
    private static double guest(SiteStatus s, ToDoubleFunction<NicStatus.Guest> figure) {
        return guest(s, figure, 0);
    }

    /** A figure of the guest's stack, {@code absent} where there is none (no NIC, or a halted guest). */
    private static double guest(SiteStatus s, ToDoubleFunction<NicStatus.Guest> figure, double absent) {
        return nic(s) == null || nic(s).guest() == null ? absent : figure.applyAsDouble(nic(s).guest());
    }

    private static boolean copying(PrimaryStatus p) {
        return p.resync() != null && p.resync().phase() == ResyncStatus.Phase.COPYING && p.resync().plan() != null;
    }

    private static double primary(SiteStatus s, ToDoubleFunction<PrimaryStatus> figure) {
        return s instanceof PrimaryStatus p ? figure.applyAsDouble(p) : Double.NaN;
    }

    /** A serving site's log position; NaN for any other, or one that could not answer from its event loop. */
    private static double positions(SiteStatus s, ToDoubleFunction<PrimaryStatus.Positions> figure) {
        return s instanceof PrimaryStatus p && p.positions() != null ? figure.applyAsDouble(p.positions()) : Double.NaN;
    }

    private static double logging(SiteStatus s, ToDoubleFunction<PrimaryStatus.Logging> figure) {
        return s instanceof PrimaryStatus p && p.logging() != null ? figure.applyAsDouble(p.logging()) : 0;
    }

    private static DiskStatus disks(SiteStatus s) {
        return switch (s) {
            case PrimaryStatus p -> p.disks();
            case BackupStatus b -> b.disks();
            default -> null;
        };
    }

    private static double orNaN(Number value) {
        return value == null ? Double.NaN : value.doubleValue();
    }

    private static double orZero(Number value) {
        return value == null ? 0 : value.doubleValue();
    }

    private Map<String, Double> readExpiries() {
        Map<String, Double> expiry = new LinkedHashMap<>();
        certificates.forEach((label, file) -> {
            try {
                expiry.put(label, CertificateExpiry.expires(PemFiles.readCertificates(file).getFirst())
                        .getEpochSecond() * 1.0);
            } catch (TlsException | NoSuchElementException e) {
                // left out: the gauge reads NaN, and the site's log and status say why the file is unreadable
            }
        });
        return expiry;
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<SiteStatus> value) {
        gauge(registry, Tags.empty(), name, description, value);
    }

    private void gauge(MeterRegistry registry, Tags more, String name, String description,
                       ToDoubleFunction<SiteStatus> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.status.get())).description(description)
                .tags(tags.and(more)).strongReference(true).register(registry);
    }

    /** A counter of the current status's figure, which starts again from 0 when the site takes a new role. */
    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<SiteStatus> value) {
        counter(registry, Tags.empty(), name, description, value);
    }

    private void counter(MeterRegistry registry, Tags more, String name, String description,
                         ToDoubleFunction<SiteStatus> value) {
        FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.status.get())).description(description)
                .tags(tags.and(more)).register(registry);
    }
}
