package io.sitepair.replicator.pair;

import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.InMemoryQuorum;
import io.sitepair.tiebreaker.InMemoryTiebreaker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One seeded run of the pair under faults, in the manner of FoundationDB's simulator and
 * TigerBeetle's VOPR: one thread, the {@link SimClock}, a {@link SimNetwork} that delays, drops,
 * duplicates, reorders and partitions, crashes and restarts of either site, and the quorum lost
 * and regained (whole, or for one site), with a planned switchover now and then. The
 * {@link PairInvariants} are checked at every step. After the faults end, the pair must serve
 * again. Everything random comes from the seed, so a failing seed replays exactly.
 */
final class PairSimulation {
    static final long FAULTS_FOR_MS = 20_000;
    static final long SETTLE_MS = 40_000; // beyond a switchover's 30 s wait
    private static final long SESSION_TIMEOUT_MS = 2_000;
    /** Held, so that turning the pair's logging down lasts (java.util.logging keeps loggers weakly). */
    private static final Logger PAIR_LOG = Logger.getLogger("io.sitepair");

    /** What one seed did. */
    record Outcome(long seed, String violation, long released, long epochs, long steps, List<String> trace) {
        boolean passed() {
            return violation == null;
        }
    }

    private final long seed;
    private final Random random;
    private final SimPair pair;
    private final SimClock clock;
    private final InMemoryQuorum quorum;
    private final SimNetwork network;
    private final List<SimSite> sites;
    private final boolean[] restartPending = new boolean[2];
    private final List<String> trace = new ArrayList<>();
    private int networkCuts;
    private int quorumLosses;

    private PairSimulation(long seed, SimSite.Mutation mutation) {
        this.seed = seed;
        this.random = new Random(seed);
        SimNetwork.Weather weather = new SimNetwork.Weather(random.nextDouble() * 0.05, random.nextDouble() * 0.05,
                1, 2 + random.nextInt(40));
        this.pair = new SimPair(random, weather, mutation);
        this.clock = pair.clock;
        this.quorum = pair.quorum;
        this.network = pair.network;
        this.sites = pair.sites();
        trace("weather: " + weather);
    }

    /** Runs {@code seed}; with {@code logged}, the sites log as a real pair does (for replaying a failure). */
    static Outcome run(long seed, SimSite.Mutation mutation, boolean logged) {
        Level before = PAIR_LOG.getLevel();
        PAIR_LOG.setLevel(logged ? Level.INFO : Level.OFF);
        try {
            PairSimulation simulation = new PairSimulation(seed, mutation);
            if (logged) {
                simulation.traceStates();
            }
            return simulation.run();
        } finally {
            PAIR_LOG.setLevel(before);
        }
    }

    private Outcome run() {
        PairInvariants invariants = pair.invariants;
        scheduleFaults();
        clock.after(FAULTS_FOR_MS * SimClock.MS, this::healAll);
        operator();
        long steps = pair.runUntil((FAULTS_FOR_MS + SETTLE_MS / 2) * SimClock.MS);
        long releasedHalfwayThroughSettling = invariants.releasedCount();
        steps += pair.runUntil((FAULTS_FOR_MS + SETTLE_MS) * SimClock.MS);
        if (invariants.violation() == null && invariants.releasedCount() <= releasedHalfwayThroughSettling) {
            invariants.fail("the pair does not serve again once the faults end: " + sites);
        }
        long epochs = quorum.record().map(EpochRecord::epoch).orElse(0L);
        return new Outcome(seed, invariants.violation(), invariants.releasedCount(), epochs, steps, trace);
    }

    private void scheduleFaults() {
        long at = 500;
        while (at < FAULTS_FOR_MS) {
            long when = at;
            long lasting = 100 + random.nextInt(3000);
            int kind = random.nextInt(6);
            clock.after(when * SimClock.MS, () -> fault(kind, lasting));
            at += 200 + random.nextInt(1500);
        }
    }

    private void fault(int kind, long lastingMs) {
        SimSite site = sites.get(random.nextInt(2));
        switch (kind) {
            case 0 -> {
                if (site.up()) {
                    trace("crash " + site);
                    site.crash();
                }
            }
            case 1 -> {
                trace("network partitioned for " + lastingMs + " ms");
                networkCuts++;
                network.partition(true);
                later(lastingMs, () -> {
                    if (--networkCuts == 0) {
                        network.partition(false);
                    }
                });
            }
            case 2 -> {
                trace("quorum lost for " + lastingMs + " ms");
                quorumLosses++;
                quorum.loseQuorum();
                expireIfLonger(lastingMs);
                later(lastingMs, () -> {
                    if (--quorumLosses == 0) {
                        quorum.regainQuorum();
                    }
                });
            }
            case 3 -> {
                if (site.up()) {
                    InMemoryTiebreaker handle = site.tiebreaker();
                    trace(site + " cut off from the quorum for " + lastingMs + " ms");
                    quorum.partition(handle);
                    expireIfLonger(lastingMs);
                    later(lastingMs, () -> heal(handle));
                }
            }
            case 4 -> {
                if (site.switchOver()) {
                    trace("switchover asked of " + site);
                }
            }
            default -> { } // a quiet spell
        }
    }

    private void expireIfLonger(long lastingMs) {
        if (lastingMs > SESSION_TIMEOUT_MS) {
            later(SESSION_TIMEOUT_MS, quorum::expireSessions);
        }
    }

    private void heal(InMemoryTiebreaker handle) {
        try {
            quorum.heal(handle);
        } catch (IllegalArgumentException closed) {
            // the site restarted meanwhile, with a new handle
        }
    }

    private void healAll() {
        trace("faults end");
        networkCuts = 0;
        quorumLosses = 0;
        network.partition(false);
        quorum.regainQuorum();
        sites.stream().filter(SimSite::up).forEach(site -> heal(site.tiebreaker()));
    }

    /**
     * The site daemon's loop and the operator: a site that rejoins restarts at once, a halted or
     * crashed one after a while.
     */
    private void operator() {
        for (int i = 0; i < 2; i++) {
            SimSite site = sites.get(i);
            boolean ended = !site.up() || site.state().ended();
            if (ended && !restartPending[i]) {
                restartPending[i] = true;
                boolean rejoins = site.up() && site.state().role() == Role.STOPPED;
                int which = i;
                later(rejoins ? 10 + random.nextInt(100) : 300 + random.nextInt(2700), () -> {
                    restartPending[which] = false;
                    trace("restart " + site);
                    site.restart();
                });
            }
        }
        later(100, () -> operator());
    }

    /** For a replay: the sites' states every quarter of a second, between the faults. */
    private void traceStates() {
        trace(sites + ", " + network.delivered() + " messages delivered, " + pair.invariants.releasedCount()
                + " outputs released; " + sites.stream().filter(SimSite::up).map(SimSite::positions).toList());
        later(250, this::traceStates);
    }

    private void later(long ms, Runnable task) {
        clock.after(ms * SimClock.MS, task);
    }

    private void trace(String line) {
        trace.add(String.format("%8.3f s  %s", clock.nanos() / 1e9, line));
    }
}
