package io.sitepair.ops.command;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.pki.PairCa;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sitepair cert init|issue|show|rotate}: the pair CA and its certificates. */
@Command(name = "cert", mixinStandardHelpOptions = true,
        description = "Issue, list and rotate the pair's certificates (the tls: section of the configuration).",
        subcommands = {CertInitCommand.class, CertIssueCommand.class, CertShowCommand.class, CertRotateCommand.class})
final class CertCommand {
    /** {@code --ca-key PATH}: where the pair CA's key is, when not where {@code init} put it. */
    static final class CaKeyOption {
        @Option(names = "--ca-key", paramLabel = "PATH",
                description = "The pair CA's key (default: tls/ca.key beside the configuration file).")
        private Path key;

        Path file(PairConfig config) {
            return PairCa.keyFile(config, key);
        }
    }
}
