package io.sitepair.ops.command;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsHolder;
import io.sitepair.ops.pki.PairCa;
import io.sitepair.ops.site.OperatorError;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair cert issue --operator NAME}: a client certificate for a person or a monitoring system. */
@Command(name = "issue", mixinStandardHelpOptions = true,
        description = "Issue an operator's certificate from the pair CA: it may read status and metrics and operate"
                + " (failover, verify, resync, inject); with --read-only, a monitor's, which may only read status and"
                + " metrics. Writes NAME.crt and NAME.key (owner only) and prints their paths; never overwrites.")
final class CertIssueCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    CertCommand.CaKeyOption caKey;

    @Option(names = "--operator", required = true, paramLabel = "NAME",
            description = "Who the certificate names (letters, digits, '.', '_' and '-').")
    String name;

    @Option(names = "--read-only", description = "A monitor's certificate: status and metrics only.")
    boolean readOnly;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write NAME.crt and NAME.key (default: the directory of the CA file).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PairConfig pair = config.load();
        PairCa.requireTls(pair);
        PairPrincipal holder;
        try {
            holder = readOnly ? PairPrincipal.monitor(pair.pair(), name) : PairPrincipal.operator(pair.pair(), name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--operator: " + e.getMessage());
        }
        Path dir = out != null ? out.toAbsolutePath().normalize() : pair.tls().ca().getParent();
        Path certificate = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        for (Path file : List.of(certificate, key)) {
            if (Files.exists(file)) {
                throw new OperatorError(file + " already exists; not overwriting it (choose another --out or NAME)");
            }
        }
        PairAuthority ca = PairCa.load(pair, caKey.file(pair));
        PairAuthority.Issued issued = ca.issue(holder, TlsHolder.LOOPBACK, Instant.now(),
                PairAuthority.CERTIFICATE_VALIDITY);
        issued.write(certificate, key);
        PrintWriter text = spec.commandLine().getOut();
        text.printf("issued a certificate for %s, serial %s, valid until %s%n", holder,
                issued.certificate().getSerialNumber().toString(16), issued.certificate().getNotAfter().toInstant());
        text.printf("to act as %s, name these files in the configuration on that machine: tls: {operator: {cert: %s,"
                + " key: %s}}%n", name, pair.nameOf(certificate), pair.nameOf(key));
        text.println(certificate);
        text.println(key);
        text.flush();
        return 0;
    }
}
