package io.sitepair.ops.chaos;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fault campaign on a running pair: cycle after cycle, a client workload runs while a fault
 * is injected, held and healed; the pair must be protected again within a bound, and then the
 * cycle's history, the disks (online verify) and the logs are checked.
 */
final class Campaign {
    private static final int CLIENTS = 4;
    private static final Duration WARM_UP = Duration.ofSeconds(1);
    /** How long the pair must stay protected after a heal to count: a claim may still be under way. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    record Settings(long seed, List<String> kinds, Duration hold, Duration protectTimeout, FailedCycles failed) {}

    private final ChaosPair pair;
    private final NetworkLab network;
    private final LiveRecordWatcher watcher;
    private final LogScanner logs;
    private final Settings settings;
    private final PrintWriter out;
    private final InstantSource clock;
    private final PairChecks checks;
    private final FailedCycles failedCycles;
    private final AtomicInteger processes = new AtomicInteger();
    private final Map<String, InetSocketAddress> services = new HashMap<>();
    final List<CycleResult> results = new ArrayList<>();

    Campaign(ChaosPair pair, NetworkLab network, LiveRecordWatcher watcher, Settings settings, InstantSource clock,
            PrintWriter out) {
        this.pair = pair;
        this.clock = clock;
        this.checks = new PairChecks(pair);
        this.failedCycles = settings.failed();
        this.network = network;
        this.watcher = watcher;
        this.settings = settings;
        this.out = out;
        List<Path> files = new ArrayList<>();
        for (String node : ChaosPair.NODES) {
            files.add(pair.log(node, "out"));
            files.add(pair.log(node, "err"));
        }
        this.logs = new LogScanner(files);
        for (String site : ChaosPair.SITES) {
            services.put(site, pair.service(site));
        }
    }

    /** Runs every cycle; stops early (the exception says why) only if the pair cannot be brought back. */
    void run() throws Exception {
        Random seeds = new Random(settings.seed());
        for (int k = 1; k <= settings.kinds().size(); k++) {
            long cycleSeed = seeds.nextLong();
            Random random = new Random(cycleSeed);
            Fault fault = Fault.of(settings.kinds().get(k - 1), random);
            CycleResult result = cycle(k, fault, random);
            results.add(result);
            out.printf("cycle %d/%d %-16s %s: %d acked, unavailable %.1f s, %s: %s%n", k, settings.kinds().size(),
                    fault.kind(), result.fault(), result.acknowledged(), result.unavailableMillis() / 1000,
                    Double.isNaN(result.protectedAfterMillis()) ? "NOT protected again"
                            : String.format("protected after %.1f s", result.protectedAfterMillis() / 1000),
                    result.failed() ? "FAILED " + summary(result.violations()) : "ok");
            out.flush();
        }
    }

    private CycleResult cycle(int k, Fault fault, Random random) throws Exception {
        String primary = pair.awaitProtected(Duration.ofSeconds(10));
        if (primary == null) {
            throw new IllegalStateException("the pair is not protected at the start of cycle " + k + ": "
                    + pair.describe());
        }
        Fault.Targets targets = new Fault.Targets(pair, network, primary, other(primary));
        String description = fault.describe(targets);
        List<Violation> violations = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        History history = new History(clock);
        long startedWall = wallNanos();
        Workload load = new Workload(history, "c" + k, services, primary, CLIENTS, random.nextLong(), processes);
        String live;
        double protectedAfter;
        try (load) {
            Thread.sleep(WARM_UP.toMillis());
            try {
                fault.inject(targets);
            } catch (Exception refused) { // a switchover or a drill the pair refused: a finding, and heal anyway
                violations.add(new Violation("inject-failed", fault.kind() + ": " + refused.getMessage()));
            }
            if (!(fault instanceof Fault.Switchover) && !(fault instanceof Fault.Flap)) {
                Thread.sleep(settings.hold().toMillis());
            }
            fault.heal(targets);
            long healed = System.nanoTime();
            // A superseded site's halt is by design after a fault that cut it off, never after a switchover.
            boolean haltsExpected = !(fault instanceof Fault.Switchover);
            Protected settled = awaitProtected(fault, haltsExpected, SETTLE, violations, notes);
            live = settled == null ? null : settled.primary();
            protectedAfter = settled == null ? Double.NaN : (settled.sinceNanos() - healed) / 1e6;
            if (live != null && (fault instanceof Fault.Switchover || random.nextInt(4) == 0)) {
                // A planned switchover in between: a process that has switched over is where the first bug hid.
                description += "; then switchover " + live + " -> " + other(live);
                switchover(live, violations);
                live = primary(awaitProtected(fault, false, Duration.ZERO, violations, notes));
            }
            Thread.sleep(WARM_UP.toMillis());
        }
        long stoppedWall = wallNanos();
        if (live == null) {
            violations.add(new Violation("stuck", "not protected within " + settings.protectTimeout().toSeconds()
                    + " s of the heal: " + pair.describe()));
            live = recover(k);
        } else {
            live = primary(awaitProtected(fault, false, Duration.ZERO, violations, notes)); // it may have changed since
            if (live == null) {
                violations.add(new Violation("stuck", "no longer protected once the workload stopped: "
                        + pair.describe()));
                live = recover(k);
            }
        }
        Long epoch = pair.status(live).epoch();
        List<Operation> operations = history.operations();
        Map<String, String> finalReads = checks.finalReads(live, operations, violations);
        if (finalReads != null) {
            violations.addAll(HistoryChecks.check(operations, finalReads, watcher.records(), load.hotKeys,
                    load.counterKeys));
        }
        checks.verify(live, violations);
        checks.checkNoFailover(live, epoch, violations);
        if (awaitProtected(fault, false, Duration.ZERO, violations, notes) == null) {
            violations.add(new Violation("stuck", "not protected again after the cycle's checks: " + pair.describe()));
            recover(k);
        }
        for (LogScanner.Trace trace : logs.newTraces()) {
            if (trace.excused() == null) {
                violations.add(new Violation("stack-trace", trace.toString()));
            }
        }
        long acknowledged = operations.stream().filter(o -> isWrite(o) && o.outcome() == Operation.Outcome.OK).count();
        if (!notes.isEmpty()) {
            description += " [" + String.join("; ", notes) + "]";
        }
        CycleResult result = new CycleResult(k, fault.kind(), description, acknowledged, violations,
                longestGapMillis(operations, startedWall, stoppedWall), protectedAfter);
        if (result.failed()) {
            failedCycles.keep(result, history);
        }
        return result;
    }

