package io.sitepair.tiebreaker;

import java.net.InetSocketAddress;

/**
 * One member of the pair's ZooKeeper quorum: a site or the witness.
 *
 * @param id       ZooKeeper's server id (myid), unique in the ensemble
 * @param client   where clients (the sites' arbiters, {@code sitepair endpoint}) connect
 * @param peerPort the quorum port followers use to reach the leader, on the client address's host
 * @param electionPort the leader-election port, on the same host
 */
public record QuorumMember(int id, String name, InetSocketAddress client, int peerPort, int electionPort) {
    public QuorumMember {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("quorum member id must be 1..255, not " + id);
        }
    }

    /** This member's line in the ensemble's configuration: its quorum addresses, and its client port unless TLS. */
    String serverLine(boolean tls) {
        String host = client.getHostString();
        String quorum = host + ":" + peerPort + ":" + electionPort;
        // A client address here opens a plaintext client port; with TLS the secure port is the only one.
        return tls ? quorum : quorum + ";" + host + ":" + client.getPort();
    }

    String connectString() {
        return client.getHostString() + ":" + client.getPort();
    }
}
