package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
        CommandLine cli = new CommandLine(new InitCommand());
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

        List<InetSocketAddress> all = new ArrayList<>();
        for (SiteConfig s : c.sites().values()) {
            all.addAll(List.of(s.channel(), s.service(), s.admin()));
        }
        for (InetSocketAddress a : all) {
            assertEquals("127.0.0.1", a.getAddress().getHostAddress(), "loopback");
        }
        assertEquals(6, new HashSet<>(all.stream().map(InetSocketAddress::getPort).toList()).size(), all.toString());
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
    void theFileSpellsOutEveryLoggingDefaultAndTheSecretIsPrivate() throws Exception {
        Path file = LabConfig.write(dir);
        String text = Files.readString(file);
        for (String key : PairConfigParser.LOGGING_KEYS) {
            assertTrue(text.matches("(?s).*\\n  " + key + ": \\S+ +# \\S.*"), key + " with a comment in:\n" + text);
        }
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
    void lackingLabIsAUsageError() {
        Result r = init();
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required option: '--lab=DIR'"), r.err());
    }
}
