package io.sitepair.ops.pair;

import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.replicator.pair.PairSite;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.pair.SiteHalted;
import io.sitepair.replicator.pair.SiteSettings;
import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.QuorumPeer;
import io.sitepair.tiebreaker.Tiebreaker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sitepair up}: runs one site of a pair until it is stopped (SIGTERM) or halts. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run one site of a pair: the initial primary serves clients and streams its log; the other"
                + " site replays it as the backup.",
                "Stop with SIGTERM or Ctrl-C: a primary powers off cleanly (its backup stops at the same state and"
                        + " does not go live). Prints the final \"state <hex>\"."})
public final class UpCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The site-pair configuration.")
    Path config;

    @Option(names = "--site", required = true, paramLabel = "NAME", description = "Which site of the pair this is.")
    String site;

    @Override
    public Integer call() throws Exception {
        io.sitepair.ops.logging.ProcessLogging.forDaemon();
        PairConfig pair = PairConfigParser.load(config);
        pair.site(site); // an unknown site name fails here, naming the valid ones
        CoordinationConfig coordination = pair.coordination();
        QuorumPeer peer = coordination != null && coordination.embedded()
                ? QuorumPeer.start(pair.site(site).dataDir(), coordination.member(site), coordination.members(),
                        CoordinationConfig.TICK)
                : null;
        Tiebreaker tiebreaker = null;
        StartingSite starting = new StartingSite(site, coordination != null ? "connecting to the ZooKeeper quorum at "
                + coordination.connectString() : "starting");
        AtomicReference<Site> current = new AtomicReference<>(starting);
        // One status endpoint for the process's whole life: it answers while the site waits for a
        // quorum, and across a rejoin.
        try (AdminServer admin = new AdminServer(pair.site(site).admin(), current::get, pair)) {
            if (coordination != null) {
                tiebreaker = Coordination.connect(pair, starting);
            }
            while (true) {
                long epoch;
                long epochStart = 0;
                String epochPrimary = pair.initialPrimary();
                boolean primary;
                if (tiebreaker != null) {
                    EpochRecord record = Coordination.awaitRecord(tiebreaker, pair, starting);
                    epoch = record.epoch();
                    epochStart = record.startPosition();
                    epochPrimary = record.liveSite();
                    primary = site.equals(record.liveSite());
                    SiteLauncher.checkReplacedDisks(pair, site, primary);
                    if (primary && PairSite.servedBefore(pair.site(site).dataDir(), epoch, site)) {
                        Claim claim = restartCold(tiebreaker, pair, record, starting);
                        if (claim == null || !claim.won()) {
                            continue; // the quorum says otherwise now: read the record again
                        }
                        epoch = claim.record().epoch();
                        epochStart = 0;
                        epochPrimary = site;
                    }
                    if (!primary && epoch > 1) {
                        // Whatever this site holds is of an older epoch, or of a run it cannot resume.
                        System.out.println("site " + site + " rejoins pair " + pair.pair() + " as the backup of site "
                                + record.liveSite() + " in epoch " + epoch + ": it will be resynced (the blocks"
                                + " either site wrote since their histories parted, and site " + record.liveSite()
                                + "'s VM state), then replay its log");
                    }
                } else {
                    epoch = SiteLauncher.epoch(pair.site(site).dataDir());
                    primary = site.equals(pair.initialPrimary());
                    SiteLauncher.checkReplacedDisks(pair, site, primary);
                }
                SiteSettings settings = SiteLauncher.settings(pair, site,
                        io.sitepair.ops.GuestOptions.load(pair.guest()), epoch, epochStart, epochPrimary);
                Site running = primary ? PairSite.startPrimary(settings, tiebreaker)
                        : PairSite.startBackup(settings, tiebreaker);
                current.set(running);
                int code = run(pair, settings, running, primary);
                if (code != 0 || !running.rejoins()) {
                    return code; // a halted site does not rejoin: its ports and disks may still be held
                }
                current.set(starting);
                starting.waiting("rejoins as the backup");
            }
        } finally {
            if (tiebreaker != null) {
                tiebreaker.close();
            }
            if (peer != null) {
                peer.close();
            }
        }
    }

    /**
     * This site served the record's epoch and restarts cold: its log begins again, so it claims the
     * next epoch before serving (its backup, if any, rejoins by a resync). Null without a quorum.
     */
    private Claim restartCold(Tiebreaker tiebreaker, PairConfig pair, EpochRecord record, StartingSite starting)
            throws InterruptedException {
        System.out.println("site " + site + " served epoch " + record.epoch() + " and restarts cold: its log begins"
                + " again, so it claims epoch " + (record.epoch() + 1));
        try {
            Claim claim = tiebreaker.claim(record.epoch(), site, 0, address(pair.site(site).service()));
            if (!claim.won()) {
                System.out.println("site " + site + " did not win epoch " + (record.epoch() + 1) + ": "
                        + (claim.refusal() != null ? claim.refusal() : claim.record()));
            }
            return claim;
        } catch (io.sitepair.tiebreaker.NoQuorumException e) {
            starting.waiting("no ZooKeeper quorum to claim epoch " + (record.epoch() + 1) + "; waiting ("
                    + e.getMessage() + ")");
            Thread.sleep(1000);
            return null;
        }
    }

    private int run(PairConfig pair, SiteSettings settings, Site running, boolean primary) throws Exception {
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            running.stop();
            try {
                reported.await(30, TimeUnit.SECONDS); // let the main thread print the final state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sitepair-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            System.out.println("site " + site + " of pair " + pair.pair() + " is "
                    + (primary ? "primary: clients on " + address(settings.service()) + ", logging to site "
                            + settings.identity().peer() + " at " + address(settings.peerChannel())
                    : "backup: logging channel on " + address(settings.channel()))
                    + "; status on http://" + address(pair.site(site).admin()) + "/status");
            System.out.flush();
            String state;
            try {
                state = running.await();
            } catch (SiteHalted | io.sitepair.replicator.vm.VmException halted) {
                // A designed halt (a lost race, a passed epoch, a failed disk, a guest fault) is one
                // line; anything else is a bug and reaches Main, which prints its stack trace.
                System.out.println("site " + site + " halted: " + halted.getMessage());
                return io.sitepair.ops.Main.EXIT_VM_HALTED;
            }
            System.out.println("site " + site + ": " + running.status().reason());
            System.out.println("state " + state);
            return 0;
        } finally {
            System.out.flush();
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us
            }
        }
    }

    static String address(java.net.InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
