package io.sitepair.ops.config;

import io.sitepair.replicator.tls.TlsFiles;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code tls:} section: the pair CA's certificate, and where each holder's certificate and key
 * are (the two sites, the witness, and optionally the operator the CLI acts as). Off only when the
 * configuration says {@code tls: {mode: off}} in words, for a lab on loopback.
 *
 * @param ca the pair CA's certificate file, absolute; null when TLS is off
 * @param holders certificate and key by holder: site names, {@code witness}, {@code operator}
 */
public record TlsConfig(Path ca, Map<String, TlsFiles> holders) {
    public static final String OPERATOR = "operator";
    public static final TlsConfig OFF = new TlsConfig(null, Map.of());

    public TlsConfig {
        holders = Map.copyOf(holders);
        if (ca == null && !holders.isEmpty()) {
            throw new IllegalArgumentException("certificates without a CA");
        }
    }

    public boolean on() {
        return ca != null;
    }

    /** Whether the configuration names {@code holder}'s certificate. */
    public boolean has(String holder) {
        return holders.containsKey(holder);
    }

    /** {@code holder}'s files; a configuration that lacks them is an error naming the key. */
    public TlsFiles files(String holder) {
        TlsFiles files = holders.get(holder);
        if (files == null) {
            throw new ConfigException("the configuration has no tls." + holder + " (cert and key of " + holder + ")");
        }
        return files;
    }

    @Override
    public String toString() {
        return on() ? "TlsConfig[ca=" + ca + ", holders=" + holders.keySet() + "]" : "TlsConfig[off]";
    }
}
