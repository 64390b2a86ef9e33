package io.sitepair.ops.config;

import io.sitepair.guests.ShippedGuest;
import io.sitepair.replicator.resync.ResyncPolicy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a site-pair configuration file (docs/config.md). It works on SnakeYAML's node tree rather than on
 * maps so that every error can name the file, the line and the key path. Relative paths resolve against
 * the file's directory, so the file means the same whatever directory sitepair is started from.
 */
public final class PairConfigParser {
    static final List<String> TOP_KEYS =
            List.of("pair", "secret-file", "guest", "disks", "initial-primary", "logging", "sites", "coordination",
                    "resync", "tls");
    static final List<String> RESYNC_KEYS = List.of("rate", "start");
    static final List<String> DISK_KEYS = List.of("size");
    static final List<String> LOGGING_KEYS = List.of("buffer", "lag-target", "heartbeat-interval", "suspect-after",
            "state-check-interval", "logged-reads");
    /** Disks are addressed in 4 KiB blocks. */
    static final int DISK_BLOCK = 4096;

    private static final Pattern PAIR_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private PairConfigParser() {}

    /** Reads and validates {@code file}; a ConfigException says what is wrong and where. */
    public static PairConfig load(Path file) {
        Node root = compose(file);
        Path dir = file.toAbsolutePath().normalize().getParent();
        YamlSection top = new YamlSection(file, root, "", YamlSection.lineOf(root), TOP_KEYS);

        String pair = top.required("pair", PairConfigParser::pairName);
        byte[] secret = top.required("secret-file", v -> SecretFile.read(dir.resolve(v).normalize()));
        String guest = top.required("guest", v -> guest(dir, v));
        List<Long> disks = disks(top);
        LoggingTuning logging = logging(top.optionalSection("logging", LOGGING_KEYS));
        var sites = SitesParser.parse(top.section("sites", null), dir);
        String initialPrimary = top.required("initial-primary", v -> {
            if (!sites.containsKey(v)) {
                throw new IllegalArgumentException(Scalars.quote(v) + " is not a site of this pair (sites: "
                        + String.join(", ", sites.keySet()) + ")");
            }
            return v;
        });
        CoordinationConfig coordination = top.has("coordination")
                ? CoordinationParser.parse(top.section("coordination", CoordinationParser.KEYS), List.copyOf(sites.keySet()), dir)
                : null;
        ResyncPolicy resync = resync(top.optionalSection("resync", RESYNC_KEYS));
        TlsConfig tls = TlsParser.parse(top, List.copyOf(sites.keySet()), coordination != null && coordination.embedded(),
                dir);
        return new PairConfig(file.toAbsolutePath().normalize(), pair, secret, guest, disks, initialPrimary, logging, sites,
                coordination, resync, tls);
    }

    /** The file's node tree; I/O, encoding and YAML syntax errors become ConfigExceptions. */
    private static Node compose(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (MalformedInputException e) {
            throw new ConfigException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        Node root;
        try {
            root = new Yaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            throw ConfigException.at(file, mark == null ? 1 : mark.getLine() + 1, "",
                    "YAML syntax error: " + e.getProblem() + context);
        } catch (YAMLException e) {
            throw new ConfigException(file + ": YAML error: " + e.getMessage());
        }
        // Nothing but comments, or a lone "~": SnakeYAML has no document, or a null one.
        if (root == null || (root instanceof ScalarNode s && Tag.NULL.equals(s.getTag()))) {
            throw ConfigException.at(file, 1, "", "the file is empty; a site-pair configuration needs pair,"
                    + " secret-file, guest, disks, initial-primary, sites and tls (sitepair init --lab DIR writes an example)");
        }
        return root;
    }

    private static String pairName(String v) {
        if (!PAIR_NAME.matcher(v).matches()) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is not a pair name (lower-case letters, digits"
                    + " and '-', at most 63, not starting with '-')");
        }
        return v;
    }

