package io.sitepair.ops.command;

import io.sitepair.ops.logging.ProcessLogging;
import io.sitepair.ops.site.SiteDaemon;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sitepair up}: runs one site of a pair until it is stopped (SIGTERM) or halts. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run one site of a pair: the initial primary serves clients and streams its log; the other"
                + " site replays it as the backup.",
                "Stop with SIGTERM or Ctrl-C: a primary powers off cleanly (its backup stops at the same state and"
                        + " does not go live). Prints the final \"state <hex>\"."})
public final class UpCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--site", required = true, paramLabel = "NAME", description = "Which site of the pair this is.")
    String site;

    @Override
    public Integer call() throws Exception {
        ProcessLogging.forDaemon();
        SiteDaemon.Ending ending = new SiteDaemon(config.load(), site).run();
        return ending == SiteDaemon.Ending.HALTED ? Main.EXIT_VM_HALTED : 0;
    }
}