    /** A protected pair as observed: its primary, and since when ({@link System#nanoTime}) it has been so. */
    private record Protected(String primary, long sinceNanos) {}

    private static String primary(Protected p) {
        return p == null ? null : p.primary();
    }

    /**
     * Waits until a site is primary and protected, its backup and the quorum's record agreeing,
     * and has stayed so (same primary, same epoch) for {@code stableFor}: just after a heal the
     * old view may still show while a claim is under way. Meanwhile a node whose process ended is
     * started again so the campaign can go on; the end is a violation unless it was a superseded
     * site's designed halt and {@code haltsExpected}.
     */
    private Protected awaitProtected(Fault fault, boolean haltsExpected, Duration stableFor, List<Violation> violations,
            List<String> notes) throws Exception {
        long deadline = System.nanoTime() + settings.protectTimeout().toNanos();
        String seen = null;
        long since = 0;
        while (System.nanoTime() < deadline) {
            for (String node : ChaosPair.NODES) {
                Integer exit = pair.exitCode(node);
                if (exit != null) {
                    String reason = pair.exitReason(node);
                    if (haltsExpected && reason.contains("must not serve")) {
                        notes.add(node + " halted, superseded (by design); restarted");
                    } else {
                        violations.add(new Violation("exited", node + " exited (code " + exit + ") in the "
                                + fault.kind() + " cycle" + (haltsExpected ? "" : ", the fault healed") + ": "
                                + reason));
                    }
                    pair.start(node);
                }
            }
            String primary = pair.protectedPrimary();
            HistoryChecks.LiveRecord record = watcher.latest();
            boolean agreed = primary != null && record != null && record.liveSite().equals(primary);
            String state = agreed ? primary + "@" + record.epoch() : null;
            if (state != null && !state.equals(seen)) {
                since = System.nanoTime();
            }
            seen = state;
            if (state != null && System.nanoTime() - since >= stableFor.toNanos()) {
                return new Protected(primary, since);
            }
            Thread.sleep(200);
        }
        return null;
    }

    /** A planned switchover of a protected pair; refused or failed, it is a violation. */
    private void switchover(String live, List<Violation> violations) {
        try {
            Switchovers.run(pair, live, other(live));
        } catch (Exception e) {
            violations.add(new Violation("switchover", e.getMessage()));
        }
    }

    /** After a stuck cycle: every site restarted; the next cycle needs a protected pair. */
    private String recover(int k) throws Exception {
        out.printf("cycle %d: the pair is stuck (%s); restarting both sites%n", k, pair.describe());
        out.flush();
        for (String site : ChaosPair.SITES) {
            pair.kill(site);
        }
        for (String node : ChaosPair.NODES) {
            if (!pair.alive(node)) {
                pair.start(node);
            }
        }
        String live = pair.awaitProtected(settings.protectTimeout());
        if (live == null) {
            throw new IllegalStateException("the pair is not protected even after a restart of both sites: "
                    + pair.describe());
        }
        return live;
    }

    /** The longest stretch without an acknowledged write, from the workload's start to its end. */
    static double longestGapMillis(List<Operation> operations, long fromNanos, long toNanos) {
        long[] acks = operations.stream().filter(o -> isWrite(o) && o.outcome() == Operation.Outcome.OK)
                .mapToLong(Operation::completeNanos).sorted().toArray();
        long previous = fromNanos;
        long longest = 0;
        for (long ack : acks) {
            longest = Math.max(longest, ack - previous);
            previous = ack;
        }
        return Math.max(longest, toNanos - previous) / 1e6;
    }

    private static boolean isWrite(Operation o) {
        return o.kind() != Operation.Kind.GET;
    }

    private static String summary(List<Violation> violations) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        violations.forEach(v -> counts.merge(v.check(), 1, Integer::sum));
        StringBuilder s = new StringBuilder();
        counts.forEach((check, n) -> s.append(s.isEmpty() ? "" : ", ").append(check).append(' ').append(n));
        return s + " (first: " + violations.getFirst().detail() + ")";
    }

    static String other(String site) {
        return site.equals("a") ? "b" : "a";
    }

    private long wallNanos() {
        var now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
