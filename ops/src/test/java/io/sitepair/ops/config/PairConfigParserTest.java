package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.nic.NicIdentity;
import io.sitepair.replicator.nic.NicSettings;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid files: every value read, defaults, relative paths, the records' helpers. */
class PairConfigParserTest {
    @TempDir
    Path dir;

    @Test
    void aValidFileLoadsWithEveryValue() throws Exception {
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID));

        assertEquals(dir.resolve("pair.yaml").toAbsolutePath(), c.file());
        assertEquals("lab", c.pair());
        assertEquals(ConfigFiles.SECRET_HEX, HexFormat.of().formatHex(c.secret()));
        assertEquals("kv", c.guest());
        assertEquals(List.of(64L << 20, 1L << 30), c.diskSizes());
        assertEquals("b", c.initialPrimary());
        assertEquals(new LoggingTuning(32L << 20, Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofSeconds(2),
                Duration.ofMinutes(1), true), c.logging());
        assertEquals(List.of("a", "b"), c.siteNames());
        assertEquals(new SiteConfig("a", new InetSocketAddress("127.0.0.1", 7401), new InetSocketAddress("127.0.0.1", 6379),
                new InetSocketAddress("127.0.0.1", 7402), dir.resolve("data/a").toAbsolutePath(), "interpreter", null), c.site("a"));
        assertEquals(new SiteConfig("b", new InetSocketAddress("127.0.0.1", 7501), new InetSocketAddress("127.0.0.1", 6380),
                new InetSocketAddress("127.0.0.1", 7502), dir.resolve("data/b").toAbsolutePath(), "compiled", null), c.site("b"));
    }

    @Test
    void aNicModeFileGivesBothSitesTheGuestsOneIdentityAsTheirServiceAddress() throws Exception {
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.NIC));

        NicIdentity guest = new NicIdentity(0x02_00_5e_10_00_0aL, ipv4("10.20.0.10"), 24, 7379);
        assertEquals(new NetworkConfig(NetworkConfig.Mode.NIC, guest), c.network());
        assertEquals(new NicSettings("sp-a", "br-svc", guest), c.site("a").nic());
        assertEquals(new NicSettings("sp-b", "br-svc", guest), c.site("b").nic(), "the default TAP is sp-SITE");
        for (String site : c.siteNames()) {
            assertEquals(new InetSocketAddress("10.20.0.10", 7379), c.site(site).service());
        }
        assertEquals(c, PairConfigParser.load(c.file()));
    }

    @Test
    void nicModeDefaultsToPort6379AndAMacOfThePairsNameAndAcceptsTheGuestsOwnServiceAddress() throws Exception {
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.NIC
                .replace("  port: 7379\n  mac: 02:00:5e:10:00:0a\n", "")
                .replace("    admin: 127.0.0.1:7402", "    service: 10.20.0.10:6379\n    admin: 127.0.0.1:7402")));
        NicIdentity guest = c.network().identity();
        assertEquals(6379, guest.port());
        assertEquals("02:73:70:a5:11:46", guest.macText());
        assertEquals(new InetSocketAddress("10.20.0.10", 6379), c.site("a").service());
    }

    @Test
    void theDefaultMacIsStableLocallyAdministeredUnicastAndDiffersBetweenPairs() {
        // Pinned: both sites derive it, and a client's ARP cache holds it across a failover and an upgrade.
        assertEquals(0x02_73_70_a5_11_46L, NetworkParser.defaultMac("lab"));
        assertEquals(0x02_73_70_8d_90_01L, NetworkParser.defaultMac("shop"));
        for (String pair : List.of("lab", "shop", "a", "x-very-long-pair-name-for-a-test")) {
            long firstByte = NetworkParser.defaultMac(pair) >>> 40;
            assertEquals(0, firstByte & 1, pair + ": unicast");
            assertEquals(2, firstByte & 2, pair + ": locally administered");
        }
    }

    @Test
    void twoSitesOnHostsOfTheirOwnMayNameTheirTapsAlike() throws Exception {
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.NIC
                .replace("    channel: 127.0.0.1:7501", "    channel: 127.0.0.2:7501")
                .replace("      bridge: br-svc\n", "      bridge: br-svc\n      tap: sp-a\n")));
        assertEquals("sp-a", c.site("b").nic().tap());
    }

    @Test
    void withoutANetworkSectionOrWithModeSocketEachSiteServesAtItsOwnAddress() throws Exception {
        for (String yaml : List.of(ConfigFiles.VALID, ConfigFiles.VALID + "network: {mode: socket}\n")) {
            PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, yaml));
            assertEquals(NetworkConfig.SOCKET, c.network());
            assertEquals(null, c.site("a").nic());
            assertEquals(new InetSocketAddress("127.0.0.1", 6380), c.site("b").service());
        }
    }

    @Test
    void omittedOptionalKeysTakeTheirDefaults() throws Exception {
        String yaml = ConfigFiles.VALID
                .replaceAll("(?s)logging:.*?(?=sites:)", "")
                .replace("    engine: interpreter\n", "");
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, yaml));
        assertEquals(LoggingTuning.DEFAULTS, c.logging());
        assertEquals(new LoggingTuning(64L << 20, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(5), false), LoggingTuning.DEFAULTS);
        assertEquals("compiled", c.site("a").engine());

        // An empty logging section, and one key set: the rest default.
        PairConfig empty = PairConfigParser.load(ConfigFiles.write(dir, yaml.replace("sites:", "logging:\nsites:")));
        assertEquals(LoggingTuning.DEFAULTS, empty.logging());
        PairConfig one = PairConfigParser.load(ConfigFiles.write(dir, yaml.replace("sites:", "logging:\n  lag-target: 250us\nsites:")));
        assertEquals(Duration.ofNanos(250_000), one.logging().lagTarget());
        assertEquals(LoggingTuning.DEFAULTS.suspectAfter(), one.logging().suspectAfter());
    }

    @Test
    void relativePathsResolveAgainstTheFilesDirectoryNotTheWorkingDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(sub.resolve("guests"));
        Files.write(sub.resolve("guests/mine.wasm"), new byte[] {0, 'a', 's', 'm'});
        PairConfig c = PairConfigParser.load(ConfigFiles.write(sub, ConfigFiles.with("guest: kv", "guest: guests/mine.wasm")));
        assertEquals(sub.resolve("guests/mine.wasm").toAbsolutePath().toString(), c.guest());
        assertEquals(sub.resolve("data/a").toAbsolutePath(), c.site("a").dataDir());
    }

    @Test
    void hostNamesAndIpv6LiteralsAreAddresses() throws Exception {
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles
                .with("service: 127.0.0.1:6379", "service: \"[::1]:6379\"")
                .replace("admin: 127.0.0.1:7502", "admin: localhost:7502")));
        assertEquals(new InetSocketAddress("::1", 6379), c.site("a").service());
        assertEquals("localhost", c.site("b").admin().getHostString());
        assertEquals(7502, c.site("b").admin().getPort());
    }

    @Test
    void siteHelpersNameTheValidSites() throws Exception {
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID));
        assertEquals("b", c.peerOf("a").name());
        assertEquals("a", c.peerOf("b").name());
        ConfigException e = assertThrows(ConfigException.class, () -> c.site("c"));
        assertTrue(e.getMessage().contains("no site named \"c\"") && e.getMessage().contains("(sites: a, b)"), e.getMessage());
        assertThrows(ConfigException.class, () -> c.peerOf("c"));
    }

    @Test
    void theConfigIsImmutableAndNeverPrintsItsSecret() throws Exception {
        PairConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID));
        c.secret()[0] ^= 1;
        assertEquals(ConfigFiles.SECRET_HEX, HexFormat.of().formatHex(c.secret()));
        assertThrows(UnsupportedOperationException.class, () -> c.diskSizes().add(1L));
        assertThrows(UnsupportedOperationException.class, () -> c.sites().remove("a"));
        assertFalse(c.toString().contains(ConfigFiles.SECRET_HEX.substring(0, 8)), c.toString());
        assertEquals(c, PairConfigParser.load(c.file()), "loading the same file twice gives equal configs");
    }

    private static Inet4Address ipv4(String literal) {
        return (Inet4Address) InetAddress.ofLiteral(literal);
    }
}
