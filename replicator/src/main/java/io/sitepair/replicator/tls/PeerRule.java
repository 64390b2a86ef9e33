package io.sitepair.replicator.tls;

/** Which holders of this pair's certificates an end accepts as its peer. */
@FunctionalInterface
public interface PeerRule {
    /** Why {@code peer} (of this pair, with a valid certificate) is refused, or null to accept it. */
    String refusal(PairPrincipal peer);

    /** Any holder of a certificate of this pair; what it may do is decided per request. */
    PeerRule ANY_OF_THE_PAIR = peer -> null;

    /** Exactly {@code expected}: "the wrong site's certificate" is refused. */
    static PeerRule only(PairPrincipal expected) {
        return peer -> peer.equals(expected) ? null
                : "the peer's certificate belongs to " + peer + "; only " + expected + " may connect here";
    }
}
