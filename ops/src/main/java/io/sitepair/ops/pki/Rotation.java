package io.sitepair.ops.pki;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.TlsHolder;
import io.sitepair.ops.site.OperatorError;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Replacing the pair's certificates while it runs. Every file is replaced whole (a key before its
 * certificate), and running processes read their files again at the next handshake. A new CA is
 * trusted beside the old one until every holder has a certificate of the new CA; only then does
 * {@link #finish} drop the old.
 */
public final class Rotation {
    /** A holder's new certificate. */
    public record Reissued(TlsHolder holder, X509Certificate certificate) {}

    private Rotation() {}

    /** A new certificate and key for every holder the configuration names, from {@code ca}. */
    public static List<Reissued> reissue(PairConfig config, PairAuthority ca, Instant now) throws IOException {
        List<Reissued> done = new ArrayList<>();
        for (TlsHolder holder : TlsHolder.of(config)) {
            done.add(new Reissued(holder, holder.issueFrom(ca, now).certificate()));
        }
        return done;
    }

    /**
     * A new CA: the old CA's key is kept beside its key file as {@code .old}, the new key takes its
     * place, and the CA file becomes [new CA, old CA], so both are trusted during the overlap. Refused
     * while a rotation is unfinished. The holders' certificates are left to {@link #reissue}.
     */
    public static PairAuthority replaceCa(PairConfig config, Path keyFile, Instant now) throws IOException {
        PairAuthority old = PairCa.load(config, keyFile);
        Path caFile = config.tls().ca();
        Path oldKey = PairCa.oldKeyFile(keyFile);
        int cas = PemFiles.readCertificates(caFile).size();
        if (cas > 1 || Files.exists(oldKey)) {
            throw new OperatorError("a CA rotation is unfinished (" + (cas > 1 ? caFile + " holds " + cas + " CAs"
                    : oldKey + " exists") + "): finish it first with `sitepair cert rotate --finish`");
        }
        PemFiles.writeKey(oldKey, PemFiles.readKey(keyFile));
        PairAuthority next = PairAuthority.create(config.pair(), now, PairAuthority.CA_VALIDITY);
        next.writeKey(keyFile);
        PemFiles.writeCertificates(caFile, List.of(next.certificate(), old.certificate()));
        return next;
    }

    /**
     * Ends a CA rotation: the CA file keeps only its first (new) CA, and the old CA's key is deleted.
     * Refused while any holder's certificate is still the old CA's: that holder would be cut off.
     */
    public static X509Certificate finish(PairConfig config, Path keyFile) throws IOException {
        PairCa.requireTls(config);
        Path caFile = config.tls().ca();
        List<X509Certificate> cas = PemFiles.readCertificates(caFile);
        if (cas.size() < 2) {
            throw new OperatorError(caFile + " holds one CA: there is no CA rotation to finish");
        }
        X509Certificate current = cas.getFirst();
        for (TlsHolder holder : TlsHolder.of(config)) {
            Path file = holder.files().certificate();
            if (!PairAuthority.signed(current, PemFiles.readCertificates(file).getFirst())) {
                throw new OperatorError(file + " (tls." + holder.key() + ") is not issued by the new CA: run `sitepair"
                        + " cert rotate` first, or " + holder.principal() + " is refused once the old CA is dropped");
            }
        }
        PemFiles.writeCertificates(caFile, List.of(current));
        Files.deleteIfExists(PairCa.oldKeyFile(keyFile));
        return current;
    }
}
