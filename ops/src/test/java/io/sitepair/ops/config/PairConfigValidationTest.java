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
