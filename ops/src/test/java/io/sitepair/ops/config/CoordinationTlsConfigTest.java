package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.config.CoordinationConfig.EnsembleTls;
import io.sitepair.replicator.tls.TlsFiles;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code coordination.tls} key: how the sites and commands reach an external ensemble. */
class CoordinationTlsConfigTest {
    private static final String ENSEMBLE = ConfigFiles.VALID + "coordination:\n  ensemble: z1:2181,z2:2181,z3:2181\n";
    private static final TlsConfig PAIR_TLS = new TlsConfig(Path.of("/tls/ca.crt"),
            Map.of("a", new TlsFiles(Path.of("/tls/ca.crt"), Path.of("/tls/a.crt"), Path.of("/tls/a.key"))));

    @TempDir
    Path dir;

    private CoordinationConfig load(String yaml) throws Exception {
        return PairConfigParser.load(ConfigFiles.write(dir, yaml)).coordination();
    }

    @Test
    void withoutTlsTheEnsembleIsReachedWithThePairsOwnCertificates() throws Exception {
        CoordinationConfig c = load(ENSEMBLE);
        assertEquals(EnsembleTls.PAIR, c.tls());
        assertTrue(c.encrypted(PAIR_TLS));
        assertFalse(c.encrypted(TlsConfig.OFF), "the pair's TLS is off");
    }

    @Test
    void theEnsemblesOwnCaAndClientCertificate() throws Exception {
        CoordinationConfig c = load(ENSEMBLE + "  tls: {ca: zk/ca.pem, cert: zk/client.pem, key: zk/client.key}\n");
        Path zk = dir.resolve("zk").toAbsolutePath();
        assertEquals(new EnsembleTls.OwnCertificate(new TlsFiles(zk.resolve("ca.pem"), zk.resolve("client.pem"),
                zk.resolve("client.key"))), c.tls());
        assertTrue(c.encrypted(TlsConfig.OFF));
    }

    @Test
    void noneSaysPlaintextInWords() throws Exception {
        CoordinationConfig c = load(ENSEMBLE + "  tls: none\n");
        assertEquals(EnsembleTls.NONE, c.tls());
        assertFalse(c.encrypted(PAIR_TLS));
    }

    @Test
    void refusals() {
        assertRefused(ENSEMBLE + "  tls: off\n", 30, "coordination.tls", "\"off\" is not a TLS setting");
        assertRefused(ENSEMBLE + "  tls: {ca: zk/ca.pem, cert: zk/client.pem}\n", 30, "coordination.tls.key",
                "required key is missing");
        assertRefused(ConfigFiles.VALID + "coordination:\n" + ConfigFiles.EMBEDDED_QUORUM + "  tls: none\n", 43,
                "coordination.tls", "applies to an external ensemble only");
    }

    private void assertRefused(String yaml, int line, String keyPath, String says) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(keyPath, e.keyPath(), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }
}
