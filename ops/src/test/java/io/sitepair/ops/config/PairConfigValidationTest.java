package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal names the file, the 1-based line and the key path; line numbers refer to ConfigFiles.VALID. */
class PairConfigValidationTest {
    @TempDir
    Path dir;

    record Case(String name, String yaml, int line, String keyPath, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                // unknown, missing and duplicate keys
                new Case("unknown top-level key", ConfigFiles.with("guest: kv", "guest: kv\ngeust: kv"), 5, "geust",
                        "unknown key (did you mean guest?)"),
                new Case("unknown logging key", ConfigFiles.with("  buffer: 32M", "  bufer: 32M"), 10, "logging.bufer",
                        "unknown key (did you mean buffer?)"),
                new Case("unknown site key", ConfigFiles.with("    engine: interpreter", "    colour: blue"), 22,
                        "sites.a.colour", "unknown key"),
                new Case("unknown disk key", ConfigFiles.with("  - size: 1G", "  - size: 1G\n    sise: 1M"), 8,
                        "disks[1].sise", "unknown key (did you mean size?)"),
                new Case("missing top-level key", ConfigFiles.with("guest: kv\n", ""), 1, "guest", "required key is missing"),
                new Case("missing site key", ConfigFiles.with("    admin: 127.0.0.1:7502\n", ""), 23, "sites.b.admin",
                        "required key is missing"),
                new Case("key without a value", ConfigFiles.with("guest: kv", "guest:"), 4, "guest", "needs a value"),
                new Case("duplicate top-level key", ConfigFiles.with("pair: lab", "pair: lab\npair: other"), 3, "pair",
                        "duplicate key (first at line 2)"),
                new Case("duplicate site key", ConfigFiles.with("    admin: 127.0.0.1:7402", "    admin: 127.0.0.1:7402\n    admin: 127.0.0.1:7403"),
                        21, "sites.a.admin", "duplicate key (first at line 20)"),
                // wrong types
                new Case("list where a mapping goes", ConfigFiles.with("""
                            channel: 127.0.0.1:7401
                            service: 127.0.0.1:6379
                            admin: 127.0.0.1:7402
                            data-dir: data/a
                            engine: interpreter
                        """, "    - channel: 127.0.0.1:7401\n"), 18, "sites.a", "expected a mapping, found a list"),
                new Case("mapping where a value goes", ConfigFiles.with("pair: lab", "pair: {name: lab}"), 2, "pair",
                        "expected a single value, found a mapping"),
                new Case("mapping where a list goes", ConfigFiles.with("  - size: 64M\n  - size: 1G", "  size: 64M"), 6,
                        "disks", "expected a list"),
                new Case("no disks", ConfigFiles.with("disks:\n  - size: 64M\n  - size: 1G", "disks: []"), 5, "disks",
                        "needs at least one entry"),
                new Case("top level is a list", "# a list\n- pair: lab\n- guest: kv\n", 2, "",
                        "the file must be a mapping of KEY: value lines, found a list"),
                new Case("top level is a value", "just some words\n", 1, "", "the file must be a mapping"),
                // values
                new Case("bad pair name", ConfigFiles.with("pair: lab", "pair: Lab"), 2, "pair", "\"Lab\" is not a pair name"),
                new Case("unknown guest", ConfigFiles.with("guest: kv", "guest: redis"), 4, "guest",
                        "\"redis\" is neither a shipped guest (stress, kv) nor a path to a .wasm module"),
                new Case("missing guest module", ConfigFiles.with("guest: kv", "guest: guests/none.wasm"), 4, "guest",
                        "no such file"),
                new Case("bad size", ConfigFiles.with("  - size: 64M", "  - size: 64X"), 6, "disks[0].size",
                        "\"64X\" is not a size"),
                new Case("disk size not a multiple of 4096", ConfigFiles.with("  - size: 1G", "  - size: 5000"), 7,
                        "disks[1].size", "is not a positive multiple of 4096 bytes"),
                new Case("zero disk size", ConfigFiles.with("  - size: 64M", "  - size: 0"), 6, "disks[0].size",
                        "positive multiple of 4096"),
                new Case("zero buffer", ConfigFiles.with("  buffer: 32M", "  buffer: 0M"), 10, "logging.buffer",
                        "cannot be empty"),
                new Case("duration without a unit", ConfigFiles.with("  lag-target: 500ms", "  lag-target: 500"), 11,
                        "logging.lag-target", "\"500\" needs a unit"),
                new Case("bad duration", ConfigFiles.with("  lag-target: 500ms", "  lag-target: soon"), 11,
                        "logging.lag-target", "\"soon\" is not a duration"),
                new Case("zero duration", ConfigFiles.with("  state-check-interval: 1m", "  state-check-interval: 0s"), 14,
                        "logging.state-check-interval", "must be more than zero"),
                new Case("suspect-after below 200ms", ConfigFiles.with("  suspect-after: 2s", "  suspect-after: 150ms"), 13,
                        "logging.suspect-after", "below the minimum of 200ms"),
                new Case("failure timeout below three heartbeats", ConfigFiles.with("  heartbeat-interval: 50ms",
                        "  heartbeat-interval: 700ms"), 13, "logging.suspect-after",
                        "the failure timeout (suspect-after, 2s) is shorter than 3 heartbeat intervals (2100ms)"),
                new Case("heartbeat too slow for the default failure timeout", ConfigFiles.with(
                        "  heartbeat-interval: 50ms\n  suspect-after: 2s", "  heartbeat-interval: 500ms"), 12,
                        "logging.heartbeat-interval", "(suspect-after, 1s) is shorter than 3 heartbeat intervals (1500ms)"),
                new Case("not a boolean", ConfigFiles.with("  logged-reads: true", "  logged-reads: maybe"), 15,
                        "logging.logged-reads", "is not true or false"),
                new Case("bad address", ConfigFiles.with("127.0.0.1:7501", "127.0.0.1:70x"), 24, "sites.b.channel",
                        "\"127.0.0.1:70x\" is not HOST:PORT (port must be 1-65535)"),
                new Case("port 0", ConfigFiles.with("127.0.0.1:7502", "127.0.0.1:0"), 26, "sites.b.admin",
                        "is not HOST:PORT (port must be 1-65535)"),
                new Case("port too large", ConfigFiles.with("127.0.0.1:6379", "127.0.0.1:65536"), 19, "sites.a.service",
                        "is not HOST:PORT"),
                new Case("no host", ConfigFiles.with("127.0.0.1:6379", ":6379"), 19, "sites.a.service", "is not HOST:PORT"),
                new Case("unknown engine", ConfigFiles.with("engine: interpreter", "engine: jit"), 22, "sites.a.engine",
                        "\"jit\" is not an engine"),
                // the two sites
                new Case("shared channel", ConfigFiles.with("127.0.0.1:7501", "127.0.0.1:7401"), 24, "sites.b.channel",
                        "the same address as sites.a.channel (line 18)"),
                new Case("shared service, by name", ConfigFiles.with("127.0.0.1:6380", "localhost:6379"), 25,
                        "sites.b.service", "the same address as sites.a.service (line 19)"),
                new Case("shared admin", ConfigFiles.with("127.0.0.1:7502", "127.0.0.1:7402"), 26, "sites.b.admin",
                        "the same address as sites.a.admin (line 20)"),
                new Case("same data-dir", ConfigFiles.with("data-dir: data/b", "data-dir: ./data/../data/a"), 27,
                        "sites.b.data-dir", "the same data directory as sites.a.data-dir (line 21)"),
                new Case("one site", ConfigFiles.VALID.substring(0, ConfigFiles.VALID.indexOf("  b:\n")), 16, "sites",
                        "a pair has exactly two sites, found 1 (a)"),
                new Case("three sites", ConfigFiles.VALID + """
                          c:
                            channel: 127.0.0.1:7601
                            service: 127.0.0.1:6381
                            admin: 127.0.0.1:7602
                            data-dir: data/c
                        """, 16, "sites", "a pair has exactly two sites, found 3 (a, b, c)"),
                new Case("bad site name", ConfigFiles.with("  b:", "  B:"), 23, "sites.B", "a site name is a lower-case letter"),
                new Case("initial primary not a site", ConfigFiles.with("initial-primary: b", "initial-primary: c"), 8,
                        "initial-primary", "\"c\" is not a site of this pair (sites: a, b)"),
                // the file itself
                new Case("empty file", "", 1, "", "the file is empty"),
                new Case("comments only", "# nothing yet\n\n", 1, "", "the file is empty"),
                new Case("a null document", "# nothing yet\n~\n", 1, "", "the file is empty"),
                new Case("YAML syntax error", ConfigFiles.with("127.0.0.1:6380", "127.0.0.1:6380: oops"), 25, "",
                        "YAML syntax error: mapping values are not allowed here"),
                new Case("tab indentation", ConfigFiles.with("    data-dir: data/b", "\tdata-dir: data/b"), 27, "",
                        "YAML syntax error"),
                // coordination (appended after VALID's 27 lines)
                new Case("both an embedded and an external quorum", ConfigFiles.VALID + "coordination:\n"
                        + "  ensemble: z1:2181,z2:2181,z3:2181\n" + ConfigFiles.EMBEDDED_QUORUM, 28, "coordination",
                        "needs exactly one of zookeeper"),
                new Case("an even ensemble", ConfigFiles.VALID + "coordination:\n  ensemble: z1:2181,z2:2181\n", 29,
                        "coordination.ensemble", "an ensemble of 2 cannot outvote a partition"),
                new Case("a session ZooKeeper would not grant", ConfigFiles.VALID + "coordination:\n"
                        + "  session-timeout: 10s\n" + ConfigFiles.EMBEDDED_QUORUM, 29, "coordination.session-timeout",
                        "outside ZooKeeper's session bounds of 400ms to 4s"),
                new Case("no witness", ConfigFiles.VALID + "coordination:\n" + ConfigFiles.EMBEDDED_QUORUM
                        .substring(0, ConfigFiles.EMBEDDED_QUORUM.indexOf("    witness:")), 29,
                        "coordination.zookeeper.witness", "required key is missing"),
                new Case("an empty go-live hook", ConfigFiles.VALID + "coordination:\n  go-live-hook: ' '\n"
                        + ConfigFiles.EMBEDDED_QUORUM, 29, "coordination.go-live-hook", "an empty command"),
                new Case("a peer port used twice", ConfigFiles.VALID + "coordination:\n" + ConfigFiles.EMBEDDED_QUORUM
                        .replace("quorum-port: 2889", "quorum-port: 2888"), 36, "coordination.zookeeper.b.quorum-port",
                        "the same address as coordination.zookeeper.a.quorum-port (line 32)"),
                new Case("a peer port used by a site", ConfigFiles.VALID + "coordination:\n" + ConfigFiles.EMBEDDED_QUORUM
                        .replace("election-port: 3890", "election-port: 7501"), 41,
                        "coordination.zookeeper.witness.election-port", "the same address as sites.b.channel (line 24)"),
                // network mode nic (line numbers refer to ConfigFiles.NIC)
                new Case("an unknown network mode", ConfigFiles.nicWith("mode: nic", "mode: nik"), 9, "network.mode",
                        "\"nik\" is not a network mode (socket: each site serves clients at a service address of its"
                                + " own; nic: the guest has a virtual NIC with one address at both sites)"),
                new Case("an unknown network key", ConfigFiles.nicWith("  port: 7379", "  prot: 7379"), 11,
                        "network.prot", "unknown key (did you mean port?)"),
                new Case("nic mode without an address", ConfigFiles.nicWith("  address: 10.20.0.10/24\n", ""), 8,
                        "network.address", "required key is missing"),
                new Case("an address without a prefix", ConfigFiles.nicWith("10.20.0.10/24", "10.20.0.10"), 10,
                        "network.address", "\"10.20.0.10\" needs the service network's prefix length (ADDRESS/PREFIX,"
                                + " such as 10.20.0.10/24)"),
                new Case("an address of three parts", ConfigFiles.nicWith("10.20.0.10/24", "10.20.0/24"), 10,
                        "network.address", "\"10.20.0/24\" is not an IPv4 address and prefix length"),
                new Case("an address part over 255", ConfigFiles.nicWith("10.20.0.10/24", "10.20.0.300/24"), 10,
                        "network.address", "\"10.20.0.300/24\" is not an IPv4 address and prefix length"),
                new Case("an IPv6 address", ConfigFiles.nicWith("10.20.0.10/24", "\"fd00::10/64\""), 10,
                        "network.address", "the guest's network stack speaks IPv4 only"),
                new Case("a prefix over 32", ConfigFiles.nicWith("10.20.0.10/24", "10.20.0.10/33"), 10,
                        "network.address", "\"10.20.0.10/33\": the prefix length must be 1-32"),
                new Case("a network's own address", ConfigFiles.nicWith("10.20.0.10/24", "10.20.0.0/24"), 10,
                        "network.address", "\"10.20.0.0/24\" is the network's own address, not a host's in it"),
                new Case("a network's broadcast address", ConfigFiles.nicWith("10.20.0.10/24", "10.20.1.255/23"), 10,
                        "network.address", "\"10.20.1.255/23\" is the network's broadcast address"),
                new Case("a loopback address", ConfigFiles.nicWith("10.20.0.10/24", "127.0.0.10/8"), 10,
                        "network.address", "is not an address a host can have"),
                new Case("a port out of range", ConfigFiles.nicWith("port: 7379", "port: 70000"), 11, "network.port",
                        "\"70000\" is not a port (1-65535)"),
                new Case("a MAC that is not one", ConfigFiles.nicWith("02:00:5e:10:00:0a", "02:00:5e:10:00"), 12,
                        "network.mac", "\"02:00:5e:10:00\" is not a MAC address (six hex bytes separated by ':'"),
                new Case("a multicast MAC", ConfigFiles.nicWith("02:00:5e:10:00:0a", "01:00:5e:10:00:0a"), 12,
                        "network.mac", "\"01:00:5e:10:00:0a\" is a multicast MAC (the first byte is odd); the guest's"
                                + " NIC needs a unicast MAC"),
                new Case("the broadcast MAC", ConfigFiles.nicWith("02:00:5e:10:00:0a", "FF:FF:FF:FF:FF:FF"), 12,
                        "network.mac", "\"FF:FF:FF:FF:FF:FF\" is the broadcast address; the guest's NIC needs a"
                                + " unicast MAC"),
                new Case("a site without its nic", ConfigFiles.nicWith("    nic:\n      bridge: br-svc\n", ""), 19,
                        "sites.b.nic", "required key is missing"),
                new Case("a nic without its bridge", ConfigFiles.nicWith("{bridge: br-svc, tap: sp-a}", "{tap: sp-a}"),
                        18, "sites.a.nic.bridge", "required key is missing"),
                new Case("a TAP name over 15 characters", ConfigFiles.nicWith("tap: sp-a}", "tap: sp-a-0123456789ab}"),
                        18, "sites.a.nic.tap", "\"sp-a-0123456789ab\" is 17 characters; an interface name has at most"
                                + " 15 (Linux's limit)"),
                new Case("a default TAP name over 15 characters", ConfigFiles.nicWith("  b:", "  backup-in-paris:")
                        .replace("initial-primary: b", "initial-primary: backup-in-paris"), 23,
                        "sites.backup-in-paris.nic.tap", "the default TAP name \"sp-backup-in-paris\" is longer than 15"
                                + " characters (Linux's limit on an interface name); give one"),
                new Case("a bridge name with a slash", ConfigFiles.nicWith("      bridge: br-svc", "      bridge: br/svc"),
                        24, "sites.b.nic.bridge", "\"br/svc\" is not an interface name (no '/', ':' or whitespace"),
                new Case("a bridge name with a blank", ConfigFiles.nicWith("      bridge: br-svc", "      bridge: br svc"),
                        24, "sites.b.nic.bridge", "\"br svc\" is not an interface name"),
                new Case("a TAP named as its bridge", ConfigFiles.nicWith("tap: sp-a}", "tap: br-svc}"), 18,
                        "sites.a.nic.tap", "\"br-svc\" is the bridge's name; the TAP needs one of its own"),
                new Case("two sites on one host with one TAP name", ConfigFiles.nicWith("      bridge: br-svc\n",
                        "      bridge: br-svc\n      tap: sp-a\n"), 25, "sites.b.nic.tap", "the same TAP name as"
                                + " sites.a.nic.tap (line 18, \"sp-a\") while both sites are on host 127.0.0.1 (their"
                                + " channels): on one host each site needs a TAP of its own"),
                new Case("a service address of its own in nic mode", ConfigFiles.nicWith("    admin: 127.0.0.1:7402",
                        "    service: 127.0.0.1:6379\n    admin: 127.0.0.1:7402"), 16, "sites.a.service",
                        "\"127.0.0.1:6379\" is not the guest's address: in network mode nic the guest itself owns the"
                                + " service address, network.address and network.port (10.20.0.10:7379) at both"
                                + " sites; leave service out"),
                // network mode socket (appended after VALID's 27 lines)
                new Case("a site's nic in socket mode", ConfigFiles.with("    engine: interpreter",
                        "    engine: interpreter\n    nic: {bridge: br-svc}"), 23, "sites.a.nic",
                        "applies only to network mode nic, and this pair's network mode is socket"),
                new Case("a guest address in socket mode", ConfigFiles.VALID + "network:\n  address: 10.20.0.10/24\n",
                        29, "network.address", "applies only to network mode nic, and this pair's network mode is socket"),
                new Case("a MAC in explicit socket mode", ConfigFiles.VALID + "network:\n  mode: socket\n"
                        + "  mac: 02:00:5e:10:00:0a\n", 30, "network.mac", "applies only to network mode nic"),
                // drills (appended after VALID's 27 lines)
                new Case("an RPO above zero", ConfigFiles.VALID + "drills:\n  rpo: 5s\n", 29, "drills.rpo",
                        "\"5s\": sitepair's recovery point is zero, and only zero: the backup holds every log entry before"
                                + " the output it produced leaves the primary (the Output Rule)"),
                new Case("an RPO that is not a duration", ConfigFiles.VALID + "drills:\n  rpo: none\n", 29,
                        "drills.rpo", "a larger RPO is not a weaker promise sitepair can make"),
                new Case("a zero RTO", ConfigFiles.VALID + "drills:\n  rto: 0s\n", 29, "drills.rto",
                        "must be more than zero"),
                new Case("a misspelt drills key", ConfigFiles.VALID + "drills:\n  rtp: 5s\n", 29, "drills.rtp",
                        "unknown key (did you mean rto?) (known here: rto, rpo, check, reports, test-service,"
                                + " return-within)"),
                new Case("an empty check", ConfigFiles.VALID + "drills:\n  check: ''\n", 29, "drills.check",
                        "an empty command"),
                new Case("a test service for no site", ConfigFiles.VALID + "drills:\n  test-service:\n"
                        + "    a: 127.0.0.1:16379\n    b: 127.0.0.1:16380\n    c: 127.0.0.1:16381\n", 32,
                        "drills.test-service.c", "unknown key (known here: a, b)"),
                new Case("a site without a test service", ConfigFiles.VALID + "drills:\n  test-service:\n"
                        + "    a: 127.0.0.1:16379\n", 29, "drills.test-service.b", "required key is missing"),
                new Case("a test service on a site's service address", ConfigFiles.VALID + "drills:\n  test-service:\n"
                        + "    a: 127.0.0.1:16379\n    b: localhost:6379\n", 31, "drills.test-service.b",
                        "the same address as sites.a.service (line 19)"),
                new Case("a test service on a quorum port", ConfigFiles.VALID + "coordination:\n"
                        + ConfigFiles.EMBEDDED_QUORUM + "drills:\n  test-service:\n    a: 127.0.0.1:2888\n"
                        + "    b: 127.0.0.1:16380\n", 45, "drills.test-service.a",
                        "the same address as coordination.zookeeper.a.quorum-port (line 32)"));
    }

    @Test
    void anEmbeddedQuorumNumbersTheSitesInFileOrderAndTheWitnessLast() throws Exception {
        PairConfig config = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID + "coordination:\n"
                + ConfigFiles.EMBEDDED_QUORUM));
        CoordinationConfig c = config.coordination();
        assertEquals(CoordinationConfig.DEFAULT_SESSION_TIMEOUT, c.sessionTimeout());
        assertEquals(java.util.List.of("a:1", "b:2", "witness:3"),
                c.members().stream().map(m -> m.name() + ":" + m.id()).toList());
        assertEquals("127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183", c.connectString());
        assertEquals(dir.resolve("zk-witness").toAbsolutePath(), c.witnessDataDir());
        assertTrue(c.embedded());
    }

    @Test
    void anExternalEnsembleIsConnectedToAsWritten() throws Exception {
        CoordinationConfig c = PairConfigParser.load(ConfigFiles.write(dir, ConfigFiles.VALID + "coordination:\n"
                + "  ensemble: zk1.example:2181, zk2.example:2181 ,zk3.example:2182\n")).coordination();
        assertEquals("zk1.example:2181,zk2.example:2181,zk3.example:2182", c.connectString());
        assertTrue(!c.embedded());
        assertEquals(null, c.witnessDataDir());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithFileLineAndKeyPath(Case c) throws Exception {
        assertRefused(ConfigFiles.write(dir, c.yaml()), c.line(), c.keyPath(), c.says());
    }

    @Test
    void secretFileMissing() throws Exception {
        Path file = ConfigFiles.write(dir, ConfigFiles.VALID);
        Files.delete(dir.resolve("pair.secret"));
        assertRefused(file, 3, "secret-file", "secret file " + dir.resolve("pair.secret").toAbsolutePath() + " does not exist");
    }

    @Test
    void secretFileTooShort() throws Exception {
        Path file = ConfigFiles.write(dir, ConfigFiles.VALID);
        Files.writeString(dir.resolve("pair.secret"), "00112233445566778899aabbccddee\n");
        assertRefused(file, 3, "secret-file", dir.resolve("pair.secret").toAbsolutePath() + " holds 15 bytes; at least 16");
    }

    @Test
    void secretFileNotHex() throws Exception {
        Path file = ConfigFiles.write(dir, ConfigFiles.VALID);
        Files.writeString(dir.resolve("pair.secret"), "correct horse battery staple, correct horse battery staple\n");
        assertRefused(file, 3, "secret-file", dir.resolve("pair.secret").toAbsolutePath() + " must hold one line of hex digits");
        Files.writeString(dir.resolve("pair.secret"), ConfigFiles.SECRET_HEX + "\n" + ConfigFiles.SECRET_HEX + "\n");
        assertRefused(file, 3, "secret-file", "one line of hex digits");
    }

    @Test
    void secretFileUnreadable() throws Exception {
        // A directory cannot be read as a file even by root, unlike a file with mode 000.
        Path file = ConfigFiles.write(dir, ConfigFiles.with("secret-file: pair.secret", "secret-file: keys"));
        Files.createDirectory(dir.resolve("keys"));
        assertRefused(file, 3, "secret-file", "secret file " + dir.resolve("keys").toAbsolutePath() + " is a directory");
    }

    @Test
    void missingConfigFileIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> PairConfigParser.load(dir.resolve("nope.yaml")));
        assertEquals(dir.resolve("nope.yaml") + ": no such file", e.getMessage());
    }

    @Test
    void aDaemonIsRefusedWithEveryErrorOneLineEach() throws Exception {
        Path file = ConfigFiles.write(dir, ConfigFiles.with("127.0.0.1:7501", "127.0.0.1:70x")
                .replace("  buffer: 32M", "  bufer: 32M"));
        ConfigException e = assertThrows(ConfigException.class, () -> PairConfigParser.load(file));
        assertEquals(file + ":10: logging.bufer: unknown key (did you mean buffer?) (known here: buffer, lag-target,"
                + " heartbeat-interval, suspect-after, state-check-interval, logged-reads)\n"
                + file + ":24: sites.b.channel: \"127.0.0.1:70x\" is not HOST:PORT (port must be 1-65535)", e.getMessage());
        assertEquals(10, e.line());
        assertEquals("logging.bufer", e.keyPath());
    }

    @Test
    void theMessageIsOneCompilerStyleLine() throws Exception {
        Path file = ConfigFiles.write(dir, ConfigFiles.with("127.0.0.1:7501", "127.0.0.1:70x"));
        ConfigException e = assertThrows(ConfigException.class, () -> PairConfigParser.load(file));
        assertEquals(file + ":24: sites.b.channel: \"127.0.0.1:70x\" is not HOST:PORT (port must be 1-65535)", e.getMessage());
        assertTrue(e instanceof IllegalArgumentException, "the CLI maps IllegalArgumentException to exit code 1");
    }

    private static void assertRefused(Path file, int line, String keyPath, String says) {
        ConfigException e = assertThrows(ConfigException.class, () -> PairConfigParser.load(file));
        String message = e.getMessage();
        String where = file + ":" + line + ": " + (keyPath.isEmpty() ? "" : keyPath + ": ");
        assertTrue(message.startsWith(where), () -> "expected to start with <" + where + ">: " + message);
        assertTrue(message.contains(says), () -> "expected <" + says + "> in: " + message);
        assertTrue(message.contains("pair.yaml:" + line + ":"), message);
        assertEquals(line, e.line(), message);
        assertEquals(keyPath, e.keyPath(), message);
        assertEquals(-1, message.indexOf('\n'), "one line: " + message);
    }
}
