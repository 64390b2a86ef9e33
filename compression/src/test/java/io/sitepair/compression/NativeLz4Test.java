package io.sitepair.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sitepair.compression.nativelib.NativeLibraryCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jpountz.util.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JVMs started the way ops/bin/sitepair starts them load lz4-java from the cache and leave nothing in java.io.tmpdir. */
class NativeLz4Test {
    @TempDir
    Path work;

    @Test
    void twoStartsShareOneCachedCopyAndLeaveTmpEmpty() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc to see which file is mapped");
        Path cache = work.resolve("cache");
        Path tmp = Files.createDirectory(work.resolve("tmp"));
        Path libraryDir = NativeLz4.directory(new NativeLibraryCache(cache));

        List<Path> mappedByEachStart = new ArrayList<>();
        for (int start = 0; start < 2; start++) {
            List<String> out = startJvm(cache, tmp, "-Djava.library.path=" + libraryDir);
            assertTrue(out.contains("native: true"), "lz4-java runs its native code: " + out);
            assertTrue(out.contains("tmp: []"), "lz4-java unpacked into java.io.tmpdir: " + out);
            mappedByEachStart.add(Path.of(line(out, "mapped: ")));
        }

        Path cached = libraryDir.resolve(System.mapLibraryName("lz4-java"));
        assertEquals(List.of(cached), files(cache), "one copy in the cache");
        assertEquals(List.of(cached, cached), mappedByEachStart, "both starts load the cached copy");
        assertTrue(libraryDir.getFileName().toString().matches("lz4-java-\\d+\\.\\d+\\.\\d+"),
                "a directory per lz4-java version: " + libraryDir);
        assertEquals(List.of(), files(tmp));
    }

    @Test
    void withoutTheLibraryPathItSaysSoOnceAndStillCompresses() throws Exception {
        List<String> out = startJvm(work.resolve("cache"), Files.createDirectory(work.resolve("tmp")));
        assertTrue(out.contains("native: true"), out.toString());
        assertEquals(1, out.stream().filter(l -> l.contains("-Djava.library.path=")).count(), out.toString());
    }

    /** A site start in miniature: a fresh JVM compresses a frame and reports what it left and loaded. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            byte[] frame = new BlockCodec().encode(new byte[4096], 0, 4096);
            if (frame[1] != BlockCodec.METHOD_LZ4) {
                throw new AssertionError("not compressed");
            }
            System.out.println("native: " + Native.isLoaded());
            try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                System.out.println("tmp: " + tmp.map(p -> p.getFileName().toString()).filter(n -> n.contains("lz4")).toList());
            }
            Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("lz4-java"))
                    .map(l -> l.substring(l.indexOf('/')))
                    .distinct()
                    .forEach(path -> System.out.println("mapped: " + path));
        }
    }

    private static List<String> startJvm(Path cache, Path tmp, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-Dsitepair.native.dir=" + cache));
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, jvm.waitFor(), out);
        return out.lines().toList();
    }

    private static String line(List<String> out, String prefix) {
        List<String> matching = out.stream().filter(l -> l.startsWith(prefix)).toList();
        assertEquals(1, matching.size(), "one " + prefix + "line: " + out);
        return matching.get(0).substring(prefix.length());
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
