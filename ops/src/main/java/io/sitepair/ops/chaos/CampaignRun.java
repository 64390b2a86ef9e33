package io.sitepair.ops.chaos;

import io.sitepair.ops.config.TlsConfig;
import io.sitepair.ops.lab.Scratch;
import io.sitepair.ops.site.Coordination;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * One campaign from start to end: the network, the pair, the cycles, the clean power-off and the
 * report. Whatever happens (an exception, Ctrl-C), every process it started is killed and the
 * namespaces and bridge are removed.
 */
final class CampaignRun {
    private static final Duration FIRST_PROTECTION = Duration.ofSeconds(120);

    private final Path lab;
    private final Campaign.Settings settings;
    private final PrintWriter out;

    CampaignRun(Path lab, Campaign.Settings settings, PrintWriter out) {
        this.lab = lab;
        this.settings = settings;
        this.out = out;
    }

    /** Whether the whole campaign ran and found no violation. */
    boolean execute() throws Exception {
        NetworkLab network = NetworkLab.create();
        try {
            if (Files.exists(lab)) {
                Scratch.deleteTree(lab);
            }
            Files.createDirectories(lab);
        } catch (IOException e) {
            network.close();
            throw e;
        }
        ChaosPair pair = null;
        LiveRecordWatcher watcher = null;
        Campaign campaign = null;
        Thread cleanup = null;
        boolean completed = false;
        boolean poweredOff = false;
        try {
            pair = new ChaosPair(lab, network);
            ChaosPair started = pair;
            cleanup = new Thread(() -> {
                started.close();
                network.close();
            }, "chaos-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            for (String node : ChaosPair.NODES) {
                pair.start(node);
            }
            String primary = pair.awaitProtected(FIRST_PROTECTION);
            if (primary == null) {
                throw new IllegalStateException("the pair was not protected within " + FIRST_PROTECTION.toSeconds()
                        + " s of its start: " + pair.describe());
            }
            out.printf("pair up: %s primary and protected; witness on %s%n", primary,
                    NetworkLab.ADDRESSES.get("witness"));
            out.flush();
            watcher = new LiveRecordWatcher(pair.zookeeper(), pair.pair.pair(),
                    Coordination.peerTls(pair.pair, TlsConfig.OPERATOR));
            campaign = new Campaign(pair, network, watcher, settings, InstantSource.system(), out);
            campaign.run();
            completed = true;
            poweredOff = powerOff(pair);
        } catch (Exception e) {
            out.println("bench chaos: the campaign stopped: " + (e.getMessage() != null ? e.getMessage() : e));
            out.flush();
        } finally {
            if (watcher != null) {
                watcher.close();
            }
            if (pair != null) {
                pair.close();
            }
            network.close();
            if (cleanup != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
        }
        List<CycleResult> results = campaign == null ? List.of() : campaign.results;
        out.println();
        CampaignReport.print(out, results);
        return completed && poweredOff && results.stream().noneMatch(CycleResult::failed);
    }

    /** SIGTERM to the primary: it logs a power-off marker; its backup must stop at exactly the same state. */
    private boolean powerOff(ChaosPair pair) throws Exception {
        String primary = pair.protectedPrimary();
        if (primary == null) {
            out.println("power-off: FAILED: no protected primary at the end: " + pair.describe());
            return false;
        }
        String backup = Campaign.other(primary);
        long before = pair.stateLines(primary) + pair.stateLines(backup);
        pair.signal(primary, "TERM");
        boolean stopped = pair.awaitExit(primary, Duration.ofSeconds(60))
                & pair.awaitExit(backup, Duration.ofSeconds(60));
        String primaryState = pair.finalState(primary);
        String backupState = pair.finalState(backup);
        boolean fresh = pair.stateLines(primary) + pair.stateLines(backup) == before + 2;
        boolean equal = stopped && fresh && primaryState != null && primaryState.equals(backupState);
        out.printf("power-off of %s: %s%n", primary, equal ? "both sites ended in the same " + primaryState
                : "FAILED: " + (stopped ? "" : "not both stopped within 60 s; ") + primary + " " + primaryState + ", "
                        + backup + " " + backupState);
        out.flush();
        return equal;
    }
}
