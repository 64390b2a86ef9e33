package io.sitepair.ops.command;

import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.logging.ProcessLogging;
import io.sitepair.ops.site.WitnessDaemon;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sitepair witness}: the third ZooKeeper peer, at a third site, so that either site plus the witness is a quorum. */
@Command(name = "witness", mixinStandardHelpOptions = true,
        description = {"Run the witness: the third member of the pair's ZooKeeper quorum. It holds no VM and no"
                + " disks; with it, a site that loses its peer can still reach a majority and go live, and a site cut"
                + " off from both cannot.", "Runs until SIGTERM or Ctrl-C."})
public final class WitnessCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        ProcessLogging.forDaemon();
        PairConfig pair = config.load();
        CoordinationConfig c = pair.coordination();
        if (c == null || !c.embedded()) {
            System.err.println("sitepair witness: error: " + pair.file() + " has " + (c == null
                    ? "no coordination section" : "an external ensemble (coordination.ensemble)")
                    + "; there is no embedded witness peer to run");
            return 2;
        }
        WitnessDaemon.run(pair);
        return 0;
    }
}
