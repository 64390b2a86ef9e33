package io.sitepair.ops.drill;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.drill.report.DrillReport;
import io.sitepair.ops.lab.WriteLoad;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The drill's built-in writer: a few Redis clients writing distinct keys under
 * {@code sitepair:drill:<id>:} to the live site's service, following it to the other site when it
 * goes away, and keeping a ledger of every write acknowledged. At the end the ledger is read back
 * from the site then live: a key missing is an acknowledged write lost.
 */
final class DrillWorkload implements AutoCloseable {
    static final int WRITERS = 2;

    private final DrillRun run;
    private final Map<String, InetSocketAddress> services = new LinkedHashMap<>();
    private final WriteLoad load;
    private final Runnable undo = this::close;

    /** Starts writing to {@code live}'s service. */
    DrillWorkload(DrillRun run, String live, String id) {
        this.run = run;
        PairConfig pair = run.pair();
        pair.siteNames().forEach(site -> services.put(site, pair.site(site).service()));
        this.load = new WriteLoad(WRITERS, "sitepair:drill:" + id, services, live);
        run.onAbort(undo);
    }

    WriteLoad load() {
        return load;
    }

    /** Waits for {@code n} acknowledged writes, so the drill starts with the workload running. */
    void awaitRunning(int n) {
        load.awaitAcknowledged(n, 30);
        run.step("workload", WRITERS + " clients writing to site " + load.live() + " at "
                + services.get(load.live()).getHostString() + ":" + services.get(load.live()).getPort()
                + "; " + load.acknowledged().size() + " writes acknowledged so far");
    }

    /**
     * Stops writing and reads the ledger back from {@code live}: the workload's figures, with the
     * longest pause a client saw ({@code unavailableMs}, NaN if not measured).
     */
    DrillReport.Workload finish(String live, double unavailableMs) {
        close();
        long lost = WriteLoad.missing(load.acknowledged(), services.get(live));
        long acknowledged = load.acknowledged().size();
        if (lost == 0) {
            run.step("ledger checked", "all " + acknowledged + " acknowledged writes are on site " + live);
        } else {
            run.failed("ledger checked", lost + " of " + acknowledged + " acknowledged writes are NOT on site " + live);
        }
        run.objective("RPO", "0", lost, lost + " acknowledged writes lost of " + acknowledged,
                lost == 0 ? DrillReport.Verdict.MET : DrillReport.Verdict.MISSED);
        DrillReport.Workload figures = new DrillReport.Workload(acknowledged, lost, unavailableMs);
        run.workload(figures);
        return figures;
    }

    @Override
    public void close() {
        load.close();
        run.done(undo);
    }
}
