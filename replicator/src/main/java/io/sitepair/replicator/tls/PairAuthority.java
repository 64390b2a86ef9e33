package io.sitepair.replicator.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import io.sitepair.tiebreaker.KeyPairs;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A pair's certificate authority: an EC P-256 key and a self-signed CA certificate, which issues
 * the certificates of the pair's sites, witness and operators. Its key stays on the machine where
 * {@code sitepair init} ran; a site needs only the CA's certificate.
 */
public final class PairAuthority {
    /** A CA outlives the certificates it issues; rotating it is a planned event every few years. */
    public static final Duration CA_VALIDITY = Duration.ofDays(10 * 365);
    public static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(825);
    /** Issued a little in the past, so a peer whose clock is slightly behind does not see it as not yet valid. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String pair;
    private final X509Certificate certificate;
    private final PrivateKey key;

    private PairAuthority(String pair, X509Certificate certificate, PrivateKey key) {
        this.pair = pair;
        this.certificate = certificate;
        this.key = key;
    }

    /** A new CA for {@code pair}, valid from {@code now} for {@code validity}. */
    public static PairAuthority create(String pair, Instant now, Duration validity) {
        KeyPair keys = newKeyPair();
        X500Principal subject = new X500Principal("CN=sitepair " + pair + " CA " + now.getEpochSecond()
                + ",O=sitepair " + pair);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new PairAuthority(pair, sign(builder, keys.getPrivate()), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
        }
    }

    /** The CA in {@code certificateFile} (its first certificate) and {@code keyFile}, which must match. */
    public static PairAuthority load(String pair, Path certificateFile, Path keyFile) {
        KeyFiles.checkPrivate(keyFile);
        X509Certificate certificate = PemFiles.readCertificates(certificateFile).getFirst();
        PrivateKey key = PemFiles.readKey(keyFile);
        if (!KeyPairs.matches(certificate, key)) {
            throw new TlsException(keyFile + " is not the key of the CA certificate in " + certificateFile);
        }
        return new PairAuthority(pair, certificate, key);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Whether the CA certificate {@code ca} signed {@code certificate}. */
    public static boolean signed(X509Certificate ca, X509Certificate certificate) {
        if (!ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false; // another CA of the same name (one replaced by a CA of the same pair)
        }
    }

    /** Writes the CA's certificate and key (owner only). */
    public void write(Path certificateFile, Path keyFile) throws IOException {
        writeKey(keyFile);
        PemFiles.writeCertificates(certificateFile, List.of(certificate));
    }

    /** Writes the CA's key alone (owner only): a CA rotation writes the certificate into a bundle with the old CA. */
    public void writeKey(Path keyFile) throws IOException {
        PemFiles.writeKey(keyFile, key);
    }

    /**
     * A certificate for {@code holder}, for TLS as server and as client, naming the host names and
     * addresses in {@code hosts} (clients that check host names need every address they dial).
     */
    public Issued issue(PairPrincipal holder, List<String> hosts, Instant now, Duration validity) {
        if (!holder.pair().equals(pair)) {
            throw new IllegalArgumentException("the CA of pair '" + pair + "' cannot issue for " + holder);
        }
        KeyPair keys = newKeyPair();
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, holder.uri()));
        for (String host : hosts) {
            names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
        }
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
            notAfter = certificate.getNotAfter().toInstant(); // never outlives its CA
        }
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), new X500Principal(holder.subject()),
                    keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(certificate));
            return new Issued(sign(builder, key), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + holder + ": " + e.getMessage(), e);
        }
    }

    /** An issued certificate and its key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        /** Writes the key (owner only), then the certificate: a reader that sees the new certificate finds its key. */
        public void write(Path certificateFile, Path keyFile) throws IOException {
            PemFiles.writeKey(keyFile, key);
            PemFiles.writeCertificates(certificateFile, List.of(certificate));
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    /** Whether {@code host} is an IPv4 or IPv6 literal (never a lookup). */
    private static boolean isAddress(String host) {
        if (!host.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
