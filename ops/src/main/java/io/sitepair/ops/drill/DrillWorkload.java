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
 *
 * <p>In network mode nic both sites serve one address and the clients keep their connections
 * across a switchover or failover: they write to that address only, wait out a failover for a
 * reply, and any reconnection is a connection the pair lost.
 */
final class DrillWorkload implements AutoCloseable {
    static final int WRITERS = 2;
    /** In mode nic a client waits for its reply through a failover (the failure timeout and the go-live). */
    private static final int NIC_REPLY_TIMEOUT_MS = 30_000;

    private final DrillRun run;
    private final Map<String, InetSocketAddress> services = new LinkedHashMap<>();
    private final WriteLoad load;
    private final boolean nic;
    private final Runnable undo = this::close;

    /** Starts writing to {@code live}'s service. */
    DrillWorkload(DrillRun run, String live, String id) {
        this.run = run;
        PairConfig pair = run.pair();
        pair.siteNames().forEach(site -> services.put(site, pair.site(site).service()));
        this.nic = pair.network().nic();
        String keys = "sitepair:drill:" + id;
        this.load = nic ? new WriteLoad(WRITERS, keys, Map.of(live, services.get(live)), live, NIC_REPLY_TIMEOUT_MS)
                : new WriteLoad(WRITERS, keys, services, live);
        run.onAbort(undo);
    }

    /** Whether the pair is in network mode nic: one service address, connections kept across a failover. */
    boolean nic() {
        return nic;
    }

    WriteLoad load() {
        return load;
    }

    /** Waits for {@code n} acknowledged writes, so the drill starts with the workload running. */
    void awaitRunning(int n) {
        load.awaitAcknowledged(n, 30);
        InetSocketAddress service = services.get(load.live());
        run.step("workload", WRITERS + " clients writing to " + (nic ? "the service" : "site " + load.live()) + " at "
                + service.getHostString() + ":" + service.getPort() + (nic ? " (site " + load.live() + " serves it)"
                : "") + "; " + load.acknowledged().size() + " writes acknowledged so far");
    }

    /**
     * Waits for a client's write that {@code site} acknowledged: in mode socket the first at its own
     * address at or after {@code since}; in mode nic, where the address says nothing of the site,
     * one acknowledged after this call, which the caller makes once it has seen {@code site} serve.
     */
    void awaitWriteServedBy(String site, long since) {
        long seenServing = run.nanos();
        WriteLoad.await(() -> nic ? load.acknowledgedSince(seenServing) : load.acknowledgedAfter(site, since), 60,
                "a write acknowledged by site " + site);
    }

    /**
     * Stops writing and reads the ledger back from {@code live}: the workload's figures, with the
     * longest pause a client saw ({@code unavailableMs}, NaN if not measured). Reports how often
     * the clients reconnected: in mode nic a reconnection is a connection the pair failed to keep.
     */
    DrillReport.Workload finish(String live, double unavailableMs) {
        close();
        Map<String, String> missing = WriteLoad.missingWrites(load.acknowledged(), services.get(live));
        long lost = missing.size();
        long acknowledged = load.acknowledged().size();
        if (lost == 0) {
            run.step("ledger checked", "all " + acknowledged + " acknowledged writes are on site " + live);
        } else {
            run.failed("ledger checked", lost + " of " + acknowledged + " acknowledged writes are NOT on site " + live
                    + ", such as " + missing.entrySet().stream().limit(3).map(e -> e.getKey() + " = "
                    + load.acknowledged().get(e.getKey()) + " (the site holds " + e.getValue() + ")").toList());
        }
        run.objective("RPO", "0", lost, lost + " acknowledged writes lost of " + acknowledged,
                lost == 0 ? DrillReport.Verdict.MET : DrillReport.Verdict.MISSED);
        connections();
        DrillReport.Workload figures = new DrillReport.Workload(acknowledged, lost, unavailableMs);
        run.workload(figures);
        return figures;
    }

    private void connections() {
        int reconnections = load.reconnections();
        run.figure("client reconnections", reconnections, "reconnections");
        if (!nic) {
            return; // each site has its own address: the clients reconnect to follow the live one
        }
        run.step("connections", reconnections == 0 ? "clients kept their connections: 0 reconnections"
                : "clients lost their connections: " + reconnections + " reconnections");
        run.objective("connections kept", "0 reconnections", reconnections, reconnections + " reconnections of "
                + WRITERS + " clients", reconnections == 0 ? DrillReport.Verdict.MET : DrillReport.Verdict.MISSED);
    }

    @Override
    public void close() {
        load.close();
        run.done(undo);
    }
}
