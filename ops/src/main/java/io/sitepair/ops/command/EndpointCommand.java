package io.sitepair.ops.command;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.Coordination;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.tiebreaker.NoQuorumException;
import io.sitepair.tiebreaker.Tiebreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sitepair endpoint}: the current primary's client service address. */
@Command(name = "endpoint", mixinStandardHelpOptions = true,
        description = "Print the live site's client service address as HOST:PORT: from the pair's ZooKeeper record"
                + " when coordination is configured, else from the sites' status.")
public final class EndpointCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ClientCertificateOption certificate;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PairConfig pair = config.load();
        if (pair.coordination() != null) {
            // The arbitration record names the live site; a site's own claim to serve is not enough.
            try (Tiebreaker tiebreaker = Coordination.connect(pair, System.err, Duration.ofSeconds(10))) {
                System.out.println(tiebreaker.current().endpoint());
                return 0;
            } catch (IllegalStateException | NoQuorumException e) {
                spec.commandLine().getErr().println("sitepair endpoint: error: " + e.getMessage());
                return 1;
            }
        }
        AdminClient admin = certificate.client(pair);
        List<String> answers = new ArrayList<>();
        for (String name : pair.siteNames()) {
            SiteStatus status = admin.status(name);
            Role role = status.role();
            if (role == Role.PRIMARY || role == Role.LIVE_ALONE) {
                System.out.println(Addresses.hostPort(pair.site(name).service()));
                return 0;
            }
            answers.add(name + ": " + (role != null ? role.label() : status.reason()));
        }
        spec.commandLine().getErr().println("sitepair endpoint: error: no site of pair " + pair.pair()
                + " is serving clients (" + String.join("; ", answers) + ")");
        return 1;
    }
}
