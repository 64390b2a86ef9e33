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
 * the files are checked when a process loads its identity.
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
     * @param top the file's top level, to refuse a missing {@code tls} at its line
     * @param siteNames the pair's sites, each of which needs its certificate
     * @param witnessRequired whether the witness runs a quorum peer here (an embedded quorum)
     */
    static TlsConfig parse(YamlSection top, List<String> siteNames, boolean witnessRequired, Path dir) {
        if (!top.has("tls")) {
            throw ConfigException.at(top.file(), top.line(), "tls", MISSING);
        }
        List<String> holders = new ArrayList<>(siteNames);
        holders.add(CoordinationConfig.WITNESS);
        holders.add(TlsConfig.OPERATOR);
        List<String> keys = new ArrayList<>(List.of(MODE, CA));
        keys.addAll(holders);
        YamlSection tls = top.section("tls", keys);
        boolean on = tls.optional(MODE, TlsParser::mode, true);
        if (!on) {
            for (String key : tls.keys()) {
                if (!key.equals(MODE)) {
                    throw ConfigException.at(tls.file(), tls.lineOf(key), tls.key(key), "with mode: off no"
                            + " certificate is used; remove this key, or remove mode: off to encrypt the links");
                }
            }
            return TlsConfig.OFF;
        }
        Path ca = tls.required(CA, v -> dir.resolve(v).normalize());
        Map<String, TlsFiles> files = new LinkedHashMap<>();
        Map<Path, String> seen = new HashMap<>();
        for (String holder : holders) {
            boolean required = siteNames.contains(holder) || (witnessRequired && holder.equals(CoordinationConfig.WITNESS));
            if (!tls.has(holder)) {
                if (required) {
                    throw ConfigException.at(tls.file(), tls.line(), tls.key(holder), "required key is missing: the"
                            + " certificate and key of " + describe(holder) + ", as {cert: FILE, key: FILE}");
                }
                continue;
            }
            YamlSection h = tls.section(holder, HOLDER_KEYS);
            Path cert = file(h, "cert", dir, seen);
            Path key = file(h, "key", dir, seen);
            files.put(holder, new TlsFiles(ca, cert, key));
        }
        return new TlsConfig(ca, files);
    }

    /** A holder's file; one file serving two holders (or as cert and key) is a copying mistake. */
    private static Path file(YamlSection h, String key, Path dir, Map<Path, String> seen) {
        Path file = h.required(key, v -> dir.resolve(v).normalize());
        String first = seen.putIfAbsent(file, h.key(key) + " (line " + h.lineOf(key) + ")");
        if (first != null) {
            throw h.error(key, "the same file as " + first + ": each holder has its own certificate and key");
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
