package io.sitepair.ops.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.compression.nativelib.NativeLibraryCache;
import io.sitepair.replicator.channel.NativeEpoll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site killed and restarted in a loop must not fill the disk: its JVMs take their JNI libraries
 * (RocksDB, Netty's epoll) from the native cache, and leave nothing in {@code java.io.tmpdir}.
 */
class NativeLibrariesProcessTest {
    @Test
    void aJvmKilledTwiceLeavesNoNativeLibraryInItsTemporaryDirectory(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        List<String> jvm = List.of("-Djava.io.tmpdir=" + tmp,
                // Netty deletes a copy it unpacked once loaded; kept, it would show.
                "-Dio.netty.native.deleteLibAfterLoading=false");
        for (int run = 1; run <= 2; run++) {
            Path out = dir.resolve("out" + run);
            // Serving loads Netty's epoll library; the block map loads RocksDB's.
            Process site = SitepairProcess.startWithJvmOptions(jvm, out, dir.resolve("err" + run), "guest", "run",
                    "--guest", "kv", "--disk", dir.resolve("kv.img").toString(), "--disk-size", "1M",
                    "--block-map", dir.resolve("map").toString(), "--listen", "127.0.0.1:0");
            try {
                awaitServing(out, dir.resolve("err" + run));
            } finally {
                site.destroyForcibly(); // kill -9: nothing of the JVM's own cleanup runs
                site.waitFor();
            }
        }
        try (Stream<Path> left = Files.walk(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".so")).toList());
        }
        NativeLibraryCache cache = NativeLibraryCache.standard();
        assertTrue(holds(cache.root(), "librocksdbjni"), "RocksDB's library in " + cache.root());
        assertTrue(holds(NativeEpoll.directory(cache), "libnetty_transport_native_epoll"),
                "Netty's library in " + NativeEpoll.directory(cache));
        Path nettyWorkDir = cache.root().resolve("netty"); // where Netty would unpack a copy of its own
        assertFalse(Files.exists(nettyWorkDir) && holds(nettyWorkDir, "libnetty"), "Netty loaded from the cache");
    }

    private static boolean holds(Path dir, String prefix) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(file -> file.getFileName().toString().startsWith(prefix));
        }
    }

    private static void awaitServing(Path out, Path err) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(out);
            if (text.contains("serving kv on")) {
                assertTrue(text.contains("(epoll,"), "served without the native transport: " + text);
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not serving within 60 s: " + Files.readString(out) + Files.readString(err));
    }
}
