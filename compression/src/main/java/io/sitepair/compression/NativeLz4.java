package io.sitepair.compression;

import io.sitepair.compression.nativelib.BundledLibrary;
import io.sitepair.compression.nativelib.NativeLibraryCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import net.jpountz.util.Native;

/**
 * Puts lz4-java's JNI library in the {@link NativeLibraryCache}, unpacked once per lz4-java
 * version, so that lz4-java loads it from there instead of its default: a fresh copy in
 * {@code java.io.tmpdir} at every start, deleted only at a clean exit.
 *
 * <p>lz4-java (1.13.0) has no setting for where its library is: it first tries
 * {@code System.loadLibrary("lz4-java")}, that is {@code java.library.path}, which the JVM fixes
 * when it starts. So whoever starts a JVM ({@code ops/bin/sitepair}, {@code SitepairProcess}) puts
 * {@link #directory} on {@code java.library.path}, and {@link #prepare()} unpacks the library there
 * before lz4-java first looks. A JVM started without it says so once and gets lz4-java's default.
 */
public final class NativeLz4 {
    private static boolean prepared;

    private NativeLz4() {}

    /** Unpacks the library where lz4-java looks first; call before the first {@code LZ4Factory}. */
    public static synchronized void prepare() {
        if (prepared || Native.isLoaded()) {
            return;
        }
        prepared = true;
        String tmp = System.getProperty("java.io.tmpdir");
        try {
            Path dir = extract(NativeLibraryCache.standard()).getParent();
            if (!NativeLibraryCache.onLibraryPath(dir)) {
                System.err.println("sitepair: lz4-java unpacks its native library into " + tmp
                        + " at each start; to load it from the cache, start the JVM with -Djava.library.path=" + dir);
            }
        } catch (IOException e) {
            System.err.println("sitepair: lz4-java's native library is unpacked into " + tmp
                    + " instead of the cache (" + e.getMessage() + ")");
        }
    }

    /** The directory to put on {@code java.library.path} for {@code cache}. */
    public static Path directory(NativeLibraryCache cache) throws IOException {
        return cache.directoryOf(library());
    }

    /** The library in {@code cache}, unpacked if it is not there intact. */
    static Path extract(NativeLibraryCache cache) throws IOException {
        return cache.extract(library());
    }

    /** lz4-java's layout, {@code net/jpountz/util/<os>/<arch>/liblz4-java.<ext>}, named as loadLibrary expects. */
    private static BundledLibrary library() throws IOException {
        String osName = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String os = osName.contains("linux") ? "linux" : osName.contains("mac") ? "darwin" : null;
        if (os == null) { // Windows: lz4-java's "liblz4-java.dll" is not what loadLibrary looks for
            throw new IOException("no cached lz4-java library on " + System.getProperty("os.name"));
        }
        String fileName = System.mapLibraryName("lz4-java");
        String resource = "/net/jpountz/util/" + os + "/" + System.getProperty("os.arch") + "/" + fileName;
        return new BundledLibrary(Native.class, "lz4-java", resource, fileName);
    }
}
