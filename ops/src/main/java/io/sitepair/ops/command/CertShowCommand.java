package io.sitepair.ops.command;

import io.sitepair.ops.pki.CertificateReport;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sitepair cert show}: every certificate of the configuration and when it expires. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"List the CA(s) in the CA file and each holder's certificate that the configuration names:"
                + " holder, subject, serial, expiry date and days left; then a WARNING line for each one that"
                + " expires within 30 days, has expired, is missing, is not issued by a CA of the CA file, or names"
                + " another holder. Reads no key.",
                "Exit codes: 0 every certificate is usable (possibly with expiry warnings), 1 one is not (expired,"
                        + " missing, of another CA or holder)."})
final class CertShowCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CertificateReport report = CertificateReport.of(config.load(), Instant.now());
        PrintWriter out = spec.commandLine().getOut();
        report.print(out);
        out.flush();
        return report.unusable() ? 1 : 0;
    }
}
