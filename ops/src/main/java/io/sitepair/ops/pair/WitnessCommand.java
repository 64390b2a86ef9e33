package io.sitepair.ops.pair;

import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.tiebreaker.QuorumPeer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sitepair witness}: the third ZooKeeper peer, at a third site, so that either site plus the witness is a quorum. */
@Command(name = "witness", mixinStandardHelpOptions = true,
        description = {"Run the witness: the third member of the pair's ZooKeeper quorum. It holds no VM and no"
                + " disks; with it, a site that loses its peer can still reach a majority and go live, and a site cut"
                + " off from both cannot.", "Runs until SIGTERM or Ctrl-C."})
public final class WitnessCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The site-pair configuration.")
    Path config;

    @Override
    public Integer call() throws Exception {
        io.sitepair.ops.logging.ProcessLogging.forDaemon();
        PairConfig pair = PairConfigParser.load(config);
        CoordinationConfig c = pair.coordination();
        if (c == null || !c.embedded()) {
            System.err.println("sitepair witness: error: " + pair.file() + " has " + (c == null
                    ? "no coordination section" : "an external ensemble (coordination.ensemble)")
                    + "; there is no embedded witness peer to run");
            return 2;
        }
        var member = c.member(CoordinationConfig.WITNESS);
        CountDownLatch stopped = new CountDownLatch(1);
        try (QuorumPeer peer = QuorumPeer.start(c.witnessDataDir(), member, c.members(), CoordinationConfig.TICK)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                peer.close();
                stopped.countDown();
            }, "sitepair-witness-stop"));
            System.out.println("witness of pair " + pair.pair() + ": ZooKeeper peer " + member.id() + " on "
                    + UpCommand.address(member.client()) + ", data in " + c.witnessDataDir());
            System.out.flush();
            stopped.await();
        }
        return 0;
    }
}
