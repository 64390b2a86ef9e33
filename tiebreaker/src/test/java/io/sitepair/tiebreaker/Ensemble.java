package io.sitepair.tiebreaker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Three real ZooKeeper peers in this JVM, on free loopback ports, for the tests. */
final class Ensemble implements AutoCloseable {
    static final Duration TICK = Duration.ofMillis(200);

    final List<QuorumMember> members = new ArrayList<>();
    final QuorumPeer[] peers = new QuorumPeer[3];
    private final Path dir;

    Ensemble(Path dir) throws Exception {
        this.dir = dir;
        String[] names = {"a", "b", "witness"};
        for (int i = 0; i < 3; i++) {
            members.add(new QuorumMember(i + 1, names[i], new InetSocketAddress("127.0.0.1", freePort()), freePort(),
                    freePort()));
        }
        for (int i = 0; i < 3; i++) {
            start(i);
        }
    }

    void start(int i) throws Exception {
        peers[i] = QuorumPeer.start(dir.resolve(members.get(i).name()), members.get(i), members, TICK);
    }

    void stop(int i) {
        peers[i].close();
        peers[i] = null;
    }

    String connectString() {
        return QuorumPeer.connectString(members);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < 3; i++) {
            if (peers[i] != null) {
                stop(i);
            }
        }
    }
}
