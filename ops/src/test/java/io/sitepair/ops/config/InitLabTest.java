package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.replicator.nic.NicIdentity;
import io.sitepair.replicator.nic.NicSettings;
import io.sitepair.replicator.tls.PairAuthority;
import io.sitepair.replicator.tls.PairPrincipal;
import io.sitepair.replicator.tls.TlsFiles;
import io.sitepair.replicator.tls.TlsIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sitepair init --lab DIR}: a config that loads, on distinct free ports, never written over. */
class InitLabTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** Runs the command as the CLI does: an IllegalArgumentException is one error line and exit code 1. */
    static Result init(String... args) {
        return init(new InitCommand(NO_NETWORK), args);
    }

    static Result init(InitCommand command, String... args) {
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            return 1;
        });
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** Stands for the nic lab's network, which a config test does not build. */
    private static final LabNetwork NO_NETWORK = () -> {
        throw new AssertionError("only init --lab --nic run as root brings up the nic lab's network");
    };

    private static InitCommand asRoot(boolean root) {
        return asRoot(root, () -> List.of("nic lab network: created"));
    }

    private static InitCommand asRoot(boolean root, LabNetwork network) {
        InitCommand command = new InitCommand(network);
        command.root = () -> root;
        return command;
    }

    @Test
    void writesAPairThatLoadsOnDistinctBindablePortsAndPrintsItsPathLast() throws Exception {
        Path lab = dir.resolve("lab"); // does not exist yet
        Result r = init("--lab", lab.toString());
        assertEquals(0, r.exit(), r.err());
        Path file = lab.resolve("pair.yaml").toAbsolutePath();
        assertEquals(file.toString(), r.lastLine());

        PairConfig c = PairConfigParser.load(Path.of(r.lastLine()));
        assertEquals("lab", c.pair());
        assertEquals("kv", c.guest());
        assertEquals(List.of(64L << 20), c.diskSizes());
        assertEquals("a", c.initialPrimary());
        assertEquals(LoggingTuning.DEFAULTS, c.logging());
        assertEquals(List.of("a", "b"), c.siteNames());
        assertEquals(SecretFile.GENERATED_BYTES, c.secret().length);
        for (String name : c.siteNames()) {
            SiteConfig s = c.site(name);
            assertEquals(lab.resolve(name).toAbsolutePath(), s.dataDir());
            assertTrue(Files.isDirectory(s.dataDir()), s.dataDir().toString());
            assertEquals("compiled", s.engine());
            assertTrue(r.out().contains("site " + name + ": channel 127.0.0.1:" + s.channel().getPort()), r.out());
        }

        assertEquals(Duration.ofSeconds(5), c.drills().rto());
        assertEquals(lab.resolve("a/drills").toAbsolutePath(), c.drills().reports());
        assertEquals(c.siteNames(), List.copyOf(c.drills().testService().keySet()));

        List<InetSocketAddress> all = new ArrayList<>();
        for (SiteConfig s : c.sites().values()) {
            all.addAll(List.of(s.channel(), s.service(), s.admin(), c.drills().testServiceOf(s.name())));
        }
        for (InetSocketAddress a : all) {
            assertEquals("127.0.0.1", a.getAddress().getHostAddress(), "loopback");
        }
        assertEquals(8, new HashSet<>(all.stream().map(InetSocketAddress::getPort).toList()).size(), all.toString());
        for (InetSocketAddress a : all) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(a);
            }
        }
        for (SiteConfig s : c.sites().values()) {
            new DatagramSocket(s.channel()).close(); // heartbeats: UDP on the channel port
        }
    }

    @Test
    void theFileSpellsOutEveryLoggingDefaultAndTheDrillObjectivesAndTheSecretIsPrivate() throws Exception {
        Path file = LabConfig.write(dir);
        String text = Files.readString(file);
        for (String key : PairConfigParser.LOGGING_KEYS) {
            assertTrue(text.matches("(?s).*\\n  " + key + ": \\S+ +# \\S.*"), key + " with a comment in:\n" + text);
        }
        assertTrue(text.contains("\n  rto: 5s "), text);
        assertTrue(text.contains("\n  rpo: 0 "), text);
        assertTrue(text.contains("\n  # check: "), "a check to fill in:\n" + text);
        String secret = Files.readString(dir.resolve("pair.secret"));
        assertTrue(secret.matches("[0-9a-f]{64}\n"), secret);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pair.secret"))));
        }
        // Two labs get different secrets.
        Path other = LabConfig.write(dir.resolve("other"));
        assertFalse(secret.equals(Files.readString(other.resolveSibling("pair.secret"))));
    }

    @Test
    void refusesToOverwriteAnExistingConfig() throws Exception {
        Path file = LabConfig.write(dir);
        String config = Files.readString(file);
        String secret = Files.readString(dir.resolve("pair.secret"));

        ConfigException e = assertThrows(ConfigException.class, () -> LabConfig.write(dir));
        assertTrue(e.getMessage().contains(file + " already exists"), e.getMessage());
        Result r = init("--lab", dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("pair.yaml already exists"), r.err());

        assertEquals(config, Files.readString(file));
        assertEquals(secret, Files.readString(dir.resolve("pair.secret")));
    }

    @Test
    void refusesToReplaceALoneSecretTheOtherSiteMayShare() throws Exception {
        Files.writeString(dir.resolve("pair.secret"), ConfigFiles.SECRET_HEX + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> LabConfig.write(dir));
        assertTrue(e.getMessage().contains("pair.secret already exists"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("pair.yaml")));
        assertEquals(ConfigFiles.SECRET_HEX + "\n", Files.readString(dir.resolve("pair.secret")));
    }

    @Test
    void theLabsCertificatesLoadAsTheirHoldersWithOwnerOnlyKeysAndLoopbackNames() throws Exception {
        Result r = init("--lab", dir.toString());
        assertEquals(0, r.exit(), r.err());
        PairConfig c = PairConfigParser.load(Path.of(r.lastLine()));
        assertEquals(dir.resolve("tls/ca.crt").toAbsolutePath(), c.tls().ca());
        Map<String, PairPrincipal> expected = Map.of("a", PairPrincipal.site("lab", "a"), "b",
                PairPrincipal.site("lab", "b"), "witness", PairPrincipal.witness("lab", "witness"), "operator",
                PairPrincipal.operator("lab", "operator"));
        assertEquals(expected.keySet(), c.tls().holders().keySet());
        for (var holder : expected.entrySet()) {
            TlsFiles files = c.tls().files(holder.getKey());
            assertEquals(dir.resolve("tls/" + holder.getKey() + ".key").toAbsolutePath(), files.key());
            TlsIdentity identity = TlsIdentity.load("lab", files);
            assertEquals(holder.getValue(), identity.principal());
            List<String> names = identity.certificate().getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1)))
                    .toList();
            assertTrue(names.containsAll(List.of("127.0.0.1", "localhost")), names.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.key())));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls/ca.key"))));
        PairAuthority.load("lab", c.tls().ca(), dir.resolve("tls/ca.key")); // the CA's key matches its certificate
        assertTrue(r.out().contains("to every machine: pair.yaml, pair.secret, tls/ca.crt"), r.out());
        assertTrue(r.out().contains("to site a's machine only: tls/a.crt, tls/a.key"), r.out());
        assertTrue(r.out().contains("to the witness's machine only: tls/witness.crt, tls/witness.key"), r.out());
        assertTrue(r.out().contains("to the operator's machine only: tls/operator.crt, tls/operator.key; the CA's key"
                + " tls/ca.key stays there too"), r.out());

        // A second init never replaces the CA's key, even with the config and secret gone.
        byte[] caKey = Files.readAllBytes(dir.resolve("tls/ca.key"));
        Files.delete(dir.resolve("pair.yaml"));
        Files.delete(dir.resolve("pair.secret"));
        Result again = init("--lab", dir.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("tls/ca.key already exists"), again.err());
        assertArrayEquals(caKey, Files.readAllBytes(dir.resolve("tls/ca.key")));
    }

    @Test
    void tlsOffWritesNoCertificatesAndSaysSoInWords() throws Exception {
        Result r = init("--lab", dir.toString(), "--tls", "off");
        assertEquals(0, r.exit(), r.err());
        assertEquals(TlsConfig.OFF, PairConfigParser.load(Path.of(r.lastLine())).tls());
        assertTrue(Files.readString(dir.resolve("pair.yaml")).contains("\ntls: {mode: off} "), "in words");
        assertFalse(Files.exists(dir.resolve("tls")));
        assertTrue(r.out().contains("tls: off"), r.out());
    }

    @Test
    void nicWritesALabInNetworkModeNicOnTheNicLabsBridgesThatLoads() throws Exception {
        Result r = init(asRoot(true), "--lab", dir.toString(), "--nic", "--tls", "off");
        assertEquals(0, r.exit(), r.err());
        PairConfig c = PairConfigParser.load(Path.of(r.lastLine()));

        NicIdentity guest = new NicIdentity(NetworkParser.defaultMac("lab"),
                (Inet4Address) InetAddress.ofLiteral("10.77.0.10"), 24, 6379);
        assertEquals(new NetworkConfig(NetworkConfig.Mode.NIC, guest), c.network());
        assertEquals(new NicSettings("splab-a-tap", "splab-a", guest), c.site("a").nic());
        assertEquals(new NicSettings("splab-b-tap", "splab-b", guest), c.site("b").nic());
        assertEquals(new InetSocketAddress("10.77.0.10", 6379), c.site("b").service());
        assertTrue(r.out().contains("  network mode nic 10.77.0.10/24 port 6379 (02:73:70:a5:11:46)\n"), r.out());
        assertTrue(r.out().contains("  site b: channel 127.0.0.1:" + c.site("b").channel().getPort() + ", service"
                + " 10.77.0.10:6379 (the guest's NIC: tap splab-b-tap on bridge splab-b), admin"), r.out());
        assertFalse(r.out().contains("needs root"), "run as root, no note: " + r.out());
        assertTrue(r.out().contains("\n  nic lab network: created\n"), "as root it brings up the network: " + r.out());
    }

    @Test
    void nicAsRootWritesTheLabEvenIfTheNetworkCannotBeBuiltAndSaysHowToBuildItLater() throws Exception {
        Result r = init(asRoot(true, () -> {
            throw new IOException("another nic lab is running on this machine");
        }), "--lab", dir.toString(), "--nic", "--tls", "off");

        assertEquals(0, r.exit(), r.err());
        assertTrue(PairConfigParser.load(Path.of(r.lastLine())).network().nic());
        assertTrue(r.out().contains("  note: the nic lab's network was not built: another nic lab is running on this"
                + " machine; build it later with `sitepair nic-lab up`\n"), r.out());
    }

    @Test
    void nicWithoutRootStillWritesTheLabAndSaysRunningItNeedsRoot() throws Exception {
        Result r = init(asRoot(false, NO_NETWORK), "--lab", dir.toString(), "--nic", "--tls", "off");
        assertEquals(0, r.exit(), r.err());
        assertTrue(PairConfigParser.load(Path.of(r.lastLine())).network().nic());
        assertTrue(r.out().contains("note: running this pair needs root (CAP_NET_ADMIN)"), r.out());
    }

    @Test
    void lackingLabOrPairIsAUsageError() {
        Result r = init();
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required argument (specify one of these): (--lab=DIR | [--pair=NAME"),
                r.err());
    }
}
