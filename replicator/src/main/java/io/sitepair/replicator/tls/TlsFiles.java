package io.sitepair.replicator.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one end's TLS material lives: the pair CA's certificate (or two CAs while one replaces the
 * other), this end's certificate and its private key. Paths are absolute.
 */
public record TlsFiles(Path ca, Path certificate, Path key) {
    public TlsFiles {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }
}
