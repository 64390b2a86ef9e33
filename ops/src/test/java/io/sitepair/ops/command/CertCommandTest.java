package io.sitepair.ops.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.command.CliTest.Result;
import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.config.PairConfigParser;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.PemFiles;
import io.sitepair.replicator.tls.TlsException;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.replicator.tls.TlsIdentity;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sitepair cert issue|show|rotate} on the pair {@code init --lab} makes, through the real command line. */
class CertCommandTest {
    private static final List<String> HOLDERS = List.of("a", "b", "witness", "operator");

    @TempDir
    Path dir;
    private String config;
    private PairConfig pair;

    @BeforeEach
    void lab() throws Exception {
        assertEquals(0, CliTest.sitepair("init", "--lab", dir.toString()).exit());
        config = dir.resolve("pair.yaml").toString();
        pair = PairConfigParser.load(Path.of(config));
    }

    private Result cert(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "cert";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--config";
        all[args.length + 2] = config;
        return CliTest.sitepair(all);
    }

    @Test
    void initMakesTheCaAndEveryNamedCertificateForAConfigurationThatHasNoneAndNeverOverwrites() throws Exception {
        Result again = cert("init");
        assertEquals(1, again.exit(), again.out());
        assertTrue(again.err().contains(dir.resolve("tls/ca.crt") + " already exists; not overwriting it"), again.err());

        for (String file : List.of("ca.crt", "ca.key", "a.crt", "a.key", "b.crt", "b.key", "witness.crt", "witness.key",
                "operator.crt", "operator.key")) {
            Files.delete(dir.resolve("tls").resolve(file));
        }
        Result init = cert("init");
        assertEquals(0, init.exit(), init.err());
        assertTrue(init.out().contains("to site a's machine only: tls/a.crt, tls/a.key"), init.out());
        for (String holder : HOLDERS) {
            assertEquals(holder.equals("operator") ? PairPrincipal.operator("lab", "operator")
                    : holder.equals("witness") ? PairPrincipal.witness("lab", "witness") : PairPrincipal.site("lab", holder),
                    load(dir.resolve("tls/" + holder + ".crt"), dir.resolve("tls/" + holder + ".key")).principal());
        }
    }

