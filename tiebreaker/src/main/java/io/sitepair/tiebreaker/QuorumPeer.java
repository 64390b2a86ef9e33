package io.sitepair.tiebreaker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.zookeeper.server.NettyServerCnxnFactory;
import org.apache.zookeeper.server.auth.ProviderRegistry;
import org.apache.zookeeper.server.auth.X509AuthenticationProvider;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real ZooKeeper quorum peer running inside this process: each site daemon runs one and the
 * witness runs the third, so arbitration needs two of the three sites' machines, never one.
 */
public final class QuorumPeer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumPeer.class);

    static final String TLS_PROTOCOL = "TLSv1.3";
    private static final String X509 = "x509";

    private final ZooKeeperServerEmbedded server;
    private final QuorumMember self;
    private final PemKeyStore keyStore;

    private QuorumPeer(ZooKeeperServerEmbedded server, QuorumMember self, PemKeyStore keyStore) {
        this.server = server;
        this.self = self;
        this.keyStore = keyStore;
    }

    /** {@link #start(Path, QuorumMember, List, Duration, ZooKeeperTls)} in plaintext. */
    public static QuorumPeer start(Path dataDir, QuorumMember self, List<QuorumMember> members, Duration tick)
            throws Exception {
        return start(dataDir, self, members, tick, null);
    }

    /**
     * Starts {@code self}'s peer with its data in {@code dataDir} and returns at once. It serves
     * clients only once a quorum of {@code members} has formed; until then clients see no connection.
     * With {@code tls} (null: plaintext) the peers speak TLS to each other and clients reach it on a
     * TLS port only, with a certificate of the CA in {@code tls.ca()}, which becomes their ZooKeeper
     * identity (scheme {@code x509}, the subject's DN) for the pair's ACLs.
     *
     * <p>ZooKeeper keeps its TLS settings in JVM-wide system properties: peers started in one JVM
     * (tests) share the key files of the last one started.
     */
    public static QuorumPeer start(Path dataDir, QuorumMember self, List<QuorumMember> members, Duration tick,
            ZooKeeperTls tls) throws Exception {
        if (members.stream().noneMatch(m -> m.id() == self.id())) {
            throw new IllegalArgumentException("member " + self.name() + " is not in the ensemble " + members);
        }
        Path data = Files.createDirectories(dataDir.resolve("zookeeper"));
        writeMyId(data, self.id());
        Properties p = new Properties();
        p.setProperty("dataDir", data.toString());
        p.setProperty("tickTime", String.valueOf(tick.toMillis()));
        p.setProperty("initLimit", "10");
        p.setProperty("syncLimit", "5");
        p.setProperty("standaloneEnabled", "false");
        p.setProperty("admin.enableServer", "false"); // no HTTP admin server on 8080
        p.setProperty("4lw.commands.whitelist", "ruok,srvr");
        p.setProperty("autopurge.purgeInterval", "1");
        p.setProperty("autopurge.snapRetainCount", "3");
        for (QuorumMember m : members) {
            p.setProperty("server." + m.id(), m.serverLine(tls != null));
        }
        PemKeyStore keyStore = null;
        if (tls == null) {
            p.setProperty("clientPortAddress", self.client().getHostString());
            p.setProperty("clientPort", String.valueOf(self.client().getPort()));
        } else {
            keyStore = PemKeyStore.create(tls, data.resolve("tls").resolve("keystore.pem"),
                    QuorumPeer::reloadClientAuthentication);
            p.putAll(tlsProperties(self, tls, keyStore.file()));
        }
        ZooKeeperServerEmbedded server;
        try {
            server = ZooKeeperServerEmbedded.builder().baseDir(data).configuration(p)
                    .exitHandler(ExitHandler.LOG_ONLY).build();
        } catch (Exception e) {
            if (keyStore != null) {
                keyStore.close();
            }
            throw e;
        }
        if (tls != null) {
            reloadClientAuthentication(); // an earlier peer in this JVM may have registered the providers without it
        }
        // start() returns only once a quorum has formed, and the other members may start later.
        Thread.ofPlatform().daemon().name("sitepair-zookeeper-start").start(() -> {
            try {
                server.start();
            } catch (Exception e) {
                LOG.error("ZooKeeper peer {} did not start: {}", self.name(), e.toString());
            }
        });
        return new QuorumPeer(server, self, keyStore);
    }

    /**
     * The secure client port (the only one), quorum TLS, both TLS 1.3 with the client's certificate
     * required, files as PEM. Host names stay verified (ZooKeeper's default, and Netty's): a peer or
     * client dialling an address accepts only a certificate naming it, and a peer accepting a quorum
     * connection only one naming the address it comes from. The pair's certificates carry the
     * addresses of the configuration, and what this refuses is a certificate of the pair's CA that
     * was not issued for a quorum member's address (an operator's, a monitor's) joining the quorum.
     */
    private static Properties tlsProperties(QuorumMember self, ZooKeeperTls tls, Path keyStore) {
        Properties p = new Properties();
        p.setProperty("secureClientPortAddress", self.client().getHostString());
        p.setProperty("secureClientPort", String.valueOf(self.client().getPort()));
        p.setProperty("serverCnxnFactory", NettyServerCnxnFactory.class.getName());
        p.setProperty("client.portUnification", "false");
        // Without this provider the secure port closes every connection after the handshake.
        p.setProperty("authProvider." + X509, X509AuthenticationProvider.class.getName());
        p.setProperty("sslQuorum", "true");
        p.setProperty("portUnification", "false");
        // The quorum reloads its files when they change; the client port reads them at every connection.
        p.setProperty("sslQuorumReloadCertFiles", "true");
        for (String prefix : List.of("ssl.", "ssl.quorum.")) {
            p.setProperty(prefix + "keyStore.location", keyStore.toString());
            p.setProperty(prefix + "keyStore.type", "PEM");
            p.setProperty(prefix + "trustStore.location", tls.ca().toString());
            p.setProperty(prefix + "trustStore.type", "PEM");
            p.setProperty(prefix + "clientAuth", "need");
            p.setProperty(prefix + "protocol", TLS_PROTOCOL);
            p.setProperty(prefix + "enabledProtocols", TLS_PROTOCOL);
        }
        return p;
    }

    /**
     * Registers the x509 authentication provider again: it reads the CA file once, when registered,
     * so a CA added to the file (a CA rotation) would otherwise be trusted by the handshake but not
     * by the provider.
     */
    private static void reloadClientAuthentication() {
        ProviderRegistry.addOrUpdateProvider(ProviderRegistry.AUTHPROVIDER_PROPERTY_PREFIX + X509);
    }

    private static void writeMyId(Path data, int id) throws IOException {
        Path myid = data.resolve("myid");
        if (Files.exists(myid)) {
            String existing = Files.readString(myid).trim();
            if (!existing.equals(String.valueOf(id))) {
                throw new IllegalStateException(myid + " says this peer is server " + existing + ", but the"
                        + " configuration makes it server " + id + "; refusing to join as someone else");
            }
            return;
        }
        Files.writeString(myid, id + "\n");
    }

    /** The connect string of the whole ensemble, for clients. */
    public static String connectString(List<QuorumMember> members) {
        return members.stream().map(QuorumMember::connectString).collect(Collectors.joining(","));
    }

    public QuorumMember member() {
        return self;
    }

    @Override
    public void close() {
        server.close();
        if (keyStore != null) {
            keyStore.close();
        }
    }
}
