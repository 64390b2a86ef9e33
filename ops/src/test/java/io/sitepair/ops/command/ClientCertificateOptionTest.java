package io.sitepair.ops.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.config.PairConfig;
import io.sitepair.ops.site.TlsLab;
import io.sitepair.replicator.pair.Role;
import io.sitepair.replicator.status.NoAnswer;
import io.sitepair.replicator.status.SiteStatus;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --cert FILE --key FILE}: the certificate a command shows a site's admin API. */
class ClientCertificateOptionTest {
    @TempDir
    Path dir;

    /** {@code sitepair status --config ... --cert ... --key ...} as picocli parses it: the command's client. */
    private static StatusCommand status(TlsFiles files) {
        StatusCommand command = new StatusCommand();
        new CommandLine(command).parseArgs("--config", "pair.yaml", "--cert", files.certificate().toString(),
                "--key", files.key().toString());
        return command;
    }

    @Test
    void statusPresentsTheCertificateGivenInsteadOfTheConfigurationsOperator() throws Exception {
        TlsLab lab = new TlsLab(dir);
        try (TlsLab.Admin siteA = TlsLab.serve(lab.pair(new InetSocketAddress("127.0.0.1", 0)), "a")) {
            PairConfig pair = lab.pair(siteA.address());
            SiteStatus asMonitor = status(lab.files(TlsLab.MONITOR)).certificate.client(pair).status("a");
            assertEquals(Role.STARTING, asMonitor.role(), asMonitor.toString());
            PairPrincipal witness = TlsLab.WITNESS;
            SiteStatus asWitness = status(lab.files(witness)).certificate.client(pair).status("a");
            NoAnswer refused = assertInstanceOf(NoAnswer.class, asWitness);
            assertTrue(refused.error().contains("HTTP 403: " + witness + " may not read status"), refused.error());
        }
    }

    @Test
    void aCertificateWithoutItsKeyIsRefusedNamingBothOptions() {
        assertEquals(0, CliTest.sitepair("init", "--lab", dir.resolve("lab").toString()).exit());
        CliTest.Result status = CliTest.sitepair("status", "--config", dir.resolve("lab/pair.yaml").toString(),
                "--cert", dir.resolve("alice.crt").toString());
        assertEquals(1, status.exit(), status.out());
        assertTrue(status.err().contains("sitepair status: error: a client certificate (--cert) goes with its key"
                + " (--key): give both or neither"), status.err());
    }
}
