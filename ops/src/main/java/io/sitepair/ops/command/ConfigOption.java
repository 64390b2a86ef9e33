package io.sitepair.ops.command;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}: the site-pair configuration every pair command reads, declared once. */
final class ConfigOption {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The site-pair configuration.")
    private Path file;

    Path file() {
        return file;
    }

    /** The configuration, parsed and checked; a bad file fails naming what is wrong and where. */
    PairConfig load() {
        return PairConfigParser.load(file);
    }
}
