package io.sitepair.ops.site;

import io.sitepair.ops.config.Addresses;
import io.sitepair.ops.config.CoordinationConfig;
import io.sitepair.ops.config.Guests;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.metrics.SiteMetrics;
import io.sitepair.ops.metrics.SiteRecorder;
import io.sitepair.ops.site.http.SitePlane;
import io.sitepair.replicator.pair.PairSite;
import io.sitepair.replicator.pair.Site;
import io.sitepair.replicator.pair.SiteHalted;
import io.sitepair.replicator.pair.SiteSettings;
import io.sitepair.replicator.tls.TlsIdentity;
import io.sitepair.replicator.vm.VmException;
import io.sitepair.tiebreaker.Claim;
import io.sitepair.tiebreaker.EpochRecord;
import io.sitepair.tiebreaker.NoQuorumException;
import io.sitepair.tiebreaker.QuorumPeer;
import io.sitepair.tiebreaker.Tiebreaker;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One site of a pair, run until it is stopped (SIGTERM) or halts: what {@code sitepair up} runs. It
 * answers status from the start, waits for the quorum to say its role, runs as primary or backup,
 * and after a switchover rejoins as the backup.
 */
public final class SiteDaemon {
    /** How the site's run ended. */
    public enum Ending {
        /** Stopped (SIGTERM, or a power-off by its primary), having printed its final state. */
        STOPPED,
        /** Halted by design (a lost race, a passed epoch, a failed disk, a guest fault), having said why. */
        HALTED
    }

    private final PairConfig pair;
    private final String site;
    /** What the site counts and times, across the roles it takes in this process; read by its SiteMetrics. */
    private final SiteRecorder recorder = new SiteRecorder();

    public SiteDaemon(PairConfig pair, String site) {
        pair.site(site); // an unknown site name fails here, naming the valid ones
        this.pair = pair;
        this.site = site;
    }

    /** Runs the site until it is stopped or halts; what it prints last says which. */
    public Ending run() throws Exception {
        // First: a site whose key others can read, or whose certificate expired, does not start.
        TlsIdentity identity = pair.tls().on() ? TlsIdentity.load(pair.pair(), pair.tls().files(site)) : null;
        CoordinationConfig coordination = pair.coordination();
        StartingSite starting = new StartingSite(site, coordination != null ? "connecting to the ZooKeeper quorum at "
                + coordination.connectString() : "starting");
        AtomicReference<Site> current = new AtomicReference<>(starting);
        // One HTTP plane for the process's whole life: it answers while the site waits for a quorum,
        // and across a rejoin. Ready for systemd once status answers, not once the quorum gives a
        // role: that may take as long as the other machines do, and the status says what it waits for.
        SiteMetrics metrics = SiteMetrics.of(pair, site, () -> current.get().status(), recorder);
        PlaneStart plane = PlaneStart.begin(() -> SitePlane.start(pair.site(site).admin(), pair, site, identity,
                current::get, metrics), () -> SystemdNotify.PROCESS.ready("site " + site + " of pair " + pair.pair()
                + ": starting"));
        QuorumPeer peer = null;
        Tiebreaker tiebreaker = null;
        try (plane) {
            if (coordination != null && coordination.embedded()) {
                peer = QuorumPeer.start(pair.site(site).dataDir(), coordination.member(site), coordination.members(),
                        CoordinationConfig.TICK, Coordination.peerTls(pair, site));
            }
            if (coordination != null) {
                tiebreaker = Coordination.connect(pair, site, starting);
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
                        Claim claim = restartCold(tiebreaker, record, starting);
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
                SiteSettings settings = SiteLauncher.settings(pair, site, identity,
                        Guests.load(pair.guest()), epoch, epochStart, epochPrimary, recorder);
                plane.awaitServing(); // a site whose plane cannot serve takes no role
                Site running = primary ? PairSite.startPrimary(settings, tiebreaker)
                        : PairSite.startBackup(settings, tiebreaker);
                current.set(running);
                Ending ending = run(settings, running, primary);
                if (ending == Ending.HALTED || !running.rejoins()) {
                    return ending; // a halted site does not rejoin: its ports and disks may still be held
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
    private Claim restartCold(Tiebreaker tiebreaker, EpochRecord record, StartingSite starting)
            throws InterruptedException {
        System.out.println("site " + site + " served epoch " + record.epoch() + " and restarts cold: its log begins"
                + " again, so it claims epoch " + (record.epoch() + 1));
        try {
            Claim claim = tiebreaker.claim(record.epoch(), site, 0, Addresses.hostPort(pair.site(site).service()));
            if (!claim.won()) {
                System.out.println("site " + site + " did not win epoch " + (record.epoch() + 1) + ": "
                        + (claim.refusal() != null ? claim.refusal() : claim.record()));
            }
            return claim;
        } catch (NoQuorumException e) {
            starting.waiting("no ZooKeeper quorum to claim epoch " + (record.epoch() + 1) + "; waiting ("
                    + e.getMessage() + ")");
            Thread.sleep(1000);
            return null;
        }
    }

    private Ending run(SiteSettings settings, Site running, boolean primary) throws Exception {
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
                    + (primary ? "primary: clients on " + Addresses.hostPort(settings.service()) + ", logging to site "
                            + settings.identity().peer() + " at " + Addresses.hostPort(settings.peerChannel())
                    : "backup: logging channel on " + Addresses.hostPort(settings.channel()))
                    + "; status on " + AdminClient.uri(pair, site, "status"));
            SystemdNotify.PROCESS.status((primary ? "primary" : "backup") + " in epoch " + settings.epoch());
            System.out.flush();
            String state;
            try {
                state = running.await();
            } catch (SiteHalted | VmException halted) {
                // A designed halt (a lost race, a passed epoch, a failed disk, a guest fault) is one
                // line; anything else is a bug and reaches Main, which prints its stack trace.
                System.out.println("site " + site + " halted: " + halted.getMessage());
                return Ending.HALTED;
            }
            System.out.println("site " + site + ": " + running.status().reason());
            System.out.println("state " + state);
            return Ending.STOPPED;
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
}
