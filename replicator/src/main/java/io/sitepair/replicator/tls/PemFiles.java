package io.sitepair.replicator.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Certificates and keys as PEM files. Reading names the file in every error. Writing replaces a
 * file whole (a new file renamed over the old), so a site reloading its certificate during a
 * rotation never reads half of one; keys are created readable by their owner only.
 */
public final class PemFiles {
    private PemFiles() {}

    /** Every certificate in {@code file}, in order (a CA file may hold two CAs while one replaces the other). */
    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(reader(file))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (!(object instanceof X509CertificateHolder holder)) {
                    throw new TlsException(file + " holds a " + kind(object) + " where certificates were expected");
                }
                certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
            }
        } catch (IOException | CertificateException | IllegalStateException | IllegalArgumentException e) {
            throw new TlsException(file + " is not a PEM certificate file (" + e.getMessage() + ")", e);
        }
        if (certificates.isEmpty()) {
            throw new TlsException(file + " holds no PEM certificate");
        }
        return certificates;
    }

    /** The private key in {@code file} (PKCS#8, or an EC or RSA key pair as OpenSSL writes them). */
    public static PrivateKey readKey(Path file) {
        try (PEMParser parser = new PEMParser(reader(file))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            return switch (object) {
                case PrivateKeyInfo info -> converter.getPrivateKey(info);
                case PEMKeyPair pair -> converter.getKeyPair(pair).getPrivate();
                case null -> throw new TlsException(file + " holds no PEM private key");
                default -> throw new TlsException(file + " holds a " + kind(object) + " where a private key was"
                        + " expected (an encrypted key is not supported: the site starts unattended)");
            };
        } catch (IOException | IllegalStateException | IllegalArgumentException e) {
            throw new TlsException(file + " is not a PEM private key file (" + e.getMessage() + ")", e);
        }
    }

    /** Writes {@code certificates} to {@code file}, replacing it whole. */
    public static void writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : certificates) {
                pem.writeObject(certificate);
            }
        }
        replace(file, text.toString(), false);
    }

    /** Writes {@code key} (PKCS#8) to {@code file}, readable by its owner only, replacing it whole. */
    public static void writeKey(Path file, PrivateKey key) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
        replace(file, text.toString(), true);
    }

    private static void replace(Path file, String text, boolean ownerOnly) throws IOException {
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path next = absolute.resolveSibling("." + absolute.getFileName() + ".new");
        Files.deleteIfExists(next);
        try {
            if (ownerOnly && Files.getFileStore(absolute.getParent()).supportsFileAttributeView("posix")) {
                Files.createFile(next, PosixFilePermissions.asFileAttribute(KeyFiles.OWNER_ONLY));
            } else {
                Files.createFile(next);
            }
        } catch (FileAlreadyExistsException raced) {
            throw new IOException(next + " appeared while writing it: is another sitepair writing " + file + "?");
        }
        Files.writeString(next, text, StandardCharsets.US_ASCII);
        try {
            Files.move(next, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, absolute, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Reader reader(Path file) {
        try {
            return Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new TlsException(file + " does not exist");
        } catch (IOException e) {
            throw new TlsException(file + " cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static String kind(Object object) {
        return object.getClass().getSimpleName();
    }
}
