package io.sitepair.ops.command;

import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.Coordination;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.NoQuorumException;
import io.sitepair.tiebreaker.Tiebreaker;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair failover --to SITE}: a planned, zero-loss switchover. */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = {"Planned, zero-loss switchover to the backup: the live primary stops delivering new events,"
                + " the backup replays up to that point and takes the next epoch through ZooKeeper, the old"
                + " primary closes its clients' connections (they reconnect to the address `sitepair endpoint`"
                + " prints) and rejoins as the backup.",
                "Refused unless the pair is protected and a ZooKeeper quorum is reachable."})
public final class FailoverCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ClientCertificateOption certificate;

    @Option(names = "--to", required = true, paramLabel = "SITE", description = "The site to make live (the backup).")
    String to;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PairConfig pair = config.load();
        pair.site(to); // an unknown site name fails here, naming the valid ones
        if (pair.coordination() == null) {
            return error(config.file() + " configures no coordination: a switchover passes the epoch through ZooKeeper");
        }
        AdminClient admin = certificate.client(pair);
        EpochRecord record;
        try (Tiebreaker tiebreaker = Coordination.connect(pair, System.err, Duration.ofSeconds(10))) {
            record = tiebreaker.current();
        } catch (IllegalStateException | NoQuorumException e) {
            return error("cannot read the pair's epoch: " + e.getMessage());
        }
        if (record.liveSite().equals(to)) {
            return error("site " + to + " is already live (" + record + ")");
        }
        String from = record.liveSite();
        SiteStatus status = admin.status(from);
        if (status instanceof NoAnswer none) {
            return error("site " + from + " is live in epoch " + record.epoch() + " but does not answer: "
                    + none.error());
        }
        if (!status.pairProtected()) {
            return error("site " + from + " is " + status.role().label() + ", " + status.protection()
                    + "; a switchover needs a protected pair");
        }
        System.out.println("switching over from site " + from + " to site " + to + " (epoch " + record.epoch() + " -> "
                + (record.epoch() + 1) + ")");
        AdminAnswer response = admin.post(from, "switchover", Duration.ofSeconds(60));
        if (!response.ok()) {
            return error("site " + from + " refused: " + response.text());
        }
        System.out.println(response.text());
        System.out.println("site " + from + " rejoins as the backup; `sitepair status` shows when the pair is"
                + " protected again");
        return 0;
    }

    private int error(String message) {
        spec.commandLine().getErr().println("sitepair failover: error: " + message);
        return 1;
    }
}