    /** A shipped guest stays a name; a path (ends in .wasm or has a '/') becomes absolute and must exist. */
    private static String guest(Path dir, String v) {
        if (v.endsWith(".wasm") || v.contains("/")) {
            Path module = dir.resolve(v).normalize();
            if (!Files.isRegularFile(module)) {
                throw new IllegalArgumentException(Scalars.quote(v) + ": no such file (" + module + ")");
            }
            return module.toString();
        }
        if (!v.matches("[a-z0-9-]+") || !ShippedGuest.exists(v)) {
            throw new IllegalArgumentException(Scalars.quote(v) + " is neither a shipped guest ("
                    + String.join(", ", ShippedGuest.NAMES) + ") nor a path to a .wasm module");
        }
        return v;
    }

    private static List<Long> disks(YamlSection top) {
        List<Long> sizes = new ArrayList<>();
        for (Node item : top.list("disks")) {
            String path = "disks[" + sizes.size() + "]";
            YamlSection disk = new YamlSection(top.file(), item, path, YamlSection.lineOf(item), DISK_KEYS);
            sizes.add(disk.required("size", v -> {
                long size = Units.bytes(v);
                if (size == 0 || size % DISK_BLOCK != 0) {
                    throw new IllegalArgumentException(Scalars.quote(v) + " is not a positive multiple of "
                            + DISK_BLOCK + " bytes (the disk block size)");
                }
                return size;
            }));
        }
        return sizes;
    }

    private static LoggingTuning logging(YamlSection s) {
        LoggingTuning d = LoggingTuning.DEFAULTS;
        long buffer = s.optional("buffer", v -> {
            long bytes = Units.bytes(v);
            if (bytes == 0) {
                throw new IllegalArgumentException(Scalars.quote(v) + ": the buffer cannot be empty");
            }
            return bytes;
        }, d.bufferBytes());
        Duration lagTarget = s.optional("lag-target", PairConfigParser::positive, d.lagTarget());
        Duration heartbeat = s.optional("heartbeat-interval", PairConfigParser::positive, d.heartbeatInterval());
        Duration suspectAfter = s.optional("suspect-after", v -> {
            Duration t = Units.duration(v);
            if (t.compareTo(LoggingTuning.MIN_SUSPECT_AFTER) < 0) {
                throw new IllegalArgumentException(Scalars.quote(v) + " is below the minimum of "
                        + Units.formatDuration(LoggingTuning.MIN_SUSPECT_AFTER)
                        + " (a GC pause or scheduling delay would look like a failed peer)");
            }
            return t;
        }, d.suspectAfter());
        Duration stateCheck = s.optional("state-check-interval", PairConfigParser::positive, d.stateCheckInterval());
        boolean loggedReads = s.optional("logged-reads", PairConfigParser::bool, d.loggedReads());
        if (heartbeat.compareTo(suspectAfter) >= 0) {
            throw s.error("heartbeat-interval", Units.formatDuration(heartbeat) + " must be below suspect-after ("
                    + Units.formatDuration(suspectAfter) + "), or a single late heartbeat makes the peer suspected");
        }
        return new LoggingTuning(buffer, lagTarget, heartbeat, suspectAfter, stateCheck, loggedReads);
    }

    private static ResyncPolicy resync(YamlSection s) {
        long rate = s.optional("rate", Units::bytesPerSecond, ResyncPolicy.DEFAULTS.rateBytesPerSecond());
        boolean manual = s.optional("start", v -> switch (v) {
            case "auto" -> false;
            case "manual" -> true;
            default -> throw new IllegalArgumentException(Scalars.quote(v) + " is not auto or manual");
        }, ResyncPolicy.DEFAULTS.manualStart());
        return new ResyncPolicy(rate, manual);
    }

    private static Duration positive(String v) {
        Duration d = Units.duration(v);
        if (d.isZero()) {
            throw new IllegalArgumentException(Scalars.quote(v) + " must be more than zero");
        }
        return d;
    }

    private static boolean bool(String v) {
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(Scalars.quote(v) + " is not true or false");
        };
    }
}
