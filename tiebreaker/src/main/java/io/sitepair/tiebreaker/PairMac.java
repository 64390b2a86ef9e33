package io.sitepair.tiebreaker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pair's one message authentication code: HMAC-SHA256 under the pair's shared secret, which
 * only holders of the configuration know. It proves a peer in the handshake, signs heartbeats and
 * operator requests, and derives the tiebreaker's ZooKeeper credential.
 */
public final class PairMac {
    private static final String ALGORITHM = "HmacSHA256";

    private PairMac() {}

    /** The MAC of {@code message}'s remaining bytes (its position is left as it was). */
    public static byte[] of(byte[] secret, ByteBuffer message) {
        Mac mac = keyed(secret);
        mac.update(message.duplicate());
        return mac.doFinal();
    }

    /** The MAC of {@code message} in UTF-8. */
    public static byte[] of(byte[] secret, String message) {
        return keyed(secret).doFinal(message.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether two MACs are equal, in time independent of where they differ (no timing oracle). */
    public static boolean matches(byte[] expected, byte[] given) {
        return MessageDigest.isEqual(expected, given);
    }

    private static Mac keyed(byte[] secret) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new AssertionError(ALGORITHM + " is part of every JDK", e);
        }
    }
}
