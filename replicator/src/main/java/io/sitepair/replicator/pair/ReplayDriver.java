package io.sitepair.replicator.pair;

import io.sitepair.disk.DiskImage;
import io.sitepair.disk.GroupFlusher;
import io.sitepair.replicator.channel.LogReceiver;
import io.sitepair.replicator.channel.ReceivedLog;
import io.sitepair.replicator.channel.ShipLog;
import io.sitepair.replicator.drill.TestClones;
import io.sitepair.replicator.metrics.SiteMeters;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.vm.GuestFault;
import io.sitepair.replicator.vm.GuestVm;
import io.sitepair.replicator.vm.RealInputs;
import io.sitepair.replicator.vm.ReplayDivergence;
import io.sitepair.replicator.vm.Replayer;
import io.sitepair.replicator.vm.Snapshot;
import io.sitepair.replicator.vm.VmException;
import io.sitepair.replicator.vm.VmOptions;
import io.sitepair.replicator.vm.VmThread;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The replay driver, the body of the backup's replay {@link VmThread}: boots the VM replay starts
 * from (fresh at the epoch's start, or restored from the copy re-protection brought), replays the
 * received log onto the site's disks, taking entries from the bounded {@link ReceivedLog} and
 * waiting when it is empty, and when the log ends decides what follows: superseded, the site
 * rejoins; a switchover or a failed primary, it goes live ({@link GoLive}); the primary powered
 * off, or the site was stopped, it stops; replay diverged or failed, it halts and tells the primary.
 */
final class ReplayDriver implements Runnable {
    private final SiteSettings settings;
    private final ReceivedLog received;
    private final List<DiskImage> disks;
    private final SiteRecords records;
    private final VerifyTally verifyTally;
    private final LogReceiver receiver;
    private final Arbitration arbitration;
    private final Takeover takeover;
    private final GoLive goLive;
    private final ReplicaEnd end;
    private final TestClones clones;
    private volatile GuestVm replaying; // null until booted
    private volatile long replayed;
    private volatile long events;
    private volatile ReplicaCopy.Completed copied; // waiting for the replay thread to restore it

    /** {@code receiver} is the channel {@code received} arrives on; the driver reports a divergence on it. */
    ReplayDriver(SiteSettings settings, ReceivedLog received, List<DiskImage> disks, SiteRecords records,
                 VerifyTally verifyTally, LogReceiver receiver, Arbitration arbitration, Takeover takeover,
                 GoLive goLive, ReplicaEnd end) {
        this.settings = settings;
        this.received = received;
        this.disks = disks;
        this.records = records;
        this.verifyTally = verifyTally;
        this.receiver = receiver;
        this.arbitration = arbitration;
        this.takeover = takeover;
        this.goLive = goLive;
        this.end = end;
        this.clones = new TestClones(settings.site(), settings.module(), settings.vmOptions(), settings.dataDir(),
                settings.service(), received::received, this::wakeForClone);
    }

    /** The backup's test clones, taken between two events of this replay. */
    TestClones testClones() {
        return clones;
    }

    /** A replay thread waiting for the quiet primary's next entry looks at a clone request now. */
    private void wakeForClone() {
        GuestVm vm = replaying;
        if (vm != null) {
            received.interject(() -> {
                if (vm.betweenEvents()) {
                    clones.atEventBoundary(vm);
                }
            });
        }
    }

    /** The last log position replayed; 0 before any. */
    long replayed() {
        return replayed;
    }

    /** The events delivered to the guest so far. */
    long eventsDelivered() {
        return events;
    }

    /** Replay starts from {@code copy}, with the log entries after its position; from the network loop. */
    void startFrom(ReplicaCopy.Completed copy) {
        copied = copy;
        received.startAfter(copy.position());
    }

    /** Whether a completed copy waits for replay to restore it. */
    boolean copyWaiting() {
        return copied != null;
    }

    @Override
    public void run() {
        boolean handedOver = false;
        SiteMeters meters = settings.meters();
        try (GroupFlusher flusher = new GroupFlusher("sitepair-backup-flush", ticket -> {}, meters::disksFlushed)) {
            GuestVm vm = bootForReplay();
            if (vm == null) {
                end.withoutReplay();
                return;
            }
            // The backup's flushes need not be waited for: no output leaves here.
            vm.flushDisksWith(flusher::request);
            flusher.start();
            Replayer replayer = new Replayer(vm, received).onDiskCheck(verifyTally)
                    .onStateCheckPassed(meters::stateCheckPassed);
            ServedRun.Handover handover = new ServedRun.Handover();
            ShipLog liveLog = new ShipLog(RealInputs.WallClock.SYSTEM::nanos);
            if (arbitration.enabled()) {
                // The log may end inside a handler; the VM then goes on recording for its own backup.
                vm.recordAtEndOfLog(RealInputs.system(), handover, liveLog, settings.identity().loggedReads());
            }
            replaying = vm;
            Replayer.Result result;
            try {
                result = replayer.run(v -> {
                    replayed = v.position();
                    events = v.eventsDelivered();
                    clones.atEventBoundary(v);
                    return true;
                });
            } catch (Exception | Error e) {
                clones.close("the backup's replay failed (" + e.getMessage() + ")");
                throw e;
            }
            replayed = result.lastPosition();
            clones.close(whyReplayEnded(result));
            flusher.close();
            if (end.superseded()) {
                end.rejoin(HexFormat.of().formatHex(vm.stateHash()));
                return;
            }
            boolean switchover = result.switchover() && arbitration.enabled();
            if (switchover || takeover.primaryFailed() && !result.poweredOff()) {
                if (switchover) {
                    receiver.stop(); // the primary delivers nothing after the marker; acknowledge nothing more
                }
                handedOver = goLive.claim(vm, result.lastPosition(), handover, liveLog, System.nanoTime());
                return;
            }
            end.stopped(result.poweredOff() ? "the primary powered off cleanly at position " + result.lastPosition()
                    + "; this backup stopped there too and will not go live"
                    : "stopped at position " + result.lastPosition(), HexFormat.of().formatHex(vm.stateHash()));
        } catch (ReplayDivergence e) {
            meters.diverged();
            receiver.reportDivergence(e.position(), "replay diverged: " + e.getMessage());
            String why = "replay diverged at log position " + e.position() + ": " + e.getMessage();
            end.halted(why, new SiteHalted(why, e));
        } catch (VmException e) {
            // A disk that fails under replay fails the backup: the primary goes on alone at once.
            if (e instanceof GuestFault) {
                meters.guestFaulted();
            }
            receiver.reportDivergence(replayed, "failed: " + e.getMessage());
            end.halted(e.getMessage(), new SiteHalted(e.getMessage(), e));
        } catch (Exception | Error e) {
            end.halted("replay failed: " + e, e);
        } finally {
            clones.close("the backup's replay ended");
            if (!handedOver) {
                end.afterReplay();
            }
        }
    }

    /** Why a replay that ended normally ended, for a test clone that ends with it. */
    private String whyReplayEnded(Replayer.Result result) {
        if (end.superseded()) {
            return "the backup rejoins the pair";
        }
        if (result.switchover() && arbitration.enabled()) {
            return "the backup goes live: the primary switches over to it";
        }
        if (takeover.primaryFailed() && !result.poweredOff()) {
            return "the backup goes live: the primary failed";
        }
        return "the backup stops";
    }

    /**
     * The VM replay starts from: booted fresh when the log starts at the beginning, or restored
     * from the copy re-protection brought (checked against the primary's state hash); null if the
     * log ended before anything arrived.
     */
    private GuestVm bootForReplay() throws IOException {
        VmOptions options = settings.vmOptions().withWriteStamps(records.stamps(settings.meters()));
        if (!received.awaitStart()) {
            if (received.received() == 0) {
                return null; // ended before anything arrived: the disks (maybe mid-copy) stay as they are
            }
            // Replaying the epoch from its start: this site's disks follow it from here.
            records.enter(settings.epoch(), settings.epochStart(), settings.epochPrimary());
            return GuestVm.create(settings.module(), options, disks);
        }
        ReplicaCopy.Completed copy = copied;
        copied = null; // the state can be large: hold it no longer than needed
        GuestVm vm = Snapshot.restoreState(settings.module(), options, disks, copy.state(),
                copy.position(), copy.events());
        if (!Arrays.equals(vm.vmStateHash(), copy.stateHash())) {
            throw new ReplayDivergence(copy.position(), "the VM state copied from the primary does not hash to the"
                    + " primary's state hash");
        }
        return vm;
    }
}
