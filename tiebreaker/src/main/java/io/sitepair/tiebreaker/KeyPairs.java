package io.sitepair.tiebreaker;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Whether a private key belongs to a certificate: what every reader of the pair's key files checks
 * before using them, since a rotation writes the key and the certificate one after the other.
 */
public final class KeyPairs {
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyPairs() {}

    /** Whether {@code key} is the private half of {@code certificate}'s public key: it signs, the certificate verifies. */
    public static boolean matches(X509Certificate certificate, PrivateKey key) {
        byte[] probe = new byte[32];
        RANDOM.nextBytes(probe);
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