    @Test
    void issuesOperatorAndReadOnlyCertificatesThatLoad() throws Exception {
        Result operator = cert("issue", "--operator", "alice");
        assertEquals(0, operator.exit(), operator.err());
        Path crt = dir.resolve("tls/alice.crt");
        Path key = dir.resolve("tls/alice.key");
        assertTrue(operator.out().endsWith(crt + "\n" + key + "\n"), operator.out());
        assertTrue(operator.out().contains("tls: {operator: {cert: tls/alice.crt, key: tls/alice.key}}"), operator.out());
        assertEquals(PairPrincipal.operator("lab", "alice"), load(crt, key).principal());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));

        Path out = dir.resolve("monitoring");
        Result monitor = cert("issue", "--operator", "grafana", "--read-only", "--out", out.toString());
        assertEquals(0, monitor.exit(), monitor.err());
        assertEquals(PairPrincipal.monitor("lab", "grafana"), load(out.resolve("grafana.crt"), out.resolve("grafana.key"))
                .principal());

        Result again = cert("issue", "--operator", "alice");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains(crt + " already exists; not overwriting it"), again.err());
        Result badName = cert("issue", "--operator", "alice:admin");
        assertEquals(1, badName.exit());
        assertTrue(badName.err().contains("--operator: 'alice:admin' cannot name a pair or a certificate's holder"),
                badName.err());
    }

    @Test
    void aMissingOrWrongCaKeyIsNamed() throws Exception {
        Path caKey = dir.resolve("tls/ca.key");
        Path elsewhere = dir.resolve("ca.key.moved");
        Files.move(caKey, elsewhere);
        Result missing = cert("issue", "--operator", "alice");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("the pair CA's key " + caKey + " does not exist: run this on the machine where"
                + " `sitepair init` ran"), missing.err());
        assertEquals(0, cert("issue", "--operator", "alice", "--ca-key", elsewhere.toString()).exit());

        Result wrong = cert("rotate", "--ca-key", dir.resolve("tls/a.key").toString());
        assertEquals(1, wrong.exit());
        assertTrue(wrong.err().contains(dir.resolve("tls/a.key") + " is not the key of the CA certificate in "
                + dir.resolve("tls/ca.crt")), wrong.err());
        assertFalse(wrong.err().contains("\tat "), "no stack trace: " + wrong.err());
    }

    @Test
    void showListsTheCaAndEveryHolderAndWarnsAheadOfExpiry() throws Exception {
        Result fresh = cert("show");
        assertEquals(0, fresh.exit(), fresh.err());
        assertTrue(fresh.out().contains("HOLDER"), fresh.out());
        for (String holder : List.of("ca", "a", "b", "witness", "operator")) {
            assertTrue(fresh.out().matches("(?s).*\\n" + holder + " +\\S+.* \\d{4}-\\d\\d-\\d\\d +\\d+\\n.*"),
                    holder + " in:\n" + fresh.out());
        }
        assertTrue(fresh.out().contains("CN=a,OU=site,O=sitepair lab"), fresh.out());
        assertFalse(fresh.out().contains("WARNING"), fresh.out());

        PairAuthority ca = PairAuthority.load("lab", pair.tls().ca(), dir.resolve("tls/ca.key"));
        TlsFiles b = pair.tls().files("b");
        ca.issue(PairPrincipal.site("lab", "b"), List.of("127.0.0.1"), Instant.now(), Duration.ofDays(10))
                .write(b.certificate(), b.key());
        Result soon = cert("show");
        assertEquals(0, soon.exit(), "expiring soon is a warning, not a failure: " + soon.out());
        assertTrue(soon.out().matches("(?s).*\\nWARNING: b: expires in (9|10) day\\(s\\), on \\d{4}-\\d\\d-\\d\\d;"
                + " renew with `sitepair cert rotate`\\n.*"), soon.out());

        Instant past = Instant.now().minus(Duration.ofDays(20));
        ca.issue(PairPrincipal.site("lab", "b"), List.of("127.0.0.1"), past, Duration.ofDays(10))
                .write(b.certificate(), b.key());
        Files.delete(pair.tls().files("witness").certificate());
        TlsFiles operator = pair.tls().files("operator");
        ca.issue(PairPrincipal.site("lab", "a"), List.of(), Instant.now(), Duration.ofDays(100))
                .write(operator.certificate(), operator.key());
        Result broken = cert("show");
        assertEquals(1, broken.exit(), broken.out());
        assertTrue(broken.out().matches("(?s).*\\nb +\\S+.* expired\\n.*"), broken.out());
        assertTrue(broken.out().contains("WARNING: b: expired on "), broken.out());
        assertTrue(broken.out().contains("WARNING: witness: " + dir.resolve("tls/witness.crt") + " does not exist"),
                broken.out());
        assertTrue(broken.out().contains("WARNING: operator: tls/operator.crt names site 'a' of pair 'lab', not operator"
                + " 'operator' of pair 'lab'"), broken.out());
    }

    @Test
    void rotateReissuesEveryHolderFromTheSameCa() throws Exception {
        Map<String, BigInteger> before = serials();
        Result r = cert("rotate");
        assertEquals(0, r.exit(), r.err());
        Map<String, BigInteger> after = serials();
        for (String holder : HOLDERS) {
            assertNotEquals(before.get(holder), after.get(holder), holder);
            TlsFiles files = pair.tls().files(holder);
            load(files.certificate(), files.key());
        }
        assertEquals(1, PemFiles.readCertificates(pair.tls().ca()).size());
        assertTrue(r.out().contains("to site b's machine: tls/b.crt and tls/b.key"), r.out());
        assertFalse(r.out().contains("--finish"), r.out());
    }

    @Test
    void aNewCaIsTrustedBesideTheOldUntilTheRotationFinishes() throws Exception {
        Kept oldA = keep("a");
        Kept oldOperator = keep("operator");
        X509Certificate oldCa = PemFiles.readCertificates(pair.tls().ca()).getFirst();

        Result rotate = cert("rotate", "--ca");
        assertEquals(0, rotate.exit(), rotate.err());
        List<X509Certificate> bundle = PemFiles.readCertificates(pair.tls().ca());
        assertEquals(2, bundle.size());
        assertEquals(oldCa, bundle.get(1));
        assertTrue(Files.exists(dir.resolve("tls/ca.key.old")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls/ca.key.old"))));
        PairAuthority.load("lab", pair.tls().ca(), dir.resolve("tls/ca.key")); // the new key is the first CA's
        for (String holder : HOLDERS) {
            TlsFiles files = pair.tls().files(holder);
            TlsIdentity identity = load(files.certificate(), files.key());
            assertEquals(bundle.getFirst().getSubjectX500Principal(), identity.certificate().getIssuerX500Principal());
            identity.certificate().verify(bundle.getFirst().getPublicKey());
        }
        load(oldA.certificate(), oldA.key()); // the old CA's certificates are still trusted during the overlap
        assertTrue(rotate.out().contains("1. first, to every machine: tls/ca.crt (both CAs)"), rotate.out());
        assertTrue(rotate.out().contains("2. then to site a's machine: tls/a.crt and tls/a.key"), rotate.out());
        assertTrue(rotate.out().contains("3. once every machine has its new certificate: sitepair cert rotate --finish"),
                rotate.out());

        Result twice = cert("rotate", "--ca");
        assertEquals(1, twice.exit());
        assertTrue(twice.err().contains("a CA rotation is unfinished"), twice.err());
        assertEquals(2, PemFiles.readCertificates(pair.tls().ca()).size());

        // The operator's certificate put back to the old CA's: finishing would cut it off.
        Files.copy(oldOperator.certificate(), pair.tls().files("operator").certificate(), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(oldOperator.key(), pair.tls().files("operator").key(), StandardCopyOption.REPLACE_EXISTING);
        Result early = cert("rotate", "--finish");
        assertEquals(1, early.exit());
        assertTrue(early.err().contains("(tls.operator) is not issued by the new CA: run `sitepair cert rotate` first"),
                early.err());
        assertEquals(2, PemFiles.readCertificates(pair.tls().ca()).size());

        assertEquals(0, cert("rotate").exit());
        Result finish = cert("rotate", "--finish");
        assertEquals(0, finish.exit(), finish.err());
        assertEquals(List.of(bundle.getFirst()), PemFiles.readCertificates(pair.tls().ca()));
        assertFalse(Files.exists(dir.resolve("tls/ca.key.old")));
        TlsException refused = assertThrows(TlsException.class, () -> load(oldA.certificate(), oldA.key()));
        assertTrue(refused.getMessage().contains("is not issued by this pair's CA"), refused.getMessage());
        TlsFiles a = pair.tls().files("a");
        load(a.certificate(), a.key());

        Result nothing = cert("rotate", "--finish");
        assertEquals(1, nothing.exit());
        assertTrue(nothing.err().contains("holds one CA: there is no CA rotation to finish"), nothing.err());
        assertEquals(2, cert("rotate", "--ca", "--finish").exit(), "one or the other");
    }

    @Test
    void aPairWithoutTlsHasNoCertificates() throws Exception {
        Path off = dir.resolve("off");
        assertEquals(0, CliTest.sitepair("init", "--lab", off.toString(), "--tls", "off").exit());
        Result show = CliTest.sitepair("cert", "show", "--config", off.resolve("pair.yaml").toString());
        assertEquals(1, show.exit());
        assertTrue(show.err().contains("tls is off (mode: off), so the pair has no CA"), show.err());
    }

    private TlsIdentity load(Path certificate, Path key) {
        return TlsIdentity.load("lab", new TlsFiles(pair.tls().ca(), certificate, key));
    }

    private Map<String, BigInteger> serials() {
        Map<String, BigInteger> serials = new HashMap<>();
        for (String holder : HOLDERS) {
            serials.put(holder, PemFiles.readCertificates(pair.tls().files(holder).certificate()).getFirst()
                    .getSerialNumber());
        }
        return serials;
    }

    /** A copy of a holder's current files, kept aside. */
    private Kept keep(String holder) throws Exception {
        TlsFiles files = pair.tls().files(holder);
        Path certificate = dir.resolve("kept-" + holder + ".crt");
        Path key = dir.resolve("kept-" + holder + ".key");
        Files.copy(files.certificate(), certificate);
        Files.copy(files.key(), key, StandardCopyOption.COPY_ATTRIBUTES);
        return new Kept(certificate, key);
    }

    private record Kept(Path certificate, Path key) {}
}
