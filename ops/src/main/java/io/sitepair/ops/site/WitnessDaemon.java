package io.sitepair.ops.site;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.replicator.tls.TlsIdentity;
import io.sitepair.tiebreaker.QuorumPeer;
import java.util.concurrent.CountDownLatch;

/**
 * The witness: the third ZooKeeper peer, at a third site, so that either site plus the witness is a
 * quorum. What {@code sitepair witness} runs.
 */
public final class WitnessDaemon {
    private WitnessDaemon() {}

    /** Runs the witness peer of {@code pair}'s embedded quorum until SIGTERM or Ctrl-C. */
    public static void run(PairConfig pair) throws Exception {
        if (pair.tls().on()) {
            // Its files are checked as a site's are: a key others can read, or an expired certificate, stops it here.
            TlsIdentity.load(pair.pair(), pair.tls().files(CoordinationConfig.WITNESS));
        }
        CoordinationConfig c = pair.coordination();
        var member = c.member(CoordinationConfig.WITNESS);
        CountDownLatch stopped = new CountDownLatch(1);
        try (QuorumPeer peer = QuorumPeer.start(c.witnessDataDir(), member, c.members(), CoordinationConfig.TICK,
                Coordination.peerTls(pair, CoordinationConfig.WITNESS))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                peer.close();
                stopped.countDown();
            }, "sitepair-witness-stop"));
            System.out.println("witness of pair " + pair.pair() + ": ZooKeeper peer " + member.id() + " on "
                    + Addresses.hostPort(member.client()) + ", data in " + c.witnessDataDir());
            System.out.flush();
            SystemdNotify.PROCESS.ready("witness of pair " + pair.pair() + ": ZooKeeper peer " + member.id());
            stopped.await();
        }
    }
}
