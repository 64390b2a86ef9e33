package io.sitepair.tiebreaker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
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

    private final ZooKeeperServerEmbedded server;
    private final QuorumMember self;

    private QuorumPeer(ZooKeeperServerEmbedded server, QuorumMember self) {
        this.server = server;
        this.self = self;
    }

    /**
     * Starts {@code self}'s peer with its data in {@code dataDir} and returns at once. It serves
     * clients only once a quorum of {@code members} has formed; until then clients see no connection.
     */
    public static QuorumPeer start(Path dataDir, QuorumMember self, List<QuorumMember> members, Duration tick)
            throws Exception {
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
        p.setProperty("clientPortAddress", self.client().getHostString());
        p.setProperty("clientPort", String.valueOf(self.client().getPort()));
        p.setProperty("standaloneEnabled", "false");
        p.setProperty("admin.enableServer", "false"); // no HTTP admin server on 8080
        p.setProperty("4lw.commands.whitelist", "ruok,srvr");
        p.setProperty("autopurge.purgeInterval", "1");
        p.setProperty("autopurge.snapRetainCount", "3");
        for (QuorumMember m : members) {
            p.setProperty("server." + m.id(), m.serverLine());
        }
        ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder().baseDir(data).configuration(p)
                .exitHandler(ExitHandler.LOG_ONLY).build();
        // start() returns only once a quorum has formed, and the other members may start later.
        Thread.ofPlatform().daemon().name("sitepair-zookeeper-start").start(() -> {
            try {
                server.start();
            } catch (Exception e) {
                LOG.error("ZooKeeper peer {} did not start: {}", self.name(), e.toString());
            }
        });
        return new QuorumPeer(server, self);
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
    }
}
