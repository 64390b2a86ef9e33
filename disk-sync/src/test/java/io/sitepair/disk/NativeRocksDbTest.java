package io.sitepair.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Site starts (JVMs opening a block map) reuse one cached RocksDB library and leave nothing in java.io.tmpdir. */
class NativeRocksDbTest {
    @TempDir
    Path work;

    @Test
    void twoStartsShareOneCachedCopyAndLeaveTmpEmpty() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc to see which file is mapped");
        Path cache = work.resolve("cache");
        Path tmp = Files.createDirectory(work.resolve("tmp"));

        List<Path> mappedByEachStart = new ArrayList<>();
        for (int start = 0; start < 2; start++) {
            List<String> out = startJvm(cache, tmp, work.resolve("map"));
            assertTrue(out.contains("tmp: []"), "RocksDB unpacked into java.io.tmpdir: " + out);
            mappedByEachStart.add(Path.of(line(out, "mapped: ")));
        }

        List<Path> cached = files(cache);
        assertEquals(1, cached.size(), "one copy in the cache: " + cached);
        assertEquals(List.of(cached.get(0), cached.get(0)), mappedByEachStart, "both starts load the cached copy");
        assertTrue(cached.get(0).getParent().getFileName().toString().matches("rocksdbjni-\\d+\\.\\d+\\.\\d+"),
                "a directory per RocksDB version: " + cached.get(0));
        assertEquals(List.of(), files(tmp));
    }

    /** A site start in miniature: a fresh JVM opens a block map and reports what it left and loaded. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            try (BlockMap map = BlockMap.open(Path.of(args[0]), 1)) {
                map.sync();
            }
            try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                System.out.println("tmp: " + tmp.map(p -> p.getFileName().toString()).filter(n -> n.contains("rocksdb")).toList());
            }
            Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("librocksdbjni"))
                    .map(l -> l.substring(l.indexOf('/')))
                    .distinct()
                    .forEach(path -> System.out.println("mapped: " + path));
        }
    }

    private static List<String> startJvm(Path cache, Path tmp, Path map) throws IOException, InterruptedException {
        Process jvm = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-Dsitepair.native.dir=" + cache,
                "-cp", System.getProperty("java.class.path"), Probe.class.getName(), map.toString())
                .redirectErrorStream(true).start();
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
