package io.sitepair.tiebreaker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.util.PemReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper's PEM key store is one file holding both the private key and the certificate, where the
 * pair keeps them in two. This writes the one file (owner-only, replaced whole) from the two, and
 * writes it again when either changes, once the new key matches the new certificate (a rotation
 * rewrites them one after the other). ZooKeeper then takes the new certificate at its next
 * handshake: its quorum reloads the file on change ({@code sslQuorumReloadCertFiles}), its secure
 * client port and its clients read the file at every connection.
 */
final class PemKeyStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PemKeyStore.class);
    private static final long CHECK_EVERY_MS = 1000;
    private static final ScheduledExecutorService CHECKS = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("sitepair-zookeeper-keystore").factory());

    private final ZooKeeperTls tls;
    private final Path file;
    private final Runnable onChange;
    private final ScheduledFuture<?> checks;
    private volatile List<FileTime> written;

    private PemKeyStore(ZooKeeperTls tls, Path file, Runnable onChange) {
        this.tls = tls;
        this.file = file;
        this.onChange = onChange;
        this.written = stamps();
        write();
        this.checks = CHECKS.scheduleWithFixedDelay(this::rewriteIfChanged, CHECK_EVERY_MS, CHECK_EVERY_MS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Writes {@code tls}'s key store to {@code file} and keeps it current; {@code onChange} runs after
     * each rewrite (and after the CA file changed), on the checking thread.
     */
    static PemKeyStore create(ZooKeeperTls tls, Path file, Runnable onChange) {
        return new PemKeyStore(tls, file, onChange);
    }

    Path file() {
        return file;
    }

    private void rewriteIfChanged() {
        List<FileTime> now = stamps();
        if (now.equals(written)) {
            return;
        }
        try {
            write();
            written = now;
            LOG.info("ZooKeeper TLS files changed ({}); the next handshake uses them", tls.certificate());
            onChange.run();
        } catch (RuntimeException e) {
            // Half-way through a rotation (the key not yet the certificate's), or a file being
            // rewritten: the key store in use is kept and the next check tries again.
            LOG.debug("not yet reloading ZooKeeper TLS files: {}", e.getMessage());
        }
    }

    private void write() {
        try {
            String certificate = Files.readString(tls.certificate());
            String key = Files.readString(tls.key());
            checkMatch(tls);
            Files.createDirectories(file.getParent());
            Path next = file.resolveSibling("." + file.getFileName() + ".new");
            Files.deleteIfExists(next);
            Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(next, key + (key.endsWith("\n") ? "" : "\n") + certificate);
            try {
                Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ZooKeeper's key store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Throws unless the key in {@code tls} is the private key of its certificate. */
    private static void checkMatch(ZooKeeperTls tls) {
        try {
            X509Certificate certificate = PemReader.readCertificateChain(tls.certificate().toFile()).getFirst();
            PrivateKey key = PemReader.loadPrivateKey(tls.key().toFile(), Optional.empty());
            if (!KeyPairs.matches(certificate, key)) {
                throw new IllegalStateException(tls.key() + " is not the key of the certificate in " + tls.certificate());
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + tls.certificate() + " and " + tls.key() + ": "
                    + e.getMessage(), e);
        }
    }

    private List<FileTime> stamps() {
        try {
            return List.of(Files.getLastModifiedTime(tls.ca()), Files.getLastModifiedTime(tls.certificate()),
                    Files.getLastModifiedTime(tls.key()));
        } catch (IOException e) {
            return List.of(); // a file being replaced: seen as a change, checked again
        }
    }

    @Override
    public void close() {
        checks.cancel(false);
    }
}
