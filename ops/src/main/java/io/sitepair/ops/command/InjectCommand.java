package io.sitepair.ops.command;

import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.InjectableFault;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair inject}: a disaster-recovery drill that makes one site's disk fail, or its process crash. */
@Command(name = "inject", mixinStandardHelpOptions = true,
        description = {"Disaster-recovery drill. Disk faults: from now on every write to the site's disks fails, with"
                + " an I/O error (disk-io-error) or as a full device would (disk-full). A backup whose disk fails halts"
                + " and the primary goes on alone at once; a primary whose disk fails halts, and its backup takes over"
                + " after the failure timeout. Restart the site (sitepair up) to end the drill.",
                "Process fault: crash halts the site's process at once, with no clean-up, as a power loss would (it"
                        + " exits with status 137); a crashed primary's backup takes over after the failure timeout."
                        + " Its supervisor (systemd) or the operator starts it again.",
                "The request is made with the operator's certificate (or, with TLS off, signed with the pair's"
                        + " secret)."})
public final class InjectCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ClientCertificateOption certificate;

    @Option(names = "--site", required = true, paramLabel = "SITE", description = "The site that suffers the fault.")
    String site;

    @Option(names = "--fault", required = true, paramLabel = "FAULT",
            description = "disk-io-error, disk-full or crash.")
    String fault;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PairConfig pair = config.load();
        pair.site(site); // an unknown site name fails here, naming the valid ones
        try {
            InjectableFault.named(fault);
        } catch (IllegalArgumentException e) {
            return error("--fault: " + e.getMessage());
        }
        AdminClient admin = certificate.client(pair);
        AdminAnswer response;
        try {
            response = admin.post(site, "inject?fault=" + fault, Duration.ofSeconds(10));
        } catch (java.io.IOException e) {
            return error("site " + site + " does not answer at its status address: " + e.getMessage());
        }
        if (!response.ok()) {
            return error("site " + site + " refused: " + response.text());
        }
        System.out.println(response.text());
        return 0;
    }

    private int error(String message) {
        spec.commandLine().getErr().println("sitepair inject: error: " + message);
        return 1;
    }
}
