package io.sitepair.ops.config;

import java.util.List;

/**
 * A configuration the operator must fix. The message is one line per error, {@code FILE:LINE: KEY.PATH: problem},
 * so it reads like a compiler's errors; the CLI prints it and exits with code 1 (it is an IllegalArgumentException).
 */
public final class ConfigException extends IllegalArgumentException {
    private final int line;
    private final String keyPath;

    /** An error that has no place in a file (a missing file, an unknown site name, an existing config). */
    public ConfigException(String message) {
        super(message);
        this.line = 0;
        this.keyPath = "";
    }

    private ConfigException(String message, int line, String keyPath) {
        super(message);
        this.line = line;
        this.keyPath = keyPath;
    }

    /** Every error of a file, one line each, the first one's line and key path kept for callers. */
    static ConfigException of(List<ConfigReport.Problem> errors) {
        ConfigReport.Problem first = errors.getFirst();
        return new ConfigException(String.join("\n", errors.stream().map(ConfigReport.Problem::toString).toList()),
                first.line(), first.keyPath());
    }

    /** The 1-based line of the (first) error, or 0 if it has none. */
    public int line() {
        return line;
    }

    /** The key path the (first) error is about, such as {@code sites.b.channel}, or empty. */
    public String keyPath() {
        return keyPath;
    }
}
