package io.sitepair.ops;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a {@code sitepair} command as a separate JVM on this JVM's runtime and class path: how the lab
 * benchmark and the process tests run sites, so that each site is a real process with its own heap,
 * threads and sockets.
 */
public final class SitepairProcess {
    private SitepairProcess() {}

    /** Starts {@code sitepair args}, its output replacing what {@code stdout} and {@code stderr} held. */
    public static Process start(Path stdout, Path stderr, String... args) throws IOException {
        return start(Redirect.to(stdout.toFile()), Redirect.to(stderr.toFile()), args);
    }

    /**
     * Starts {@code sitepair args} with its output added to {@code stdout} and {@code stderr}: a
     * site restarted in a lab keeps the output of its earlier runs for a post-mortem.
     */
    public static Process startAppending(Path stdout, Path stderr, String... args) throws IOException {
        return start(Redirect.appendTo(stdout.toFile()), Redirect.appendTo(stderr.toFile()), args);
    }

    private static Process start(Redirect stdout, Redirect stderr, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(stdout).redirectError(stderr).start();
    }
}
