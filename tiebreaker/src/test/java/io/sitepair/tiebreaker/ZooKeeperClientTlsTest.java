package io.sitepair.tiebreaker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooKeeperClientTlsTest {
    @Test
    void removesTheKeyStoresOfProcessesThatAreGoneOnly(@TempDir Path tmp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path orphan = keyStoreDirectory(tmp, "sitepair-zookeeper-" + gone.pid() + "-123");
        Path live = keyStoreDirectory(tmp, "sitepair-zookeeper-" + ProcessHandle.current().pid() + "-456");
        Path unrelated = keyStoreDirectory(tmp, "sitepair-zookeeper-backup-789");

        ZooKeeperClientTls.removeOrphans(tmp);

        assertFalse(Files.exists(orphan), "a killed process's copy of its key");
        assertTrue(Files.exists(live.resolve("keystore.pem")), "a running process's key store");
        assertTrue(Files.exists(unrelated.resolve("keystore.pem")), "a directory not named by a process");
    }

    private static Path keyStoreDirectory(Path tmp, String name) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve(name));
        Files.writeString(dir.resolve("keystore.pem"), "-----BEGIN PRIVATE KEY-----\n");
        return dir;
    }
}
