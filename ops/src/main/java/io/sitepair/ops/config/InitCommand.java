package io.sitepair.ops.config;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair init --lab DIR}: a ready-to-run pair on this machine. The last line is the config's path. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write a site-pair configuration. --lab: a pair named 'lab' with both sites on this machine"
                + " (loopback, free ports), a new secret and the sites' data directories. Prints the"
                + " configuration file's path as the last line.")
public final class InitCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--lab", required = true, paramLabel = "DIR",
            description = "Directory for pair.yaml, pair.secret and the data directories a/ and b/ (created if"
                    + " needed). An existing pair.yaml or pair.secret is never overwritten.")
    Path lab;

    @Override
    public Integer call() throws IOException {
        // Reading the new file back checks it and gives the values to report.
        PairConfig config = PairConfigParser.load(LabConfig.write(lab));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("wrote pair '%s': guest %s, %d disk(s), both sites on this machine%n", config.pair(), config.guest(),
                config.diskSizes().size());
        out.printf("  secret %s (%d random bytes)%n", config.file().resolveSibling(LabConfig.SECRET_FILE),
                config.secret().length);
        for (String name : config.siteNames()) {
            SiteConfig s = config.site(name);
            out.printf("  site %s: channel %s, service %s, admin %s, data %s%s%n", name, Addresses.format(s.channel()),
                    Addresses.format(s.service()), Addresses.format(s.admin()), s.dataDir(),
                    name.equals(config.initialPrimary()) ? " (initial primary)" : "");
        }
        out.println(config.file());
        out.flush();
        return 0;
    }
}
