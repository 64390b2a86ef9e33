package io.sitepair.ops.config;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finding a program as a shell would: a name on PATH. */
public final class Executables {
    private Executables() {}

    /** The executable file {@code name} (without a '/') names on this process's PATH, or null. */
    public static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (isExecutableFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    static boolean isExecutableFile(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }
}
