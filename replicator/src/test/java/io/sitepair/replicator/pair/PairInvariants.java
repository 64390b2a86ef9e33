package io.sitepair.replicator.pair;

import io.sitepair.replicator.pair.SiteState.Disk;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.InMemoryQuorum;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pair protocol's safety properties, checked as the simulation runs: where an output leaves,
 * where a site goes live, and after every step. The first one broken is kept, with the time.
 */
final class PairInvariants {
    /** An output a client has seen: the entry (epoch written, position) that produced it. */
    private record Released(long epoch, long position) {}

    private final InMemoryQuorum quorum;
    private final SimClock clock;
    private final Map<String, SimSite> sites = new HashMap<>();
    private final Map<Long, String> releasingSite = new HashMap<>(); // epoch -> the one site releasing in it
    private final List<Released> released = new ArrayList<>();
    private String violation;

    PairInvariants(InMemoryQuorum quorum, SimClock clock) {
        this.quorum = quorum;
        this.clock = clock;
    }

    void watch(SimSite site) {
        sites.put(site.name, site);
    }

    /** {@code site}, in {@code epoch}, released the output of the entry at {@code position} written in {@code written}. */
    void released(SimSite site, long epoch, long written, long position, boolean outputRule) {
        String owner = releasingSite.putIfAbsent(epoch, site.name);
        if (owner != null && !owner.equals(site.name)) {
            fail("two sites release outputs in epoch " + epoch + ": '" + owner + "' and '" + site.name + "'");
        }
        if (outputRule && !sites.get(site.peerName).disk.holds(written, position)) {
            fail("Output Rule: " + site + " released the output of position " + position + " (epoch " + written
                    + ") which its backup does not hold");
        }
        released.add(new Released(written, position));
    }

    /** {@code site} starts serving in {@code epoch}: it must have won it, be consistent, and hold every output seen. */
    void wentLive(SimSite site, long epoch) {
        Optional<EpochRecord> record = quorum.record();
        if (record.isEmpty() || record.get().epoch() != epoch || !record.get().liveSite().equals(site.name)) {
            fail(site + " goes live in epoch " + epoch + " without having won it: the quorum holds " + record);
        }
        if (quorum.inconsistentSites().contains(site.name) || site.disk.inconsistent()) {
            fail(site + " goes live in epoch " + epoch + " with disks marked inconsistent");
        }
        for (Released output : released) {
            if (!site.disk.holds(output.epoch(), output.position())) {
                fail("acknowledged write lost: " + site + " goes live in epoch " + epoch + " without position "
                        + output.position() + " of epoch " + output.epoch() + ", whose output a client saw");
                return;
            }
        }
    }

    /** After every step of the simulation. */
    void afterStep() {
        for (SimSite site : sites.values()) {
            if (site.up() && site.state().role().serves()) {
                if (site.state().disk() != Disk.UP_TO_DATE || site.disk.inconsistent()) {
                    fail(site + " serves from disks that are not up to date");
                }
            }
        }
    }

    void fail(String what) {
        if (violation == null) {
            violation = String.format("at %.3f s: %s", clock.nanos() / 1e9, what);
        }
    }

    /** The first property broken, or null. */
    String violation() {
        return violation;
    }

    long releasedCount() {
        return released.size();
    }
}
