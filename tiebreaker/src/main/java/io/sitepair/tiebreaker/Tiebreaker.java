package io.sitepair.tiebreaker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * A site's handle on the pair's arbitration record in ZooKeeper (through Curator).
 *
 * <p>Going live is a test-and-set: {@link #claim} replaces the record for epoch N with one for
 * N+1 by a version-conditional write, so of any number of claimants that saw epoch N exactly one
 * wins. Nothing here decides anything without a quorum: every read is preceded by a sync, and a
 * lost connection is a {@link NoQuorumException}, never a default answer.
 *
 * <p>Only the pair's sites can change the record: it and its parent carry a digest ACL whose
 * credential is derived from the pair's secret (anyone may read, for endpoint discovery).
 */
public final class Tiebreaker implements AutoCloseable {
    /** This client's view of its ZooKeeper session, from Curator's connection states. */
    public enum Connection {
        /** Not connected yet. */
        CONNECTING,
        /** Connected to a member that is part of a quorum. */
        CONNECTED,
        /** The connection dropped; the session may still be alive. Decisions made earlier may be stale. */
        SUSPENDED,
        /** The session is gone (or presumed gone after the session timeout). */
        LOST
    }

    private static final String USER = "sitepair";

    private final CuratorFramework client;
    private final String pairPath;
    private final String path;
    private final String inconsistentPath;
    private final List<ACL> acl;
    private final List<Consumer<Connection>> listeners = new CopyOnWriteArrayList<>();
    private volatile Connection connection = Connection.CONNECTING;

    private Tiebreaker(CuratorFramework client, String pair, byte[] secret) {
        this.client = client;
        this.pairPath = "/sitepair/pairs/" + pair;
        this.path = pairPath + "/epoch";
        this.inconsistentPath = pairPath + "/inconsistent";
        this.acl = List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", digest(pair, secret))),
                new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
    }

    /**
     * Connects to the ensemble as a member of {@code pair}. Returns at once; use
     * {@link #awaitConnected} or let the first operation wait.
     */
    public static Tiebreaker connect(String connectString, String pair, byte[] secret, Duration sessionTimeout) {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) Math.min(sessionTimeout.toMillis(), 1000))
                .retryPolicy(new RetryNTimes(2, 100))
                // The configuration names the servers; never follow the ensemble's own idea of its
                // addresses (a site may reach it only through a proxy, a NAT or a VIP).
                .ensembleTracker(false)
                .authorization("digest", (USER + ":" + password(pair, secret)).getBytes(StandardCharsets.UTF_8))
                .build();
        Tiebreaker tiebreaker = new Tiebreaker(client, pair, secret);
        client.getConnectionStateListenable().addListener((c, state) -> tiebreaker.onState(state));
        client.start();
        return tiebreaker;
    }

    private void onState(ConnectionState state) {
        Connection next = switch (state) {
            case CONNECTED, RECONNECTED -> Connection.CONNECTED;
            case SUSPENDED, READ_ONLY -> Connection.SUSPENDED; // a read-only member cannot arbitrate
            case LOST -> Connection.LOST;
        };
        connection = next;
        for (Consumer<Connection> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException bug) {
                // One listener's failure must not keep the others from hearing of the change: a
                // serving site's fence is one of them.
                System.err.println("sitepair: BUG: a ZooKeeper connection listener failed on " + next + "; the"
                        + " others were still told");
                bug.printStackTrace();
            }
        }
    }

    /**
     * Calls {@code listener} on every change of the connection (on Curator's event thread) until
     * the returned registration is closed. Whoever registers owns the registration, and closes it
     * when the role that needed it ends.
     */
    public Registration onConnectionChange(Consumer<Connection> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** A listener's registration; closing it stops the calls. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** How many listeners are registered, for tests and status. */
    public int listenerCount() {
        return listeners.size();
    }

    public Connection connection() {
        return connection;
    }

    /** Waits up to {@code timeout} for a connection to a quorum member. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return client.blockUntilConnected((int) timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Creates the pair's record for epoch 1 if there is none (the first site up does it; a second
     * creation loses harmlessly) and returns the current record.
     */
    public EpochRecord initialize(EpochRecord first) throws NoQuorumException {
        try {
            if (client.checkExists().forPath(pairPath) == null) {
                client.createContainers("/sitepair/pairs");
                try {
                    client.create().withMode(CreateMode.PERSISTENT).withACL(acl).forPath(pairPath);
                } catch (KeeperException.NodeExistsException raced) {
                    // the peer created it first
                }
            }
            try {
                client.create().withMode(CreateMode.PERSISTENT).withACL(acl).forPath(path, first.encode());
            } catch (KeeperException.NodeExistsException existing) {
                // already arbitrated: whatever it says holds
            }
            try {
                client.create().withMode(CreateMode.PERSISTENT).withACL(acl).forPath(inconsistentPath, new byte[0]);
            } catch (KeeperException.NodeExistsException existing) {
                // created by the first site up
            }
            return current();
        } catch (NoQuorumException e) {
            throw e;
        } catch (Exception e) {
            throw translate("initializing " + path, e);
        }
    }

    /** The current record, read after a sync so it is at least as new as any decision made before the call. */
    public EpochRecord current() throws NoQuorumException {
        return read(new Stat());
    }

    private EpochRecord read(Stat stat) throws NoQuorumException {
        try {
            client.sync().forPath(path);
            return EpochRecord.decode(client.getData().storingStatIn(stat).forPath(path), path);
        } catch (KeeperException.NoNodeException e) {
            throw new IllegalStateException(path + " does not exist: the pair was never initialized in this ensemble");
        } catch (Exception e) {
            throw translate("reading " + path, e);
        }
    }

    /**
     * Claims epoch {@code seenEpoch + 1} for {@code site}, live from {@code position}, serving
     * clients at {@code endpoint}. Wins only if the record still says {@code seenEpoch} at the
     * moment of the conditional write, or already holds exactly this claim (so a claim retried
     * after a lost connection learns that its write was applied).
     */
    public Claim claim(long seenEpoch, String site, long position, String endpoint) throws NoQuorumException {
        while (true) {
            Stat stat = new Stat();
            EpochRecord now = read(stat);
            if (now.equals(new EpochRecord(seenEpoch + 1, site, position, endpoint))) {
                // This claim, asked again: ZooKeeper's connection loss does not say whether a write
                // was applied, and the claimant retries. The same site, from the same position, for
                // the same epoch is the same decision: it won.
                return new Claim(true, now);
            }
            if (now.epoch() != seenEpoch) {
                return new Claim(false, now);
            }
            Stat marksStat = new Stat();
            if (inconsistentSites(marksStat).contains(site)) {
                return new Claim(false, now, "site '" + site + "' has its disks marked inconsistent (a resync to it"
                        + " was under way): it cannot go live until a resync completes");
            }
            EpochRecord next = now.next(site, position, endpoint);
            try {
                // Atomic with the marks as read: a site marked meanwhile cannot slip through.
                client.transaction().forOperations(
                        client.transactionOp().check().withVersion(marksStat.getVersion()).forPath(inconsistentPath),
                        client.transactionOp().setData().withVersion(stat.getVersion()).forPath(path, next.encode()));
                return new Claim(true, next);
            } catch (KeeperException.BadVersionException changed) {
                // the epoch or the marks moved: read both again
            } catch (Exception e) {
                throw translate("claiming epoch " + next.epoch() + " at " + path, e);
            }
        }
    }

    /**
     * Marks {@code site}'s disks inconsistent (a resync to it begins) or consistent again (it
     * completed). While marked, the site's claims are refused.
     */
    public void markInconsistent(String site, boolean inconsistent) throws NoQuorumException {
        try {
            while (true) {
                Stat stat = new Stat();
                java.util.Set<String> marked = new java.util.TreeSet<>(inconsistentSites(stat));
                boolean changed = inconsistent ? marked.add(site) : marked.remove(site);
                if (!changed) {
                    return;
                }
                try {
                    client.setData().withVersion(stat.getVersion()).forPath(inconsistentPath,
                            String.join(",", marked).getBytes(StandardCharsets.UTF_8));
                    return;
                } catch (KeeperException.BadVersionException raced) {
                    // another site's mark moved: read again
                }
            }
        } catch (NoQuorumException e) {
            throw e;
        } catch (Exception e) {
            throw translate("marking site '" + site + "' " + (inconsistent ? "inconsistent" : "consistent"), e);
        }
    }

    /** The sites whose disks are marked inconsistent, read after a sync. */
    public java.util.Set<String> inconsistentSites() throws NoQuorumException {
        return inconsistentSites(new Stat());
    }

    private java.util.Set<String> inconsistentSites(Stat stat) throws NoQuorumException {
        try {
            client.sync().forPath(inconsistentPath);
            String text = new String(client.getData().storingStatIn(stat).forPath(inconsistentPath),
                    StandardCharsets.UTF_8);
            return text.isBlank() ? java.util.Set.of() : java.util.Set.of(text.split(","));
        } catch (KeeperException.NoNodeException e) {
            throw new IllegalStateException(inconsistentPath + " does not exist: the pair was never initialized in this"
                    + " ensemble");
        } catch (Exception e) {
            throw translate("reading " + inconsistentPath, e);
        }
    }

    /** Whether {@code site} is still the live site of {@code epoch}, asked of the quorum now. */
    public boolean confirm(long epoch, String site) throws NoQuorumException {
        EpochRecord now = current();
        return now.epoch() == epoch && now.liveSite().equals(site);
    }

    private NoQuorumException translate(String what, Exception e) {
        if (e instanceof KeeperException.NoAuthException) {
            throw new SecurityException(what + ": not authorized (this site's pair secret does not match the"
                    + " credentials on the pair's znodes)", e);
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new NoQuorumException(what + ": no quorum (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }

    /** The digest credential's password: derived from the pair secret, so the secret itself never reaches ZooKeeper. */
    private static String password(String pair, byte[] secret) {
        return HexFormat.of().formatHex(PairMac.of(secret, "sitepair zookeeper digest " + pair));
    }

    private static String digest(String pair, byte[] secret) {
        try {
            return DigestAuthenticationProvider.generateDigest(USER + ":" + password(pair, secret));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
