package io.sitepair.ops.command;

import io.sitepair.ops.site.AdminAnswer;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.Coordination;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair verify}: online verify of the two sites' disks. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compare per-block checksums of both sites' disks at one log position while the pair runs:"
                + " the live primary logs the checksum of every block between two events, and the backup,"
                + " replaying to that point, compares its own. Lists the blocks that differ and ends with a line"
                + " \"differing blocks: N\".",
                "--repair then overwrites the differing blocks on the backup with the primary's, at one log"
                        + " position, and verifies again.",
                "Exit codes: 0 no block differs (in the end), 1 blocks differ or the verify could not run."})
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ClientCertificateOption certificate;

    @Option(names = "--repair", description = "Repair the differing blocks on the backup, then verify again.")
    boolean repair;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PairConfig pair = config.load();
        AdminClient admin = certificate.client(pair);
        String live;
        try {
            live = Coordination.liveSite(pair);
        } catch (IllegalStateException e) {
            return error("cannot read which site is live: " + e.getMessage());
        }
        AdminAnswer response;
        try {
            response = admin.post(live, repair ? "repair" : "verify", Duration.ofMinutes(5));
        } catch (java.io.IOException e) {
            return error("site " + live + " does not answer at its status address: " + e.getMessage());
        }
        if (!response.ok()) {
            return error("site " + live + " refused: " + response.text());
        }
        String report = response.text();
        System.out.println(report);
        return report.endsWith("differing blocks: 0") ? 0 : 1;
    }

    private int error(String message) {
        spec.commandLine().getErr().println("sitepair verify: error: " + message);
        return 1;
    }
}
