package io.sitepair.ops.config;

import io.sitepair.guests.ShippedGuest;
import io.sitepair.ops.config.NetworkConfig.Mode;
import io.sitepair.replicator.nic.NicIdentity;
import io.sitepair.replicator.resync.ResyncPolicy;
import io.sitepair.replicator.tls.KeyFiles;
import io.sitepair.replicator.tls.TlsException;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * maps so that every error can name the file, the line and the key path, and it reads on past an error so
 * that one pass finds them all ({@link ConfigReport}). Relative paths resolve against the file's directory,
 * so the file means the same whatever directory sitepair is started from.
 */
public final class PairConfigParser {
    static final List<String> TOP_KEYS =
            List.of("pair", "secret-file", "guest", "disks", "initial-primary", "logging", "sites", "coordination",
                    "resync", "tls", "drills", "network");
    static final List<String> RESYNC_KEYS = List.of("rate", "start");
    static final List<String> DISK_KEYS = List.of("size");
    static final List<String> LOGGING_KEYS = List.of("buffer", "lag-target", "heartbeat-interval", "suspect-after",
            "state-check-interval", "logged-reads");
    /** Disks are addressed in 4 KiB blocks. */
    static final int DISK_BLOCK = 4096;

    private static final Pattern PAIR_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private PairConfigParser() {}

    /** Reads and checks {@code file}; a ConfigException names every error, one line each, with its line and key. */
    public static PairConfig load(Path file) {
        return load(file, false);
    }

    /**
     * Reads and checks {@code file} as {@link #load} does, and also what only the machine running a drill needs:
     * that the drills' check command starts a program found here ({@link CheckProgram}).
     */
    public static PairConfig loadForDrills(Path file) {
        return load(file, true);
    }

    private static PairConfig load(Path file, boolean drills) {
        ConfigReport report = new ConfigReport(file);
        PairConfig config = read(file, report);
        if (drills) {
            CheckProgram.run(report);
        }
        report.throwIfInvalid();
        return config;
    }

    /** Reads and checks {@code file} as {@link #load} does, but reports every problem instead of throwing. */
    public static ConfigReport check(Path file) {
        ConfigReport report = new ConfigReport(file);
        read(file, report);
        return report;
    }

    /** The configuration, or null if the file has an error; every problem goes to {@code report}. */
    private static PairConfig read(Path file, ConfigReport report) {
        Node root = compose(file, report);
        if (root == null) {
            return null;
        }
        Path dir = file.toAbsolutePath().normalize().getParent();
        YamlSection top = new YamlSection(report, root, "", YamlSection.lineOf(root), TOP_KEYS);
        if (top.broken()) {
            return null;
        }

        String pair = top.required("pair", PairConfigParser::pairName);
        report.pair(pair);
        byte[] secret = top.required("secret-file", v -> secret(dir.resolve(v).normalize(), top));
        String guest = top.required("guest", v -> guest(dir, v));
        List<Long> disks = disks(top);
        LoggingTuning logging = logging(top.optionalSection("logging", LOGGING_KEYS));
        YamlSection networkSection = top.optionalSection("network", NetworkParser.KEYS);
        Mode mode = NetworkParser.mode(networkSection);
        NicIdentity identity = NetworkParser.identity(networkSection, mode, pair);
        NetworkConfig network = NetworkParser.config(mode, identity);
        report.network(network);
        YamlSection sitesSection = top.section("sites", null);
        Map<String, SiteConfig> sites = SitesParser.parse(sitesSection, dir, mode, identity);
        List<String> siteNames = List.copyOf(sitesSection.keys());
        // With the sites themselves refused, which site is meant is unknown: no second error about it.
        String initialPrimary = top.required("initial-primary", v -> {
            if (sites != null && !siteNames.contains(v)) {
                throw new IllegalArgumentException(Scalars.quote(v) + " is not a site of this pair (sites: "
                        + String.join(", ", siteNames) + ")");
            }
            return v;
        });
        YamlSection coordinationSection = top.optionalSection("coordination", CoordinationParser.KEYS);
        CoordinationConfig coordination = top.has("coordination")
                ? CoordinationParser.parse(coordinationSection, siteNames, dir) : null;
        ResyncPolicy resync = resync(top.optionalSection("resync", RESYNC_KEYS));
        TlsConfig tls = TlsParser.parse(top, siteNames, coordinationSection.has("zookeeper"), dir);
        DrillsConfig drills = DrillsParser.parse(top.optionalSection("drills", DrillsParser.KEYS), sites, siteNames,
                dir);
        PortClashes.check(report);
        if (sites != null && coordination != null && coordination.embedded()) {
            witnessApart(coordinationSection, sites, coordination);
        }
        if (!report.valid()) {
            return null;
        }
        return new PairConfig(file.toAbsolutePath().normalize(), pair, secret, guest, disks, initialPrimary, logging, sites,
                coordination, resync, tls, drills, network);
    }

