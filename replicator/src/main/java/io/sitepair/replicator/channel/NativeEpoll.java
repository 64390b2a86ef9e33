package io.sitepair.replicator.channel;

import io.netty.channel.epoll.Epoll;
import io.sitepair.compression.nativelib.BundledLibrary;
import io.sitepair.compression.nativelib.NativeLibraryCache;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Puts Netty's epoll library in the {@link NativeLibraryCache}, unpacked once per Netty version,
 * so that Netty loads it from there instead of unpacking a copy into {@code java.io.tmpdir} (its
 * {@code io.netty.native.workdir}) at every start.
 *
 * <p>Netty looks on {@code java.library.path} first, which the JVM fixes when it starts: whoever
 * starts a JVM ({@code ops/bin/sitepair}, {@code SitepairProcess}) puts {@link #directory} there,
 * and {@link #prepare()} unpacks the library before Netty first looks, which is the first use of
 * any epoll class, ZooKeeper's included.
 */
public final class NativeEpoll {
    private static boolean prepared;

    private NativeEpoll() {}

    /** Unpacks the library where Netty looks first; call before anything touches Netty's epoll classes. */
    public static synchronized void prepare() {
        if (prepared) {
            return;
        }
        prepared = true;
        try {
            Path dir = NativeLibraryCache.standard().extract(library()).getParent();
            if (!NativeLibraryCache.onLibraryPath(dir)) {
                System.err.println("sitepair: Netty unpacks its epoll library at each start; to load it from the"
                        + " cache, start the JVM with -Djava.library.path=" + dir);
            }
        } catch (IOException e) {
            // Netty unpacks its own copy, or runs on NIO where there is no epoll.
            System.err.println("sitepair: Netty's epoll library is not in the cache (" + e.getMessage() + ")");
        }
    }

    /** The directory to put on {@code java.library.path} for {@code cache}. */
    public static Path directory(NativeLibraryCache cache) throws IOException {
        return cache.directoryOf(library());
    }

    /**
     * Netty's layout: {@code META-INF/native/libnetty_transport_native_epoll_<arch>.so} in
     * netty-transport-native-epoll's jar for the platform; the class literal does not initialise
     * Epoll, which would load the library.
     */
    private static BundledLibrary library() throws IOException {
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            throw new IOException("epoll is Linux only");
        }
        String fileName = System.mapLibraryName("netty_transport_native_epoll_" + arch());
        return new BundledLibrary(Epoll.class, "netty-transport-native-epoll", "/META-INF/native/" + fileName, fileName);
    }

    /** Netty's name for the CPU (PlatformDependent.normalizedArch), for the platforms it ships epoll for. */
    private static String arch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "aarch_64";
            case String other -> other;
        };
    }
}
