package io.sitepair.replicator.channel;

import java.util.HexFormat;
import java.util.List;

/**
 * What one site of a pair is, as the handshake compares it: the pair's name and shared secret,
 * this site's name and its peer's, and what the log can be replayed on (guest module, CPU
 * architecture, disk geometry, read mode). Both sites must agree on all but the site names.
 */
public record PairIdentity(String pair, byte[] secret, String site, String peer, byte[] guestHash, String arch,
                           List<Long> diskBlocks, boolean loggedReads) {
    public PairIdentity {
        diskBlocks = List.copyOf(diskBlocks);
        if (secret.length < 16) {
            throw new IllegalArgumentException("the pair's secret must be at least 16 bytes");
        }
    }

    String guestHashHex() {
        return HexFormat.of().formatHex(guestHash);
    }
}
