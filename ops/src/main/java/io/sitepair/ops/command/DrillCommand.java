package io.sitepair.ops.command;

import io.sitepair.ops.config.ConfigException;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.ops.drill.DrillExecution;
import io.sitepair.ops.drill.DrillKind;
import io.sitepair.ops.drill.DrillOptions;
import io.sitepair.ops.drill.report.DrillListCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair drill}: a disaster-recovery drill that ends in a report against the pair's objectives. */
@Command(name = "drill", mixinStandardHelpOptions = true, subcommands = DrillListCommand.class,
        exitCodeOnInvalidInput = DrillExecution.REFUSED,
        description = {"Disaster-recovery drill, ending in report.json and report.html under drills.reports"
                + " (docs/drills.md).",
                "--kind test (the default): the backup boots a clone of its replica on its isolated test-service"
                        + " address, which the drill probes and checks; production is not disturbed.",
                "--kind switchover: a planned switchover to the DR site under the workload, and back unless --stay.",
                "--kind failover: the primary's daemon halts as if its site lost power; the DR site goes live; the"
                        + " failed site returns (its supervisor restarts it, or --restart) and is re-protected;"
                        + " --failback switches back to it.",
                "Refused unless the pair is protected and the quorum healthy (--force to drill anyway). Exit 0: every"
                        + " objective met and every check passed; 1: an objective missed or a step failed; 2: refused"
                        + " or bad input; 130: aborted (Ctrl-C; 143 with SIGTERM), the pair left as it was."})
public final class DrillCommand implements Callable<Integer> {
    /** Not the shared ConfigOption: a required option here would be required of {@code drill list} too. */
    @Option(names = "--config", paramLabel = "FILE", description = "The site-pair configuration (required).")
    Path config;

    @Mixin
    ClientCertificateOption certificate;

    @Option(names = "--kind", defaultValue = "test", paramLabel = "KIND",
            description = "test, switchover or failover (default ${DEFAULT-VALUE}).")
    DrillKind kind;

    @Option(names = "--no-load", description = "Run no workload (the built-in writer is on by default).")
    boolean noLoad;

    @Option(names = "--stay", description = "switchover: stay on the DR site.")
    boolean stay;

    @Option(names = "--restart", description = "failover: start the failed site's daemon again from this machine"
            + " (labs; in production its supervisor, systemd, restarts it).")
    boolean restart;

    @Option(names = "--failback", description = "failover: switch back to the failed site once it is re-protected.")
    boolean failback;

    @Option(names = "--force", description = "Drill although the pair is not protected or the quorum not healthy.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cli = spec.commandLine();
        if ((stay && kind != DrillKind.switchover) || ((restart || failback) && kind != DrillKind.failover)) {
            throw new CommandLine.ParameterException(cli, "--stay is for --kind switchover; --restart and"
                    + " --failback are for --kind failover");
        }
        if (config == null) {
            throw new CommandLine.ParameterException(cli, "Missing required option: '--config=FILE'");
        }
        PairConfig pair;
        try {
            pair = PairConfigParser.loadForDrills(config); // the check's program must be here
        } catch (ConfigException e) {
            cli.getErr().println("sitepair drill: error: " + e.getMessage());
            return DrillExecution.REFUSED;
        }
        DrillOptions options = new DrillOptions(kind, !noLoad, stay, restart, failback, force,
                new Main.Version().getVersion()[0], digest(pair), "sitepair " + String.join(" ",
                        cli.getParseResult().originalArgs()));
        return new DrillExecution(pair, certificate.client(pair), options, cli.getOut(), cli.getErr(),
                Clock.systemUTC()).run();
    }

    private static String digest(PairConfig pair) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(pair.file())));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
