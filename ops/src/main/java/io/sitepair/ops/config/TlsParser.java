package io.sitepair.ops.config;

import io.sitepair.replicator.tls.TlsFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The required {@code tls} section: the pair CA's certificate and each holder's certificate and key,
 * or {@code mode: off} in words. Only paths are read here: each machine holds only its own key, so
 * the files are checked when a process loads its identity (and by {@code sitepair validate}).
 */
final class TlsParser {
    static final String MODE = "mode";
    static final String CA = "ca";
    static final List<String> HOLDER_KEYS = List.of("cert", "key");
    static final String MISSING = "required key is missing: every link is encrypted; add a tls: section naming the"
            + " certificate files (docs/config.md) and create them with `sitepair cert init` (`sitepair init --lab`"
            + " writes both for a lab), or say `tls: {mode: off}` for a lab on loopback";

    private TlsParser() {}

    /**
     * The section, or null if it has a problem (reported). Each holder's files go to the report as they are
     * read, for {@code validate} to check.
     *
     * @param top the file's top level, to refuse a missing {@code tls} at its line
     * @param siteNames the pair's sites, each of which needs its certificate
     * @param witnessRequired whether the witness runs a quorum peer here (an embedded quorum)
     */
    static TlsConfig parse(YamlSection top, List<String> siteNames, boolean witnessRequired, Path dir) {
        if (!top.has("tls")) {
            top.problem("tls", MISSING);
            return null;
        }
        List<String> holders = new ArrayList<>(siteNames);
        holders.add(CoordinationConfig.WITNESS);
        holders.add(TlsConfig.OPERATOR);
        List<String> keys = new ArrayList<>(List.of(MODE, CA));
        keys.addAll(holders);
        YamlSection tls = top.section("tls", keys);
        if (tls.broken()) {
            return null;
        }
        Boolean on = tls.optional(MODE, TlsParser::mode, true);
        if (on == null) {
            return null;
        }
        if (!on) {
            boolean alone = true;
            for (String key : tls.keys()) {
                if (!key.equals(MODE)) {
                    tls.problemWithKey(key, "with mode: off no certificate is used; remove this key, or remove"
                            + " mode: off to encrypt the links");
                    alone = false;
                }
            }
            return alone ? TlsConfig.OFF : null;
        }
        Path ca = tls.required(CA, v -> dir.resolve(v).normalize());
        Map<String, TlsFiles> files = new LinkedHashMap<>();
        Map<Path, String> seen = new HashMap<>();
        boolean complete = ca != null;
        for (String holder : holders) {
            boolean required = siteNames.contains(holder) || (witnessRequired && holder.equals(CoordinationConfig.WITNESS));
            if (!tls.has(holder)) {
                if (required) {
                    tls.problem(holder, "required key is missing: the certificate and key of " + describe(holder)
                            + ", as {cert: FILE, key: FILE}");
                    complete = false;
                }
                continue;
            }
            YamlSection h = tls.section(holder, HOLDER_KEYS);
            Path cert = file(h, "cert", dir, seen);
            Path key = file(h, "key", dir, seen);
            if (ca == null || cert == null || key == null) {
                complete = false;
                continue;
            }
            files.put(holder, new TlsFiles(ca, cert, key));
            tls.report().certificate(holder, files.get(holder));
        }
        return complete ? new TlsConfig(ca, files) : null;
    }

    /** A holder's file; one file serving two holders (or as cert and key) is a copying mistake (reported: null). */
    private static Path file(YamlSection h, String key, Path dir, Map<Path, String> seen) {
        Path file = h.required(key, v -> dir.resolve(v).normalize());
        if (file == null) {
            return null;
        }
        String first = seen.putIfAbsent(file, h.key(key) + " (line " + h.lineOf(key) + ")");
        if (first != null) {
            h.problem(key, "the same file as " + first + ": each holder has its own certificate and key");
            return null;
        }
        return file;
    }

    private static boolean mode(String v) {
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(Scalars.quote(v) + " is not a mode (on or off)");
        };
    }

    private static String describe(String holder) {
        return holder.equals(CoordinationConfig.WITNESS) ? "the witness (it runs the third ZooKeeper peer)"
                : "site " + holder;
    }
}
