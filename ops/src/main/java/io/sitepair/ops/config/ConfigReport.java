package io.sitepair.ops.config;

import io.sitepair.replicator.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What reading one configuration file found: every problem, each at its line and key path, in the order
 * found, so an operator fixes them all in one pass; and what later checks need to place their own problems
 * (the line of each key, every address, the certificate files, the drills' check command), even when the
 * file has errors and no {@link PairConfig} can be made.
 */
public final class ConfigReport {
    public enum Severity { ERROR, WARNING }

    /** One problem; {@code line} 0 when it has no place in the file (the file is missing), {@code keyPath} may be empty. */
    public record Problem(Path file, Severity severity, int line, String keyPath, String message) {
        /** {@code pair.yaml:24: sites.b.channel: ...}, or {@code pair.yaml:24: warning: sites.b.channel: ...}. */
        @Override
        public String toString() {
            return file + (line > 0 ? ":" + line : "") + ": " + (severity == Severity.WARNING ? "warning: " : "")
                    + (keyPath.isEmpty() ? "" : keyPath + ": ") + message;
        }
    }

    /**
     * An address the file gives.
     *
     * @param listens whether a process of the pair binds it (so no other may on that host), or only dials it
     */
    public record Endpoint(String keyPath, int line, InetSocketAddress address, boolean listens) {}

    private final Path file;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, Integer> lines = new HashMap<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final Map<String, TlsFiles> certificates = new LinkedHashMap<>();
    private String pair;
    private String drillCheck;
    private NetworkConfig network;

    public ConfigReport(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    void error(int line, String keyPath, String message) {
        problems.add(new Problem(file, Severity.ERROR, line, keyPath, message));
    }

    void warning(int line, String keyPath, String message) {
        problems.add(new Problem(file, Severity.WARNING, line, keyPath, message));
    }

    /** An error about a key read earlier, at its line. */
    public void error(String keyPath, String message) {
        error(lineOf(keyPath), keyPath, message);
    }

    /** A warning about a key read earlier, at its line. */
    public void warning(String keyPath, String message) {
        warning(lineOf(keyPath), keyPath, message);
    }

    void locate(String keyPath, int line) {
        lines.putIfAbsent(keyPath, line);
    }

    /** The line of a key the file has, else of its nearest enclosing key, else 1. */
    public int lineOf(String keyPath) {
        for (String key = keyPath; !key.isEmpty(); key = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : "") {
            Integer line = lines.get(key);
            if (line != null) {
                return line;
            }
        }
        return 1;
    }

    void endpoint(String keyPath, int line, InetSocketAddress address, boolean listens) {
        endpoints.add(new Endpoint(keyPath, line, address, listens));
    }

    /** Every address the file gives, in file order. */
    public List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    void certificate(String holder, TlsFiles files) {
        certificates.put(holder, files);
    }

    /** The certificate files of each holder the {@code tls} section names, where they could be read. */
    public Map<String, TlsFiles> certificates() {
        return Map.copyOf(certificates);
    }

    void pair(String name) {
        pair = name;
    }

    /** The pair's name, or null if the file gives no valid one. */
    public String pair() {
        return pair;
    }

    void network(NetworkConfig network) {
        this.network = network;
    }

    /** The pair's network mode and, in mode nic, the guest's identity; null if the file gives no valid one. */
    public NetworkConfig network() {
        return network;
    }

    void drillCheck(String command) {
        drillCheck = command;
    }

    /** The drills' check command, for {@link CheckProgram}; null if the file gives none. */
    String drillCheck() {
        return drillCheck;
    }

    public List<Problem> problems() {
        return List.copyOf(problems);
    }

    public long errors() {
        return problems.stream().filter(p -> p.severity() == Severity.ERROR).count();
    }

    public long warnings() {
        return problems.size() - errors();
    }

    public boolean valid() {
        return errors() == 0;
    }

    /** Every error, as one exception a command reports (one line per error), if there is any. */
    void throwIfInvalid() {
        List<Problem> errors = problems.stream().filter(p -> p.severity() == Severity.ERROR).toList();
        if (!errors.isEmpty()) {
            throw ConfigException.of(errors);
        }
    }

    /**
     * {@code pair.yaml: valid, network mode socket}, {@code pair.yaml: valid, 1 warning, network mode nic
     * 10.20.0.10/24 port 6379 (02:73:70:00:00:0a)} or {@code pair.yaml: 5 errors, 1 warning}.
     */
    public String summary() {
        long errors = errors();
        long warnings = warnings();
        String verdict = errors == 0 ? "valid" : errors + (errors == 1 ? " error" : " errors");
        return file + ": " + verdict + (warnings == 0 ? "" : ", " + warnings + (warnings == 1 ? " warning" : " warnings"))
                + (errors == 0 && network != null ? ", network mode " + network : "");
    }
}
