package io.sitepair.ops.command;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.AdminClient;
import io.sitepair.ops.site.PairView;
import io.sitepair.ops.status.StatusReport;
import io.sitepair.ops.status.VerboseStatus;
import io.sitepair.replicator.status.PairStatus;
import io.sitepair.replicator.status.StatusJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sitepair status}: the pair's quorum, problems, sites, logging channel and links, for people or scripts. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the pair at a glance: the ZooKeeper quorum's health (whether a failover could be"
                + " arbitrated now), what needs an operator and what to do about it, each site's role, epoch, disk and"
                + " protection, the logging channel's lag, bandwidth raw and on the wire and held outputs, and how the"
                + " links are protected.",
                "--verbose shows every field of each site's status; --json the same for scripts."})
public final class StatusCommand implements Callable<Integer> {
    /** How long each site and each quorum member has to answer. */
    private static final Duration QUESTION_TIMEOUT = Duration.ofSeconds(3);

    /** Cursor home, then erase the screen: a redraw in place. */
    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Mixin
    ConfigOption config;

    @Mixin
    ClientCertificateOption certificate;

    @Option(names = "--json", description = "One JSON object: {\"pair\": ..., \"sites\": {name: status}}.")
    boolean json;

    @Option(names = "--verbose", description = "Every field of each site's status, one `key: value` line each.")
    boolean verbose;

    @Option(names = "--watch", arity = "0..1", fallbackValue = "1", paramLabel = "SECONDS",
            description = "Redraw in place every SECONDS (default 1) until Ctrl-C.")
    Double watch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (json && (verbose || watch != null)) {
            throw new ParameterException(spec.commandLine(), "--json is for scripts: it goes without --verbose and"
                    + " --watch");
        }
        if (watch != null && !(watch > 0)) {
            throw new ParameterException(spec.commandLine(), "--watch takes a number of seconds above 0, not " + watch);
        }
        PairConfig pair = config.load();
        AdminClient admin = certificate.client(pair);
        PrintWriter out = spec.commandLine().getOut();
        if (watch == null) {
            out.print(render(look(pair, admin)));
            out.flush();
            return 0;
        }
        while (true) {
            String text = render(look(pair, admin)); // asked before the screen is cleared: no blank screen meanwhile
            out.print(CLEAR_SCREEN + text);
            out.flush();
            Thread.sleep(Math.round(watch * 1000));
        }
    }

    /** The pair as this command's holder sees it: the questions asked at once, each within a few seconds. */
    private static PairView look(PairConfig pair, AdminClient admin) {
        return PairView.look(pair, admin, null, QUESTION_TIMEOUT, Instant.now());
    }

    private String render(PairView view) {
        PairStatus status = view.status();
        if (json) {
            return StatusJson.write(status) + System.lineSeparator();
        }
        return verbose ? VerboseStatus.render(status) : StatusReport.render(status, view.quorum());
    }
}
