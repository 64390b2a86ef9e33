package io.sitepair.replicator.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sitepair.tiebreaker.PairMac;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The logging channel's handshake rules: compatibility checks and mutual authentication.
 *
 * <p>Each side proves it knows the pair's secret with an HMAC-SHA256 over the whole transcript so
 * far (both fresh nonces included), so a proof cannot be replayed into another connection and a
 * tampered Hello fails the check. With TLS, the transcript begins with the TLS session's binding
 * ({@link ChannelTls#binding}): a proof relayed from one TLS session into another fails, so a
 * stolen certificate without the secret, or the secret without a certificate, is not enough.
 * Comparisons are constant-time.
 */
final class Handshake {
    static final int NONCE_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {}

    static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /**
     * Why a backup must refuse {@code hello}, or null to accept. {@code epoch} and
     * {@code streamId} are the backup's own (stream 0: it replays nothing yet).
     */
    static String refusal(ChannelMessage.Hello hello, PairIdentity me, long epoch, long streamId) {
        if (hello.protocol() != ChannelMessage.PROTOCOL_VERSION) {
            return "the peer speaks protocol version " + hello.protocol() + ", this site version "
                    + ChannelMessage.PROTOCOL_VERSION + " (run the same sitepair release on both sites)";
        }
        if (!hello.pair().equals(me.pair())) {
            return "the peer belongs to pair '" + hello.pair() + "', this site to pair '" + me.pair() + "'";
        }
        if (!hello.site().equals(me.peer())) {
            return "the peer calls itself site '" + hello.site() + "', but this site's peer is '" + me.peer() + "'";
        }
        if (!Arrays.equals(hello.guestHash(), me.guestHash())) {
            return "the peer runs guest module " + java.util.HexFormat.of().formatHex(hello.guestHash())
                    + ", this site " + me.guestHashHex();
        }
        if (!hello.arch().equals(me.arch())) {
            return "the peer's CPU architecture is " + hello.arch() + ", this site's " + me.arch()
                    + " (replay must run on the same architecture)";
        }
        if (!hello.diskBlocks().equals(me.diskBlocks())) {
            return "the peer's disks have " + hello.diskBlocks() + " blocks, this site's " + me.diskBlocks();
        }
        if (hello.loggedReads() != me.loggedReads()) {
            return "logged-reads is " + hello.loggedReads() + " on the peer, " + me.loggedReads() + " here";
        }
        if (hello.epoch() < epoch) {
            return "stale epoch: the peer is at epoch " + hello.epoch() + ", this site at " + epoch;
        }
        if (hello.epoch() > epoch) {
            return "this site's epoch " + epoch + " is behind the peer's " + hello.epoch()
                    + "; it must rejoin through re-protection";
        }
        if (streamId != 0 && streamId != hello.streamId()) {
            return "this backup replays another run of the primary (stream " + Long.toHexString(streamId)
                    + ", offered " + Long.toHexString(hello.streamId()) + "); restart the backup to protect the new run";
        }
        return null;
    }

    /** The backup's proof, over the channel binding, the Hello and the Welcome's own fields. */
    static byte[] welcomeMac(byte[] secret, byte[] binding, ChannelMessage.Hello hello,
                             ChannelMessage.Welcome unsigned) {
        return transcriptMac(secret, "sitepair welcome", binding, hello, unsigned::writeUnsigned);
    }

    /** The primary's proof, over the channel binding, the Hello and the whole Welcome. */
    static byte[] proofMac(byte[] secret, byte[] binding, ChannelMessage.Hello hello, ChannelMessage.Welcome welcome) {
        return transcriptMac(secret, "sitepair proof", binding, hello, welcome::writeBody);
    }

    /**
     * HMAC over a label (so one proof cannot pass for the other), the channel binding (empty without
     * TLS), the Hello, then the Welcome's part.
     */
    private static byte[] transcriptMac(byte[] secret, String label, byte[] binding, ChannelMessage.Hello hello,
                                        java.util.function.Consumer<ByteBuf> welcomePart) {
        ByteBuf transcript = Unpooled.buffer();
        try {
            transcript.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Wire.writeBytes(transcript, binding);
            hello.writeBody(transcript);
            welcomePart.accept(transcript);
            return hmac(secret, transcript);
        } finally {
            transcript.release();
        }
    }

    static boolean verify(byte[] expected, byte[] actual) {
        return PairMac.matches(expected, actual);
    }

    static byte[] hmac(byte[] secret, ByteBuf data) {
        return PairMac.of(secret, data.nioBuffer());
    }
}
