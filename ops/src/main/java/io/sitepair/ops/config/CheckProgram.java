package io.sitepair.ops.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The program a drill's {@code check} command starts must exist where drills run. A daemon reading the file
 * does not check it: the same file goes to the sites and the witness, which never run the check, just as a
 * holder's key is checked only where it is used. {@code sitepair validate} and the drill command check it.
 */
public final class CheckProgram {
    private static final String KEY = "drills.check";

    private CheckProgram() {}

    /** Adds an error to {@code report} if the file's drill check starts no program found on this machine. */
    public static void run(ConfigReport report) {
        String command = report.drillCheck();
        if (command == null) {
            return;
        }
        String problem = problem(command, report.file().toAbsolutePath().normalize().getParent());
        if (problem != null) {
            report.error(KEY, problem);
        }
    }

    /**
     * Why {@code /bin/sh -c command}, run in {@code dir}, would find no program to start, or null if it would:
     * its first word is a path (relative to {@code dir}) to an executable file, or the name of one on PATH.
     */
    static String problem(String command, Path dir) {
        String word = firstWord(command);
        if (word.contains("/")) {
            Path program = dir.resolve(word).normalize();
            if (!Files.exists(program)) {
                return Scalars.quote(word) + ", the check's program: no such file (" + program + ")";
            }
            return Executables.isExecutableFile(program) ? null
                    : Scalars.quote(word) + ", the check's program: " + program + " is not an executable file";
        }
        return Executables.onPath(word) != null ? null : Scalars.quote(word) + ", the check's program, is not on"
                + " PATH (" + System.getenv().getOrDefault("PATH", "") + "); give its path, absolute or relative to"
                + " the configuration's directory (shell built-ins and VAR=value prefixes belong in a script)";
    }

    /** The command's first word: up to the first blank, or, quoted, up to the closing quote. */
    private static String firstWord(String command) {
        String c = command.strip();
        char first = c.charAt(0);
        if (first == '\'' || first == '"') {
            int close = c.indexOf(first, 1);
            return c.substring(1, close < 0 ? c.length() : close);
        }
        return c.split("\\s+", 2)[0];
    }
}
