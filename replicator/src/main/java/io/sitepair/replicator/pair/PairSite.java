package io.sitepair.replicator.pair;

import io.sitepair.replicator.drill.TestClone;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.tiebreaker.Tiebreaker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The one site of this process, from start to end. Its role is a field of its {@link SiteState},
 * changed only through its {@link SiteStateMachine}; what the site does in its role is delegated
 * to the parts of that role: {@link PrimaryRole} while it serves (primary, live-alone) and
 * {@link BackupRole} while it replicates (backup, resyncing). A backup that goes live keeps
 * being this site: its replayed VM passes to a serving part, under the same state and the same
 * run, which ends once, whichever part ends it.
 */
public final class PairSite implements Site {
    private final String name;
    private final SiteStateMachine state;
    private final CompletableFuture<String> finished = new CompletableFuture<>();
    private volatile BackupRole replicating; // null for a site started as the primary
    private volatile PrimaryRole serving; // null until the site serves

    private PairSite(String name, SiteStateMachine state) {
        this.name = name;
        this.state = state;
    }

    /** Starts serving as the pair's primary; with a {@code tiebreaker} (null: none) it goes on alone if its backup fails. */
    public static PairSite startPrimary(SiteSettings settings, Tiebreaker tiebreaker) throws Exception {
        PairSite site = new PairSite(settings.site(), new SiteStateMachine(settings.site(), Role.PRIMARY,
                "initial primary of pair '" + settings.identity().pair() + "'"));
        site.serving = PrimaryRole.start(settings, tiebreaker, site.state, site.finished);
        return site;
    }

    /** Starts as the backup; with a {@code tiebreaker} (null: none) it goes live when the primary fails. */
    public static PairSite startBackup(SiteSettings settings, Tiebreaker tiebreaker) throws Exception {
        PairSite site = new PairSite(settings.site(), new SiteStateMachine(settings.site(), Role.BACKUP,
                "backup of pair '" + settings.identity().pair() + "'"));
        site.replicating = BackupRole.start(settings, tiebreaker, site.state, site.finished, live -> site.serving = live);
        return site;
    }

    /**
     * Whether this site served {@code epoch} before (its data directory says so): started again it
     * boots cold, its log positions beginning again, so it must serve a new epoch. Otherwise its new
     * writes would be stamped below its old ones in the same epoch, and a resync computed from the
     * stamps would miss them.
     */
    public static boolean servedBefore(Path dataDir, long epoch, String site) throws IOException {
        return SiteRecords.served(dataDir, epoch, site);
    }

    @Override
    public Role role() {
        return state.role();
    }

    @Override
    public SiteStatus status() {
        PrimaryRole live = serving;
        BackupRole backup = replicating;
        if (live == null) {
            return backup.status();
        }
        return backup == null ? live.status() : live.status().withFailover(backup.failover());
    }

    @Override
    public void stop() {
        BackupRole backup = replicating;
        if (backup != null) {
            backup.stop(); // first, so that a go-live under way gives up its claim
        }
        PrimaryRole live = serving;
        if (live != null) {
            live.stop();
        }
    }

    @Override
    public String await() throws Exception {
        try {
            return finished.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public String switchOver() throws Exception {
        return serving("switch over").switchOver();
    }

    @Override
    public String verify(boolean repair) throws Exception {
        return serving("verify").verify(repair);
    }

    @Override
    public String resync(long rate, String discard) throws Exception {
        return serving("resync its peer").resync(rate, discard);
    }

    @Override
    public String injectDiskFault(String error) throws Exception {
        PrimaryRole live = serving;
        return live != null ? live.injectDiskFault(error) : replicating.injectDiskFault(error);
    }

    @Override
    public TestClone.Started startTestClone(InetSocketAddress address, Duration lease) throws Exception {
        return replicating("take a test clone").startTestClone(address, lease);
    }

    @Override
    public String renewTestClone() {
        return replicating("serve a test clone").testClones().renew();
    }

    @Override
    public String endTestClone() {
        return replicating("serve a test clone").testClones().end();
    }

    @Override
    public boolean rejoins() {
        PrimaryRole live = serving;
        return live != null ? live.rejoins() : replicating.rejoins();
    }

    /** The replicating part, for an operation only a backup can do. */
    private BackupRole replicating(String operation) {
        BackupRole backup = replicating;
        if (backup == null || serving != null) {
            throw new IllegalStateException("site '" + name + "' is " + state.role().label()
                    + "; only a protected backup can " + operation);
        }
        return backup;
    }

    /** The serving part, for an operation only a serving site can do. */
    private PrimaryRole serving(String operation) {
        PrimaryRole live = serving;
        if (live == null) {
            throw new IllegalStateException("site '" + name + "' is " + state.role().label()
                    + "; only a protected primary can " + operation);
        }
        return live;
    }
}
