package io.sitepair.ops.config;

import java.nio.file.Path;

/**
 * A configuration the operator must fix. The message is one line, {@code FILE:LINE: KEY.PATH: problem}, so
 * it reads like a compiler error; the CLI prints it and exits with code 1 (it is an IllegalArgumentException).
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

    /** An error at a 1-based line of {@code file}; {@code keyPath} may be empty (syntax errors have none). */
    static ConfigException at(Path file, int line, String keyPath, String problem) {
        String where = keyPath.isEmpty() ? "" : keyPath + ": ";
        return new ConfigException(file + ":" + line + ": " + where + problem, line, keyPath);
    }

    /** The 1-based line the error is at, or 0 if it has none. */
    public int line() {
        return line;
    }

    /** The key path the error is about, such as {@code sites.b.channel}, or empty. */
    public String keyPath() {
        return keyPath;
    }
}
