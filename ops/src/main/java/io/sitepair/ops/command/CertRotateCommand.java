package io.sitepair.ops.command;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsHolder;
import io.sitepair.ops.pki.PairCa;
import io.sitepair.ops.pki.Rotation;
import io.sitepair.replicator.tls.PairAuthority;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sitepair cert rotate [--ca | --finish]}: new certificates, or a new CA, without stopping the pair. */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Re-issue the certificate and key of every holder the configuration names (the sites, the"
                + " witness, the operator) from the pair CA. Each file is replaced whole; running processes use the"
                + " new files from their next connection.",
                "--ca: first a new CA. The CA file then holds the new CA and the old one, both trusted while the"
                        + " machines get their new files; the old CA's key is kept as ca.key.old. --finish, once"
                        + " every machine has its new certificate, drops the old CA.",
                "Says which files to copy to which machine, in which order."})
final class CertRotateCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    CertCommand.CaKeyOption caKey;

    /** {@code --ca} or {@code --finish}, not both. */
    static final class Step {
        @Option(names = "--ca", description = "Replace the CA too (both CAs trusted until --finish).")
        boolean ca;

        @Option(names = "--finish", description = "End a CA rotation: the CA file keeps only the new CA.")
        boolean finish;
    }

    @ArgGroup(exclusive = true)
    Step step = new Step();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PairConfig pair = config.load();
        PairCa.requireTls(pair);
        Path keyFile = caKey.file(pair);
        PrintWriter out = spec.commandLine().getOut();
        String caFile = pair.nameOf(pair.tls().ca());
        if (step.finish) {
            X509Certificate current = Rotation.finish(pair, keyFile);
            out.printf("%s now holds only the CA %s (serial %s): the old CA is no longer trusted, and its key %s is"
                    + " deleted%n", caFile, current.getSubjectX500Principal().getName(),
                    current.getSerialNumber().toString(16), pair.nameOf(PairCa.oldKeyFile(keyFile)));
            out.printf("on separate machines: copy %s to every machine%n", caFile);
            out.flush();
            return 0;
        }
        Instant now = Instant.now();
        PairAuthority ca;
        if (step.ca) {
            ca = Rotation.replaceCa(pair, keyFile, now);
            out.printf("a new pair CA %s (serial %s, valid until %s); %s holds it and the old CA, both trusted until"
                    + " `sitepair cert rotate --finish`; the old CA's key is kept in %s%n",
                    ca.certificate().getSubjectX500Principal().getName(), ca.certificate().getSerialNumber().toString(16),
                    ca.certificate().getNotAfter().toInstant(), caFile, pair.nameOf(PairCa.oldKeyFile(keyFile)));
        } else {
            ca = PairCa.load(pair, keyFile);
        }
        List<Rotation.Reissued> done = Rotation.reissue(pair, ca, now);
        out.printf("re-issued by the CA %s:%n", ca.certificate().getSubjectX500Principal().getName());
        for (Rotation.Reissued r : done) {
            out.printf("  %s: %s, serial %s, valid until %s%n", r.holder().key(),
                    pair.nameOf(r.holder().files().certificate()), r.certificate().getSerialNumber().toString(16),
                    r.certificate().getNotAfter().toInstant());
        }
        out.println("processes on this machine use them from their next connection; on separate machines, copy:");
        if (step.ca) {
            out.printf("  1. first, to every machine: %s (both CAs), so that every machine trusts the new certificates"
                    + " before any is used%n", caFile);
        }
        String prefix = step.ca ? "  2. then " : "  ";
        for (Rotation.Reissued r : done) {
            TlsHolder h = r.holder();
            out.printf("%sto %s: %s and %s%n", prefix, h.machine(), pair.nameOf(h.files().certificate()),
                    pair.nameOf(h.files().key()));
        }
        if (step.ca) {
            out.printf("  3. once every machine has its new certificate: sitepair cert rotate --finish, then %s (the"
                    + " new CA only) to every machine again%n", caFile);
        }
        out.flush();
        return 0;
    }
}
