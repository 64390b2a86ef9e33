package io.sitepair.tiebreaker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.client.ZKClientConfig;
import javax.net.SocketFactory;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.common.X509Exception;

/**
 * A ZooKeeper client's TLS: its own {@link ZKClientConfig} (never the JVM-wide system properties,
 * which an embedded peer in the same process fills with its server settings) on the Netty socket,
 * TLS 1.3, and the key store ZooKeeper needs, kept in a directory of its own that only this user
 * can read and that {@link #close} removes.
 */
public final class ZooKeeperClientTls implements AutoCloseable {
    private static final String DIR_PREFIX = "sitepair-zookeeper-";

    private final ZooKeeperTls tls;
    private final Path dir;
    private final PemKeyStore keyStore;

    private ZooKeeperClientTls(ZooKeeperTls tls, Path dir, PemKeyStore keyStore) {
        this.tls = tls;
        this.dir = dir;
        this.keyStore = keyStore;
    }

    public static ZooKeeperClientTls open(ZooKeeperTls tls) {
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            removeOrphans(tmp);
            // owner-only; named by this process, so that a later one can remove it if this one is killed
            Path dir = Files.createTempDirectory(tmp, DIR_PREFIX + ProcessHandle.current().pid() + "-");
            return new ZooKeeperClientTls(tls, dir, PemKeyStore.create(tls, dir.resolve("keystore.pem"), () -> {}));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for ZooKeeper's key store: " + e.getMessage(), e);
        }
    }

    /**
     * A new configuration for one client. The server's host name is verified (ZooKeeper's check and
     * Netty's): the certificate of the member dialled must name the address in the connect string.
     */
    public ZKClientConfig config() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, ClientCnxnSocketNetty.class.getName());
        try (ClientX509Util x509 = new ClientX509Util()) {
            config.setProperty(x509.getSslKeystoreLocationProperty(), keyStore.file().toString());
            config.setProperty(x509.getSslKeystoreTypeProperty(), "PEM");
            config.setProperty(x509.getSslTruststoreLocationProperty(), tls.ca().toString());
            config.setProperty(x509.getSslTruststoreTypeProperty(), "PEM");
            config.setProperty(x509.getSslProtocolProperty(), QuorumPeer.TLS_PROTOCOL);
            config.setProperty(x509.getSslEnabledProtocolsProperty(), QuorumPeer.TLS_PROTOCOL);
            config.setProperty(x509.getSslHostnameVerificationEnabledProperty(), "true");
        }
        return config;
    }

    /** Sockets speaking TLS with this configuration, for ZooKeeper's four-letter commands. */
    SocketFactory socketFactory() {
        try (ClientX509Util x509 = new ClientX509Util()) {
            return x509.createSSLContext(config()).getSocketFactory();
        } catch (X509Exception.SSLContextException e) {
            throw new IllegalStateException("cannot use the TLS files " + tls + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes the key store directories in {@code tmp} of processes that are gone: a process killed
     * (kill -9) cannot remove its own, and each holds a copy of a private key.
     */
    static void removeOrphans(Path tmp) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*-*")) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                String pid = name.substring(DIR_PREFIX.length(), name.indexOf('-', DIR_PREFIX.length()));
                if (pid.chars().allMatch(Character::isDigit) && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    deleteDirectory(dir);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // another user's directory, or another process removing it now: not ours to insist on
        }
    }

    private static void deleteDirectory(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Override
    public void close() {
        keyStore.close();
        try {
            Files.deleteIfExists(keyStore.file());
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove ZooKeeper's key store " + keyStore.file(), e);
        }
    }
}
