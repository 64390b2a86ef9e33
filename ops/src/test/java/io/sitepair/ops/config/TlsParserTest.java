package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tls} section: on, off in words, never absent; paths only, the files are not read here. */
class TlsParserTest {
    /** ConfigFiles.VALID without its line 1 {@code tls: {mode: off}}: 27 lines, the section appended as line 28. */
    static final String NO_TLS = ConfigFiles.with("tls: {mode: off}  # a test pair on loopback", "# a test pair");
    static final String ON = """
            tls:
              ca: tls/ca.crt
              a: {cert: tls/a.crt, key: tls/a.key}
              b:
                cert: tls/b.crt
                key: /etc/sitepair/b.key
              operator: {cert: ops/me.crt, key: ops/me.key}
            """;

    @TempDir
    Path dir;

    @Test
    void pathsResolveAgainstTheConfigurationsDirectoryAndNoFileIsRead() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        TlsConfig tls = PairConfigParser.load(ConfigFiles.write(sub, NO_TLS + ON)).tls();
        assertTrue(tls.on());
        Path ca = sub.resolve("tls/ca.crt").toAbsolutePath();
        assertEquals(ca, tls.ca());
        assertEquals(new TlsFiles(ca, sub.resolve("tls/a.crt").toAbsolutePath(), sub.resolve("tls/a.key").toAbsolutePath()),
                tls.files("a"));
        assertEquals(Path.of("/etc/sitepair/b.key"), tls.files("b").key());
        assertEquals(sub.resolve("ops/me.crt").toAbsolutePath(), tls.files(TlsConfig.OPERATOR).certificate());
        assertFalse(tls.has("witness"), "no embedded quorum: no witness needed");
        assertFalse(Files.exists(sub.resolve("tls")));
        ConfigException e = assertThrows(ConfigException.class, () -> tls.files("witness"));
        assertTrue(e.getMessage().contains("no tls.witness"), e.getMessage());
    }

    @Test
    void offOnlyInWordsAndOnIsTheDefault() throws Exception {
        assertEquals(TlsConfig.OFF, PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID)).tls());
        assertEquals(TlsConfig.OFF, PairConfigParser.load(ConfigFiles.write(dir, NO_TLS + "tls:\n  mode: off\n")).tls());
        TlsConfig on = PairConfigParser.load(ConfigFiles.write(dir, NO_TLS + ON.replace("tls:\n", "tls:\n  mode: on\n")))
                .tls();
        assertEquals(Set.of("a", "b", "operator"), on.holders().keySet());
    }

    @Test
    void anEmbeddedQuorumNeedsTheWitnesssCertificate() throws Exception {
        String quorum = "coordination:\n" + ConfigFiles.EMBEDDED_QUORUM;
        assertRefused(NO_TLS + ON + quorum, 28, "tls.witness",
                "required key is missing: the certificate and key of the witness (it runs the third ZooKeeper peer)");
        String witness = "  witness: {cert: tls/witness.crt, key: tls/witness.key}\n";
        TlsConfig tls = PairConfigParser.load(ConfigFiles.write(dir, NO_TLS + ON + witness + quorum)).tls();
        assertEquals(dir.resolve("tls/witness.key").toAbsolutePath(), tls.files("witness").key());
        // An external ensemble has no witness of ours: not needed.
        assertFalse(PairConfigParser.load(ConfigFiles.write(dir, NO_TLS + ON
                + "coordination:\n  ensemble: z1:2181,z2:2181,z3:2181\n")).tls().has("witness"));
    }

    @Test
    void aConfigurationWithoutTlsIsRefusedNamingTheKeyAndTheCommand() throws Exception {
        ConfigException e = assertRefused(NO_TLS, 2, "tls", "required key is missing: every link is encrypted;"
                + " add a tls: section naming the certificate files (docs/config.md) and create them with `sitepair"
                + " cert init`");
        assertTrue(e.getMessage().endsWith("or say `tls: {mode: off}` for a lab on loopback"), e.getMessage());
    }

    @Test
    void refusals() throws Exception {
        assertRefused(NO_TLS + ON.replace("  b:\n    cert: tls/b.crt\n    key: /etc/sitepair/b.key\n", ""), 28, "tls.b",
                "required key is missing: the certificate and key of site b, as {cert: FILE, key: FILE}");
        assertRefused(NO_TLS + ON + "  witnes: {cert: w.crt, key: w.key}\n", 35, "tls.witnes",
                "unknown key (did you mean witness?) (known here: mode, ca, a, b, witness, operator)");
        assertRefused(NO_TLS + ON.replace("  ca: tls/ca.crt\n", ""), 28, "tls.ca", "required key is missing");
        assertRefused(NO_TLS + ON.replace("key: tls/a.key", "kee: tls/a.key"), 30, "tls.a.kee",
                "unknown key (did you mean key?)");
        assertRefused(NO_TLS + ON.replace("key: /etc/sitepair/b.key", "key: tls/a.crt"), 33, "tls.b.key",
                "the same file as tls.a.cert (line 30)");
        assertRefused(NO_TLS + "tls: {mode: of}\n", 28, "tls.mode", "\"of\" is not a mode (on or off)");
        assertRefused(NO_TLS + "tls: {mode: off, ca: tls/ca.crt}\n", 28, "tls.ca",
                "with mode: off no certificate is used");
        assertRefused(NO_TLS + "tls: off\n", 28, "tls", "expected a mapping, found the value \"off\"");
    }

    private ConfigException assertRefused(String yaml, int line, String keyPath, String says) throws Exception {
        Path file = ConfigFiles.write(dir, yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> PairConfigParser.load(file));
        String where = file + ":" + line + ": " + keyPath + ": ";
        assertTrue(e.getMessage().startsWith(where) && e.getMessage().contains(says),
                () -> "expected <" + where + "..." + says + "> in: " + e.getMessage());
        assertEquals(keyPath, e.keyPath());
        return e;
    }
}
