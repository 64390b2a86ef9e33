package io.sitepair.replicator.pair;

import io.sitepair.replicator.nic.NicCounter;
import io.sitepair.replicator.nic.NicIdentity;
import io.sitepair.replicator.nic.NicSettings;
import io.sitepair.replicator.nic.TapDevice;
import io.sitepair.replicator.service.ServedRun;
import io.sitepair.replicator.status.NicStatus;
import io.sitepair.replicator.vm.GuestVm;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The virtual NIC's part of a serving site's status. */
final class NicReport {
    private NicReport() {}

    /**
     * {@code run}'s NIC; null in network mode socket. On the run's loop thread, between events:
     * the guest's counters are read through its exports.
     */
    static NicStatus of(ServedRun run) {
        NicSettings settings = run.nicSettings();
        if (settings == null) {
            return null;
        }
        NicIdentity identity = settings.identity();
        TapDevice.Counters tap = run.tapCounters();
        return new NicStatus(settings.tap(), settings.bridge(),
                identity.cidr(), identity.port(),
                identity.macText(), run.nicReading(),
                tap == null ? null : new NicStatus.TapCounters(tap.framesIn(), tap.bytesIn(), tap.framesOut(),
                        tap.bytesOut(), tap.droppedIn(), tap.droppedOut()),
                new NicStatus.HostDropped(run.oversizedFrames(), run.unsentFrames()),
                run.vm().status() == GuestVm.Status.RUNNING ? guest(run.vm().nicCounters()) : null);
    }

    private static NicStatus.Guest guest(long[] counters) {
        Map<String, Long> dropped = new LinkedHashMap<>();
        for (String reason : NicStatus.Guest.DROP_REASONS) { // each the counter DROPPED_<REASON>
            dropped.put(reason, NicCounter.valueOf("DROPPED_" + reason.toUpperCase(Locale.ROOT)).in(counters));
        }
        return new NicStatus.Guest(NicCounter.FRAMES_IN.in(counters), NicCounter.FRAMES_OUT.in(counters),
                NicCounter.CONNS_OPEN.in(counters), NicCounter.CONNS_ACCEPTED_TOTAL.in(counters),
                NicCounter.TCP_RETRANSMITS.in(counters), NicCounter.TCP_FAST_RETRANSMITS.in(counters),
                NicCounter.TCP_TIMEOUTS.in(counters), NicCounter.TCP_RESETS_SENT.in(counters),
                NicCounter.TCP_RESETS_RECEIVED.in(counters), NicCounter.TCP_REFUSED_LIMIT.in(counters),
                NicCounter.BUFFER_BYTES.in(counters), dropped);
    }
}
