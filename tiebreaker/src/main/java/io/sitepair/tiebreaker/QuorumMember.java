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

    String serverLine() {
        String host = client.getHostString();
        return host + ":" + peerPort + ":" + electionPort + ";" + host + ":" + client.getPort();
    }

    String connectString() {
        return client.getHostString() + ":" + client.getPort();
    }
}
