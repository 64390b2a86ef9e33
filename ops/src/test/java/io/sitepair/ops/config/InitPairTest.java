package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.pki.CertificateFilesCheck;
import io.sitepair.replicator.tls.TlsIdentity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sitepair init --pair}: a configuration for three machines that validate accepts, never written over. */
class InitPairTest {
    @TempDir
    Path dir;

    @Test
    void writesAPairOnThreeMachinesThatValidateAccepts() throws Exception {
        InitLabTest.Result r = InitLabTest.init("--pair", "shop", "--site", "a=site-a.example.net", "--site",
                "b=10.0.2.7", "--witness", "2001:db8::5", "--dir", dir.toString());
        assertEquals(0, r.exit(), r.err());
        Path file = dir.resolve("pair.yaml").toAbsolutePath();
        assertEquals(file.toString(), r.lastLine());

        ConfigReport report = PairConfigParser.check(file);
        CertificateFilesCheck.run(report, Instant.now());
        assertEquals(List.of(), report.problems());

        PairConfig c = PairConfigParser.load(file);
        assertEquals("shop", c.pair());
        assertEquals("site-a.example.net:7401", Addresses.format(c.site("a").channel()));
        assertEquals("10.0.2.7:7402", Addresses.format(c.site("b").admin()));
        assertEquals(Path.of("/var/lib/sitepair/b"), c.site("b").dataDir());
        assertEquals("site-a.example.net:7403", Addresses.format(c.drills().testServiceOf("a")));
        assertEquals("10.0.2.7:7403", Addresses.format(c.drills().testServiceOf("b")));
        assertEquals(Path.of("/var/lib/sitepair/a/drills"), c.drills().reports());
        assertTrue(Files.readString(file).contains("\n  # check: "), "a check to fill in");
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("2001:db8::5"), 2181),
                c.coordination().member("witness").client());
        // Each certificate names its holder's host, as a peer dialling it by that name checks.
        assertTrue(sans(c, "a").contains("site-a.example.net"), sans(c, "a").toString());
        assertTrue(sans(c, "b").contains("10.0.2.7"), sans(c, "b").toString());
        assertTrue(sans(c, "witness").stream().anyMatch(n -> n.startsWith("2001:db8:0:0:0:0:0:5")
                || n.equals("2001:db8::5")), sans(c, "witness").toString());
        assertTrue(r.out().contains("to site b's machine only: tls/b.crt, tls/b.key"), r.out());
        assertTrue(r.out().contains("to every machine: pair.yaml, pair.secret, tls/ca.crt"), r.out());
    }

    @Test
    void twoProcessesOnOneHostGetPortsOfTheirOwn() throws Exception {
        InitLabTest.Result r = InitLabTest.init("--pair", "small", "--site", "a=h1", "--site", "b=h2", "--witness",
                "h1", "--dir", dir.toString());
        assertEquals(0, r.exit(), r.err());
        ConfigReport report = PairConfigParser.check(dir.resolve("pair.yaml"));
        assertTrue(report.valid(), report.problems().toString());
        assertEquals(List.of("h1:7403", "h2:7403"), PairConfigParser.load(dir.resolve("pair.yaml")).drills().testService()
                .values().stream().map(Addresses::format).toList());
        // The witness shares site a's machine: allowed, and warned of.
        assertEquals(1, report.warnings(), report.problems().toString());
        assertTrue(report.problems().getFirst().message().contains("the witness is on site a's host"),
                report.problems().toString());
    }

    @Test
    void twoSitesOnOneHostGetTestServicePortsOfTheirOwn() throws Exception {
        InitLabTest.Result r = InitLabTest.init("--pair", "one", "--site", "a=h1", "--site", "b=h1", "--witness", "h2",
                "--dir", dir.toString());
        assertEquals(0, r.exit(), r.err());
        ConfigReport report = PairConfigParser.check(dir.resolve("pair.yaml"));
        assertEquals(List.of(), report.problems());
        assertEquals(List.of("h1:7403", "h1:7503"), PairConfigParser.load(dir.resolve("pair.yaml")).drills().testService()
                .values().stream().map(Addresses::format).toList());
    }

    @Test
    void refusesToOverwrite() throws Exception {
        String[] args = {"--pair", "shop", "--site", "a=h1", "--site", "b=h2", "--witness", "h3", "--dir", dir.toString()};
        assertEquals(0, InitLabTest.init(args).exit());
        String config = Files.readString(dir.resolve("pair.yaml"));
        String secret = Files.readString(dir.resolve("pair.secret"));

        InitLabTest.Result again = InitLabTest.init(args);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains(dir.resolve("pair.yaml") + " already exists; not overwriting it"), again.err());
        assertEquals(config, Files.readString(dir.resolve("pair.yaml")));
        assertEquals(secret, Files.readString(dir.resolve("pair.secret")));
    }

    @Test
    void aBadHostIsRefusedBeforeAnythingIsWritten() {
        for (String host : List.of("site a", "300.1.2.3", "-a.example", "a..b", "[::1")) {
            InitLabTest.Result r = InitLabTest.init("--pair", "shop", "--site", "a=h1", "--site", "b=h2", "--witness",
                    host, "--dir", dir.toString());
            assertEquals(1, r.exit(), host);
            assertTrue(r.err().contains("--witness: \"" + host + "\" is neither an IP address nor a host name"), r.err());
            assertFalse(Files.exists(dir.resolve("pair.yaml")));
        }
    }

    @Test
    void tlsOffIsForALabOnly() {
        InitLabTest.Result r = InitLabTest.init("--pair", "shop", "--site", "a=h1", "--site", "b=h2", "--witness", "h3",
                "--dir", dir.toString(), "--tls", "off");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--tls off is for --lab only"), r.err());
        assertFalse(Files.exists(dir.resolve("pair.yaml")));
    }

    @Test
    void nicIsForALabOnly() {
        InitLabTest.Result r = InitLabTest.init("--pair", "shop", "--site", "a=h1", "--site", "b=h2", "--witness", "h3",
                "--dir", dir.toString(), "--nic");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("error: --nic is for --lab only"), r.err());
        assertFalse(Files.exists(dir.resolve("pair.yaml")));
    }

    @Test
    void theFileShowsNetworkModeNicCommentedOutAndUncommentedItLoads() throws Exception {
        InitLabTest.Result r = InitLabTest.init("--pair", "shop", "--site", "a=h1", "--site", "b=h2", "--witness", "h3",
                "--dir", dir.toString());
        assertEquals(0, r.exit(), r.err());
        Path file = dir.resolve("pair.yaml");
        String text = Files.readString(file);
        assertEquals(NetworkConfig.SOCKET, PairConfigParser.load(file).network());
        assertTrue(text.contains("\n#   mode: nic "), text);

        Files.writeString(file, text.replaceAll("(?m)^# ?(network:|  (mode|address|port):)", "$1")
                .replaceAll("(?m)^    service: .*$", "    nic: {bridge: br-svc}"));
        PairConfig nic = PairConfigParser.load(file);
        assertEquals("nic 10.20.0.10/24 port 6379 (02:73:70:8d:90:01)", nic.network().toString());
        assertEquals("sp-b", nic.site("b").nic().tap());
    }

    private static List<String> sans(PairConfig c, String holder) throws Exception {
        return TlsIdentity.load(c.pair(), c.tls().files(holder)).certificate().getSubjectAlternativeNames().stream()
                .map(n -> String.valueOf(n.get(1))).toList();
    }
}
