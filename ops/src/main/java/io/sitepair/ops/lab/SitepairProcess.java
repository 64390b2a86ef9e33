package io.sitepair.ops.lab;

import io.sitepair.compression.NativeLz4;
import io.sitepair.compression.nativelib.NativeLibraryCache;
import io.sitepair.ops.command.Main;
import io.sitepair.replicator.channel.NativeEpoll;
import java.io.File;
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

    /**
     * Starts {@code sitepair args} through {@code wrapper}, a command that execs its arguments in
     * another context ({@code ip netns exec NS}), its output added to {@code stdout} and {@code stderr}.
     */
    public static Process startAppendingWithin(List<String> wrapper, Path stdout, Path stderr, String... args)
            throws IOException {
        return start(wrapper, List.of(), Redirect.appendTo(stdout.toFile()), Redirect.appendTo(stderr.toFile()), args);
    }

    /** Starts {@code sitepair args} in a JVM also given {@code jvmOptions} (a {@code java.io.tmpdir} of its own, say). */
    static Process startWithJvmOptions(List<String> jvmOptions, Path stdout, Path stderr, String... args)
            throws IOException {
        return start(List.of(), jvmOptions, Redirect.to(stdout.toFile()), Redirect.to(stderr.toFile()), args);
    }

    private static Process start(Redirect stdout, Redirect stderr, String... args) throws IOException {
        return start(List.of(), List.of(), stdout, stderr, args);
    }

    private static Process start(List<String> wrapper, List<String> jvmOptions, Redirect stdout, Redirect stderr,
            String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx1g"));
        command.addAll(nativeLibraryOptions());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(stdout).redirectError(stderr).start();
    }

    /**
     * This JVM's native library cache for the child, with lz4-java's and Netty's directories on its
     * library path and Netty's fallback working directory in it (what ops/bin/sitepair does), so
     * that a site killed and restarted leaves nothing in /tmp.
     */
    private static List<String> nativeLibraryOptions() {
        NativeLibraryCache cache = NativeLibraryCache.standard();
        try {
            String libraryPath = String.join(File.pathSeparator, NativeLz4.directory(cache).toString(),
                    NativeEpoll.directory(cache).toString(), System.getProperty("java.library.path"));
            return List.of("-D" + NativeLibraryCache.ROOT_PROPERTY + "=" + cache.root().toAbsolutePath(),
                    "-Djava.library.path=" + libraryPath,
                    "-Dio.netty.native.workdir=" + cache.root().resolve("netty").toAbsolutePath());
        } catch (IOException e) {
            return List.of(); // the child says what it falls back to
        }
    }
}
