package io.sitepair.tiebreaker;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Tiebreaker} in ZooKeeper (through Curator): the record is the znode
 * {@code /sitepair/pairs/<pair>/epoch} (an {@link EpochRecord}'s text) and the marks are
 * {@code .../inconsistent} (the marked sites, sorted, comma-separated). A claim's write is a
 * transaction that checks the marks' version and sets the record at the version read, and every
 * read is preceded by a sync.
 *
 * <p>Only the pair's sites can change the records: they and their parent carry an ACL giving all
 * rights to the sites alone, and reading to anyone (endpoint discovery, monitoring). Over TLS the
 * sites are named by their certificates (ZooKeeper's {@code x509} ids, the subjects' DNs), and
 * "anyone" is whoever passed the ensemble's TLS client authentication; in plaintext they share a
 * digest credential derived from the pair's secret.
 */
final class ZooKeeperTiebreaker implements Tiebreaker {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperTiebreaker.class);
    private static final String USER = "sitepair";

    private final CuratorFramework client;
    private final String pairPath;
    private final String path;
    private final String inconsistentPath;
    private final List<ACL> acl;
    /** The client's TLS files; null in plaintext. */
    private final ZooKeeperClientTls tls;
    private final ConnectionListeners listeners = new ConnectionListeners();
    private volatile Connection connection = Connection.CONNECTING;

    private ZooKeeperTiebreaker(CuratorFramework client, String pair, List<Id> writers, ZooKeeperClientTls tls) {
        this.client = client;
        this.pairPath = "/sitepair/pairs/" + pair;
        this.path = pairPath + "/epoch";
        this.inconsistentPath = pairPath + "/inconsistent";
        List<ACL> acl = new ArrayList<>();
        writers.forEach(writer -> acl.add(new ACL(ZooDefs.Perms.ALL, writer)));
        acl.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        this.acl = List.copyOf(acl);
        this.tls = tls;
    }

    /** See {@link Tiebreaker#connect(String, String, byte[], Duration)}. */
    static ZooKeeperTiebreaker connect(String connectString, String pair, byte[] secret, Duration sessionTimeout) {
        CuratorFramework client = builder(connectString, sessionTimeout)
                .authorization("digest", (USER + ":" + password(pair, secret)).getBytes(StandardCharsets.UTF_8))
                .build();
        return start(new ZooKeeperTiebreaker(client, pair, List.of(new Id("digest", digest(pair, secret))), null));
    }

    /** See {@link Tiebreaker#connect(String, String, byte[], ZooKeeperTls, List, Duration)}. */
    static ZooKeeperTiebreaker connect(String connectString, String pair, byte[] secret, ZooKeeperTls tls,
            List<String> writers, Duration sessionTimeout) {
        if (writers.isEmpty()) {
            throw new IllegalArgumentException("no certificate subject may write the pair's records");
        }
        ZooKeeperClientTls clientTls = ZooKeeperClientTls.open(tls);
        CuratorFramework client = builder(connectString, sessionTimeout).zkClientConfig(clientTls.config())
                // The credential of the pair before it used TLS, to take over the records it left (adopt).
                .authorization("digest", (USER + ":" + password(pair, secret)).getBytes(StandardCharsets.UTF_8))
                .build();
        List<Id> ids = writers.stream().map(subject -> new Id("x509", subject)).toList();
        return start(new ZooKeeperTiebreaker(client, pair, ids, clientTls));
    }

    private static CuratorFrameworkFactory.Builder builder(String connectString, Duration sessionTimeout) {
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) Math.min(sessionTimeout.toMillis(), 1000))
                .retryPolicy(new RetryNTimes(2, 100))
                // The configuration names the servers; never follow the ensemble's own idea of its
                // addresses (a site may reach it only through a proxy, a NAT or a VIP).
                .ensembleTracker(false);
    }

    private static ZooKeeperTiebreaker start(ZooKeeperTiebreaker tiebreaker) {
        tiebreaker.client.getConnectionStateListenable().addListener((c, state) -> tiebreaker.onState(state));
        tiebreaker.client.start();
        return tiebreaker;
    }

    private void onState(ConnectionState state) {
        Connection next = switch (state) {
            case CONNECTED, RECONNECTED -> Connection.CONNECTED;
            case SUSPENDED, READ_ONLY -> Connection.SUSPENDED; // a read-only member cannot arbitrate
            case LOST -> Connection.LOST;
        };
        connection = next;
        listeners.announce(next);
    }

    @Override
    public Registration onConnectionChange(Consumer<Connection> listener) {
        return listeners.add(listener);
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return client.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * An ephemeral node beside the pairs' records, not under the pair's own node: only the sites
     * may create there, and the drill is run with an operator's certificate.
     */
    @Override
    public DrillLock lockDrill(String holder) throws NoQuorumException, DrillLock.Taken {
        String lock = "/sitepair/drills/" + pairPath.substring(pairPath.lastIndexOf('/') + 1);
        try {
            client.createContainers("/sitepair/drills");
            client.create().withMode(CreateMode.EPHEMERAL).forPath(lock, holder.getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException taken) {
            String other;
            try {
                other = new String(client.getData().forPath(lock), StandardCharsets.UTF_8);
            } catch (Exception gone) {
                other = "a drill that has just ended";
            }
            throw new DrillLock.Taken(other);
        } catch (Exception e) {
            throw translate("taking the drill lock " + lock, e);
        }
        return DrillLock.held(holder, () -> {
            try {
                // Only this holder's node: after a session expiry the lock may be another drill's.
                Stat stat = new Stat();
                byte[] now = client.getData().storingStatIn(stat).forPath(lock);
                if (new String(now, StandardCharsets.UTF_8).equals(holder)) {
                    client.delete().withVersion(stat.getVersion()).forPath(lock);
                }
            } catch (Exception ended) {
                // gone already, or the session is, and the ephemeral node with it
            }
        });
    }

    @Override
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
            if (tls != null) {
                for (String node : List.of(pairPath, path, inconsistentPath)) {
                    adopt(node);
                }
            }
            return current();
        } catch (NoQuorumException e) {
            throw e;
        } catch (Exception e) {
            throw translate("initializing " + path, e);
        }
    }

    /**
     * Gives {@code node} to the certificates that may write it, when a pair that ran without TLS
     * left it under its secret's digest credential (which this client also holds): without this,
     * sites upgraded to TLS could not claim an epoch.
     */
    private void adopt(String node) throws Exception {
        if (!Set.copyOf(client.getACL().forPath(node)).equals(Set.copyOf(acl))) {
            client.setACL().withACL(acl).forPath(node);
            LOG.info("ZooKeeper: {} was written by the pair before it used TLS; it is now writable by the sites'"
                    + " certificates only", node);
        }
    }

    @Override
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

    @Override
    public Claim claim(long seenEpoch, String site, long position, String endpoint) throws NoQuorumException {
        while (true) {
            Stat stat = new Stat();
            EpochRecord now = read(stat);
            Stat marksStat = new Stat();
            switch (ClaimDecision.decide(now, () -> inconsistentSites(marksStat), seenEpoch, site, position, endpoint)) {
                case ClaimDecision.Settled(Claim settled) -> {
                    return settled;
                }
                case ClaimDecision.Write(EpochRecord next) -> {
                    if (writeIfUnchanged(next, stat.getVersion(), marksStat.getVersion())) {
                        return new Claim(true, next);
                    }
                    // the epoch or the marks moved: read both again
                }
            }
        }
    }

    /** Writes {@code next} if the record and the marks are still at the versions read; false if either moved. */
    private boolean writeIfUnchanged(EpochRecord next, int recordVersion, int marksVersion) throws NoQuorumException {
        try {
            // Atomic with the marks as read: a site marked meanwhile cannot slip through.
            client.transaction().forOperations(
                    client.transactionOp().check().withVersion(marksVersion).forPath(inconsistentPath),
                    client.transactionOp().setData().withVersion(recordVersion).forPath(path, next.encode()));
            return true;
        } catch (KeeperException.BadVersionException changed) {
            return false;
        } catch (Exception e) {
            throw translate("claiming epoch " + next.epoch() + " at " + path, e);
        }
    }

    @Override
    public void markInconsistent(String site, boolean inconsistent) throws NoQuorumException {
        try {
            while (true) {
                Stat stat = new Stat();
                Set<String> marked = new TreeSet<>(inconsistentSites(stat));
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

    private Set<String> inconsistentSites(Stat stat) throws NoQuorumException {
        try {
            client.sync().forPath(inconsistentPath);
            String text = new String(client.getData().storingStatIn(stat).forPath(inconsistentPath),
                    StandardCharsets.UTF_8);
            return text.isBlank() ? Set.of() : Set.of(text.split(","));
        } catch (KeeperException.NoNodeException e) {
            throw new IllegalStateException(inconsistentPath + " does not exist: the pair was never initialized in this"
                    + " ensemble");
        } catch (Exception e) {
            throw translate("reading " + inconsistentPath, e);
        }
    }

    private NoQuorumException translate(String what, Exception e) {
        if (e instanceof KeeperException.NoAuthException) {
            throw new SecurityException(what + ": not authorized (only the pair's sites may change its records;"
                    + " this " + (tls != null ? "certificate is not one of theirs" : "site's pair secret does not"
                    + " match the credentials on the pair's znodes") + ")", e);
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
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        if (tls != null) {
            tls.close();
        }
    }
}
