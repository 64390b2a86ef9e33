package io.sitepair.ops.pki;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsHolder;
import io.sitepair.ops.site.OperatorError;
import io.sitepair.replicator.tls.PairAuthority;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pair's CA as the {@code cert} commands find it: its certificate first in the configuration's
 * {@code tls.ca} file, its key where {@code sitepair init} left it (the machine init ran on).
 */
public final class PairCa {
    private PairCa() {}

    /** The CA's key file: {@code named}, or else {@code tls/ca.key} beside the configuration. */
    public static Path keyFile(PairConfig config, Path named) {
        return named != null ? named.toAbsolutePath().normalize() : TlsHolder.defaultCaKey(config);
    }

    /** Where a CA rotation keeps the old CA's key until {@code cert rotate --finish}. */
    public static Path oldKeyFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".old");
    }

    /** The current CA (the first in the CA file) and its key; an error names the file and what to do. */
    public static PairAuthority load(PairConfig config, Path keyFile) {
        requireTls(config);
        if (!Files.exists(keyFile)) {
            throw new OperatorError("the pair CA's key " + keyFile + " does not exist: run this on the machine where"
                    + " `sitepair init` ran (the CA's key stays there), or name the key with --ca-key");
        }
        return PairAuthority.load(config.pair(), config.tls().ca(), keyFile);
    }

    /** Refuses a configuration that says {@code tls: {mode: off}}: it has no CA. */
    public static void requireTls(PairConfig config) {
        if (!config.tls().on()) {
            throw new OperatorError(config.file() + ": tls is off (mode: off), so the pair has no CA and no"
                    + " certificates; name them in the tls: section and create them with `sitepair cert init`");
        }
    }
}
