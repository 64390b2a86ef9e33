package io.sitepair.ops.command;

import io.sitepair.ops.config.CheckProgram;
import io.sitepair.ops.config.ConfigReport;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.ops.config.Reach;
import io.sitepair.ops.config.UnitConverters;
import io.sitepair.ops.pki.CertificateFilesCheck;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair validate}: every problem of a configuration at once, without starting anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check a site-pair configuration as a daemon would, and more, without starting anything:"
                + " every error at once, one line each with file:line and key, then a summary line. Beyond what a"
                + " daemon checks: every holder's certificate files (present, key owner-only and matching, issued"
                + " by the pair's CA, naming that holder, not expired; a warning within 30 days of expiry) and the"
                + " program of the drills' check command, so run it where init ran; warnings for a secret file"
                + " others can read and a witness on a site's machine.",
                "Exit codes: 0 valid (warnings allowed), 1 invalid."})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--reach", description = "Also try a TCP connection to every address of the file; each that"
            + " does not accept is a warning (before the pair starts, nothing listens yet).")
    boolean reach;

    @Option(names = "--reach-timeout", paramLabel = "DURATION", defaultValue = "2s",
            converter = UnitConverters.Durations.class,
            description = "How long --reach waits for each address. Default: ${DEFAULT-VALUE}.")
    Duration reachTimeout;

    @Spec
    CommandSpec spec;

    /** When the certificates are checked to be valid. */
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws InterruptedException {
        ConfigReport report = PairConfigParser.check(config.file());
        CheckProgram.run(report);
        CertificateFilesCheck.run(report, clock.instant());
        if (reach) {
            Reach.check(report, reachTimeout);
        }
        PrintWriter out = spec.commandLine().getOut();
        report.problems().stream().sorted(Comparator.comparingInt(ConfigReport.Problem::line)).forEach(out::println);
        out.println(report.summary());
        out.flush();
        return report.valid() ? 0 : 1;
    }
}
