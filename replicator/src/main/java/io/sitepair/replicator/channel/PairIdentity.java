package io.sitepair.replicator.channel;

import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.TlsIdentity;
import java.util.HexFormat;
import java.util.List;

/**
 * What one site of a pair is, as the handshake compares it: the pair's name and shared secret,
 * this site's name and its peer's, and what the log can be replayed on (guest module, CPU
 * architecture, disk geometry, read mode). Both sites must agree on all but the site names.
 *
 * <p>{@code tls} is this site's certificate and the pair's CA: the logging channel then runs in
 * mutual TLS 1.3 and accepts only {@link #peerPrincipal()} at the other end. Null turns TLS off,
 * which only a lab pair on loopback may do ({@code tls: {mode: off}}): the log, client requests
 * and resynced disks then cross the link in clear, authenticated by the secret alone.
 */
public record PairIdentity(String pair, byte[] secret, String site, String peer, byte[] guestHash, String arch,
                           List<Long> diskBlocks, boolean loggedReads, TlsIdentity tls) {
    public PairIdentity {
        diskBlocks = List.copyOf(diskBlocks);
        if (secret.length < 16) {
            throw new IllegalArgumentException("the pair's secret must be at least 16 bytes");
        }
    }

    /** Who the peer's certificate must name: the other site of this pair. */
    public PairPrincipal peerPrincipal() {
        return PairPrincipal.site(pair, peer);
    }

    String guestHashHex() {
        return HexFormat.of().formatHex(guestHash);
    }
}