    /** The file's node tree, or null: I/O, encoding and YAML syntax errors are reported. */
    private static Node compose(Path file, ConfigReport report) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            report.error(0, "", "no such file");
            return null;
        } catch (MalformedInputException e) {
            report.error(0, "", "not UTF-8 text");
            return null;
        } catch (IOException e) {
            report.error(0, "", "cannot be read (" + e.getClass().getSimpleName() + ")");
            return null;
        }
        Node root;
        try {
            root = new Yaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            report.error(mark == null ? 1 : mark.getLine() + 1, "", "YAML syntax error: " + e.getProblem() + context);
            return null;
        } catch (YAMLException e) {
            report.error(0, "", "YAML error: " + e.getMessage());
            return null;
        }
        // Nothing but comments, or a lone "~": SnakeYAML has no document, or a null one.
        if (root == null || (root instanceof ScalarNode s && Tag.NULL.equals(s.getTag()))) {
            report.error(1, "", "the file is empty; a site-pair configuration needs pair, secret-file, guest, disks,"
                    + " initial-primary, sites and tls (sitepair init --lab DIR writes an example)");
            return null;
        }
        return root;
    }

    /** The secret; one that others may read still works, with a warning (the sites trust whoever holds it). */
    private static byte[] secret(Path file, YamlSection top) {
        byte[] secret = SecretFile.read(file);
        try {
            KeyFiles.checkPrivate(file);
        } catch (TlsException accessible) {
            top.warning("secret-file", "secret file " + file + " is accessible by group or others, who could act as a"
                    + " site of the pair; run: chmod 600 " + file);
        }
        return secret;
    }

    /**
     * A witness on a site's machine takes two of the three votes down with it. A lab puts both sites and the
     * witness on one machine and is not warned: the warning is for sites on machines of their own.
     */
    private static void witnessApart(YamlSection coordination, Map<String, SiteConfig> sites, CoordinationConfig c) {
        List<SiteConfig> both = List.copyOf(sites.values());
        if (both.size() != 2 || PortClashes.sameHost(both.get(0).channel(), both.get(1).channel())) {
            return;
        }
        InetSocketAddress witness = c.member(CoordinationConfig.WITNESS).client();
        for (SiteConfig site : both) {
            if (PortClashes.sameHost(witness, site.channel())) {
                coordination.report().warning("coordination.zookeeper.witness.client", "the witness is on site "
                        + site.name() + "'s host (" + site.channel().getHostString() + "): losing that machine loses two"
                        + " of the three votes, and the other site cannot go live; put the witness on a third machine");
            }
        }
    }

    static String pairName(String v) {
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

    /** The disks' sizes, or null if one is refused (reported). */
    private static List<Long> disks(YamlSection top) {
        List<Node> items = top.list("disks");
        if (items == null) {
            return null;
        }
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            YamlSection disk = new YamlSection(top.report(), item, "disks[" + i + "]", YamlSection.lineOf(item), DISK_KEYS);
            sizes.add(disk.required("size", v -> {
                long size = Units.bytes(v);
                if (size == 0 || size % DISK_BLOCK != 0) {
                    throw new IllegalArgumentException(Scalars.quote(v) + " is not a positive multiple of "
                            + DISK_BLOCK + " bytes (the disk block size)");
                }
                return size;
            }));
        }
        return sizes.contains(null) ? null : sizes;
    }

    /** The logging tuning, or null if a value is refused (reported). */
    private static LoggingTuning logging(YamlSection s) {
        LoggingTuning d = LoggingTuning.DEFAULTS;
        Long buffer = s.optional("buffer", v -> {
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
        Boolean loggedReads = s.optional("logged-reads", PairConfigParser::bool, d.loggedReads());
        if (heartbeat != null && suspectAfter != null) {
            Duration least = heartbeat.multipliedBy(LoggingTuning.HEARTBEATS_PER_TIMEOUT);
            if (suspectAfter.compareTo(least) < 0) {
                // Blame the key the file gives: with one of them left at its default, the other is the mistake.
                s.problem(s.has("suspect-after") ? "suspect-after" : "heartbeat-interval", "the failure timeout"
                        + " (suspect-after, " + Units.formatDuration(suspectAfter) + ") is shorter than "
                        + LoggingTuning.HEARTBEATS_PER_TIMEOUT + " heartbeat intervals (" + Units.formatDuration(least)
                        + "): a few late heartbeats would make a live peer look failed");
            }
        }
        if (buffer == null || lagTarget == null || heartbeat == null || suspectAfter == null || stateCheck == null
                || loggedReads == null) {
            return null;
        }
        return new LoggingTuning(buffer, lagTarget, heartbeat, suspectAfter, stateCheck, loggedReads);
    }

    /** The resync policy, or null if a value is refused (reported). */
    private static ResyncPolicy resync(YamlSection s) {
        Long rate = s.optional("rate", Units::bytesPerSecond, ResyncPolicy.DEFAULTS.rateBytesPerSecond());
        Boolean manual = s.optional("start", v -> switch (v) {
            case "auto" -> false;
            case "manual" -> true;
            default -> throw new IllegalArgumentException(Scalars.quote(v) + " is not auto or manual");
        }, ResyncPolicy.DEFAULTS.manualStart());
        return rate == null || manual == null ? null : new ResyncPolicy(rate, manual);
    }

    static Duration positive(String v) {
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
