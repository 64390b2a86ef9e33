package io.sitepair.replicator.pair;

import io.sitepair.disk.DiskImage;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.pair.SiteState.Link;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.VmException;
import io.sitepair.tiebreaker.Tiebreaker;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup's go-live handover, on the replay thread once everything received is replayed: it
 * claims the next epoch ({@link Takeover#claim}) and acts on the outcome. Won, the site's lineage
 * enters the new epoch, the backup's network closes (the live site binds the same ports), the
 * replayed VM passes to a {@link PrimaryRole} that serves alone, and the go-live hook runs.
 */
final class GoLive {
    private static final Logger LOG = LoggerFactory.getLogger(GoLive.class);

    private final SiteSettings settings;
    private final Tiebreaker tiebreaker;
    private final SiteStateMachine role;
    private final CompletableFuture<String> finished;
    private final Consumer<PrimaryRole> wentLive;
    private final List<DiskImage> disks;
    private final SiteRecords records;
    private final Takeover takeover;
    private final ReplicaEnd end;
    private volatile long epoch;

    /** {@code finished} is the site's run, which the live site goes on with; {@code wentLive} is told of it. */
    GoLive(SiteSettings settings, Tiebreaker tiebreaker, SiteStateMachine role, CompletableFuture<String> finished,
           Consumer<PrimaryRole> wentLive, List<DiskImage> disks, SiteRecords records, Takeover takeover,
           ReplicaEnd end) {
        this.settings = settings;
        this.tiebreaker = tiebreaker;
        this.role = role;
        this.finished = finished;
        this.wentLive = wentLive;
        this.disks = disks;
        this.records = records;
        this.takeover = takeover;
        this.end = end;
        this.epoch = settings.epoch();
    }

    /** The epoch this site holds: its settings' until it wins the next. */
    long epoch() {
        return epoch;
    }

    /**
     * Claims the next epoch for {@code vm}, replayed to {@code position} at {@code replayDoneNanos}
     * and armed to record into {@code liveLog}, and on winning hands it to a live site; returns
     * whether it did. Otherwise the site's run ends here (halted or rejoining).
     */
    boolean claim(GuestVm vm, long position, ServedRun.Handover handover, ShipLog liveLog, long replayDoneNanos)
            throws Exception {
        String endpoint = settings.serviceEndpoint();
        Takeover.Outcome outcome = takeover.claim(epoch, position, endpoint, replayDoneNanos, end::stopping,
                end::superseded).get();
        switch (outcome) {
            case Takeover.Outcome.Abandoned() ->
                    throw new VmException("stopped while claiming epoch " + (epoch + 1) + "; did not go live");
            case Takeover.Outcome.Rejoin() -> {
                end.rejoin(HexFormat.of().formatHex(vm.stateHash()));
                return false;
            }
            case Takeover.Outcome.Halt(String why) -> {
                end.halted(why, new SiteHalted(why));
                return false;
            }
            case Takeover.Outcome.Live(long won) -> epoch = won;
        }
        records.enter(epoch, position, settings.site()); // before any write of the new epoch
        String failover = takeover.failover();
        end.closeNetworkNow(); // the live site binds the same channel ports to dial and re-protect the failed site
        String cause = !takeover.primaryFailed() ? "primary '" + settings.identity().peer() + "' switched over to this site"
                : "primary '" + settings.identity().peer() + "' failed";
        PrimaryRole live = PrimaryRole.takeOver(settings, tiebreaker, role, finished, epoch, vm, disks, handover,
                liveLog, records, cause);
        // Only now that clients can connect: status must not say live-alone before the service listens.
        role.change(s -> s.with(Role.LIVE_ALONE).with(Link.CONNECTING), cause + "; " + failover);
        wentLive.accept(live);
        if (takeover.primaryFailed()) {
            settings.meters().failedOver(takeover.took());
        } else {
            settings.meters().switchedOver();
        }
        String gone = "site '" + settings.site() + "' is " + failover + "; clients on " + endpoint
                + "; UNPROTECTED until site '" + settings.identity().peer() + "' rejoins";
        if (!takeover.primaryFailed()) {
            LOG.info("{}", gone);
        } else {
            LOG.warn("ALARM: {}", gone);
        }
        GoLiveHook.runAsync(settings.goLiveHook(), Map.of("SITEPAIR_PAIR", settings.identity().pair(),
                "SITEPAIR_SITE", settings.site(), "SITEPAIR_EPOCH", String.valueOf(epoch),
                "SITEPAIR_ENDPOINT", endpoint));
        return true;
    }
}
