package io.sitepair.disk;

import io.sitepair.compression.nativelib.BundledLibrary;
import io.sitepair.compression.nativelib.NativeLibraryCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads RocksDB's JNI library from the {@link NativeLibraryCache}, where it is unpacked once per
 * RocksDB version, instead of RocksDB's default: a fresh 17 MB copy in {@code java.io.tmpdir} at
 * every start, deleted only at a clean exit. Must run before any other RocksDB class is used,
 * since each of them loads the library the default way when initialised.
 */
public final class NativeRocksDb {
    private static boolean loaded;

    private NativeRocksDb() {}

    public static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            RocksDB.loadLibrary(List.of(extract(NativeLibraryCache.standard()).getParent().toString()));
        } catch (IOException | UnsatisfiedLinkError e) {
            System.err.println("sitepair: RocksDB's native library is unpacked into " + System.getProperty("java.io.tmpdir")
                    + " instead of the cache (" + e.getMessage() + ")");
            RocksDB.loadLibrary();
        }
        loaded = true;
    }

    /** The library in {@code cache}, unpacked if it is not there intact. */
    static Path extract(NativeLibraryCache cache) throws IOException {
        String inJar = Environment.getJniLibraryFileName("rocksdb");
        // The name RocksDB.loadLibrary(paths) looks for: it passes "rocksdbjni" where the jar's own
        // loader passes "rocksdb", hence librocksdbjnijni-linux64.so (facebook/rocksdb#14167).
        String onDisk = Environment.getJniLibraryFileName("rocksdbjni");
        return cache.extract(new BundledLibrary(RocksDB.class, "rocksdbjni", "/" + inJar, onDisk));
    }
}
