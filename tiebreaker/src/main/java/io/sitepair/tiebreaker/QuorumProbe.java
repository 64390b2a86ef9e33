package io.sitepair.tiebreaker;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;

/**
 * Asks each ensemble member whether it is serving (ZooKeeper's {@code srvr} command: a member in a
 * quorum reports its mode, leader or follower), so an operator sees how much failure the quorum
 * can still take before it happens.
 */
public final class QuorumProbe {
    /** What the probe found: the members serving in a quorum, and those that did not. */
    public record Report(List<String> serving, List<String> down, int ensembleSize) {
        public int majority() {
            return ensembleSize / 2 + 1;
        }

        /** One line for operators: how many serve, and whether a failover could still be arbitrated. */
        public String describe() {
            String counts = serving.size() + " of " + ensembleSize + " ZooKeeper peers serving"
                    + (down.isEmpty() ? "" : " (down: " + String.join(", ", down) + ")");
            if (serving.size() < majority()) {
                return counts + ": NO QUORUM, no site can go live";
            }
            if (serving.size() == majority()) {
                return counts + ": a failover is impossible until a peer returns (losing one more leaves no quorum)";
            }
            return counts + ": failover possible";
        }
    }

    private QuorumProbe() {}

    /** Probes {@code members} (name to client address) in plaintext, each within {@code timeout}. */
    public static Report probe(List<QuorumMember> members, Duration timeout) {
        return probe(members, timeout, SocketFactory.getDefault());
    }

    /** Probes {@code members} over TLS with {@code tls}'s certificate (null: plaintext), each within {@code timeout}. */
    public static Report probe(List<QuorumMember> members, Duration timeout, ZooKeeperTls tls) {
        if (tls == null) {
            return probe(members, timeout);
        }
        try (ZooKeeperClientTls client = ZooKeeperClientTls.open(tls)) {
            return probe(members, timeout, client.socketFactory());
        }
    }

    private static Report probe(List<QuorumMember> members, Duration timeout, SocketFactory sockets) {
        List<String> serving = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (QuorumMember m : members) {
            (serves(m.client(), timeout, sockets) ? serving : down).add(m.name());
        }
        return new Report(serving, down, members.size());
    }

    private static boolean serves(InetSocketAddress address, Duration timeout, SocketFactory sockets) {
        try (Socket s = sockets.createSocket()) {
            s.connect(address, (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return reply.contains("Mode: leader") || reply.contains("Mode: follower");
        } catch (IOException e) {
            return false;
        }
    }
}
