package io.sitepair.replicator.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A throwaway pair PKI in a directory, for tests: the CA of {@code pair}, and certificates issued
 * on demand for loopback ({@code localhost}, {@code 127.0.0.1}), written as {@code <name>.crt} and
 * {@code <name>.key}.
 */
public final class TestPki {
    public static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1");

    private final Path dir;
    private final PairAuthority authority;
    private final Path caFile;

    public TestPki(Path dir, String pair) {
        this.dir = dir;
        this.authority = PairAuthority.create(pair, Instant.now(), PairAuthority.CA_VALIDITY);
        this.caFile = dir.resolve("ca.crt");
        try {
            authority.write(caFile, dir.resolve("ca.key"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public PairAuthority authority() {
        return authority;
    }

    public Path caFile() {
        return caFile;
    }

    /** Files for {@code holder}, valid for a year from now. */
    public TlsFiles issue(PairPrincipal holder) {
        return issue(holder, Instant.now(), Duration.ofDays(365));
    }

    /** Files for {@code holder}, valid from {@code from} for {@code validity} (an expired one, a future one). */
    public TlsFiles issue(PairPrincipal holder, Instant from, Duration validity) {
        return issue(authority, holder, from, validity);
    }

    /**
     * Files for {@code holder} issued by {@code ca} (this pair's, or another, for a foreign
     * certificate), with this pair's CA file as what they trust.
     */
    public TlsFiles issue(PairAuthority ca, PairPrincipal holder, Instant from, Duration validity) {
        String name = holder.kind().label() + "-" + holder.name() + "-" + System.nanoTime();
        TlsFiles files = new TlsFiles(caFile, dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
        try {
            ca.issue(holder, LOOPBACK, from, validity).write(files.certificate(), files.key());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** {@code holder}'s identity, loaded. */
    public TlsIdentity identity(PairPrincipal holder) {
        return TlsIdentity.load(holder.pair(), issue(holder));
    }
}
