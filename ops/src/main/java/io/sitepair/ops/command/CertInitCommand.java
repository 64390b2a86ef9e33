package io.sitepair.ops.command;

import io.sitepair.ops.config.InitCommand;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsHolder;
import io.sitepair.ops.pki.PairCa;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sitepair cert init}: the pair CA and every certificate that the configuration's
 * {@code tls:} section names, for a pair whose configuration was written by hand (or before TLS),
 * as {@code init --lab} makes them for a lab.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create the pair CA (its key in tls/ca.key beside the configuration) and a certificate and key"
                + " for every holder the tls: section names (sites, witness, operator), with the host names and"
                + " addresses of their configured addresses. Never overwrites a file. Run it on the operator's"
                + " machine, then copy each file where the output says.")
final class CertInitCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PairConfig pair = config.load();
        PairCa.requireTls(pair);
        TlsHolder.createPki(pair, Instant.now());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("pair '%s':%n", pair.pair());
        InitCommand.printPki(out, pair);
        out.flush();
        return 0;
    }
}
