package io.sitepair.tiebreaker;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM files with which a ZooKeeper peer or client speaks TLS: the CA certificates it trusts
 * (the pair CA, or two while one replaces the other), its own certificate and its private key.
 * Rotation rewrites these files in place; peers and clients pick the new ones up without a restart.
 */
public record ZooKeeperTls(Path ca, Path certificate, Path key) {
    public ZooKeeperTls {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }
}
