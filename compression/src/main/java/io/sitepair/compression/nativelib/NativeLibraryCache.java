package io.sitepair.compression.nativelib;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The directory where the JNI libraries inside jars are unpacked once per version, so that a JVM
 * start reuses them instead of leaving a fresh copy in {@code java.io.tmpdir} (RocksDB's and
 * lz4-java's default, which a site restarted in a loop turns into a full disk).
 *
 * <p>A library lands in {@code <root>/<artifactId>-<version>/<fileName>}: installations of
 * different versions never share a file. Several JVMs may start at once: each unpacks into a
 * temporary file of its own in that directory and renames it into place atomically, so no JVM can
 * load a partly written library, not even after a crash mid-way. A library already in place is
 * reused when its size and CRC-32 match the jar's.
 */
public final class NativeLibraryCache {
    /** Overrides the root; for tests and for JVMs started without the environment. */
    public static final String ROOT_PROPERTY = "sitepair.native.dir";
    private static final String ROOT_ENV = "SITEPAIR_NATIVE_DIR";

    /** A temporary file this old is a crashed extraction's, not one under way. */
    private static final Duration STALE_PART = Duration.ofHours(1);
    private static final String PART_SUFFIX = ".part";

    private final Path root;

    public NativeLibraryCache(Path root) {
        this.root = root;
    }

    /**
     * The user's cache: property {@value #ROOT_PROPERTY}, else {@code $SITEPAIR_NATIVE_DIR}, else
     * {@code $XDG_CACHE_HOME/sitepair/native}, else {@code ~/.cache/sitepair/native}.
     */
    public static NativeLibraryCache standard() {
        String configured = System.getProperty(ROOT_PROPERTY, System.getenv(ROOT_ENV));
        if (configured != null && !configured.isBlank()) {
            return new NativeLibraryCache(Path.of(configured));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new NativeLibraryCache(cache.resolve("sitepair").resolve("native"));
    }

    public Path root() {
        return root;
    }

    /**
     * Whether {@code dir} is on this JVM's {@code java.library.path}, where lz4-java and Netty look
     * before unpacking a copy of their own.
     */
    public static boolean onLibraryPath(Path dir) {
        return Arrays.stream(System.getProperty("java.library.path", "").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().normalize())
                .anyMatch(dir.toAbsolutePath().normalize()::equals);
    }

    /** The directory that holds {@code library} at the version of the jar on this class path. */
    public Path directoryOf(BundledLibrary library) throws IOException {
        return root.resolve(library.artifactId() + "-" + library.version()).toAbsolutePath();
    }

    /** {@code library} on disk, unpacked from its jar unless an intact copy is already there. */
    public Path extract(BundledLibrary library) throws IOException {
        Fingerprint expected = Fingerprint.of(library.url());
        Path dir = directoryOf(library);
        Path target = dir.resolve(library.fileName());
        if (Files.isRegularFile(target) && Fingerprint.of(target).equals(expected)) {
            return target;
        }
        Files.createDirectories(dir);
        deleteStaleParts(dir);
        Path part = Files.createTempFile(dir, library.fileName() + ".", PART_SUFFIX);
        try {
            try (InputStream in = library.url().openStream()) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Fingerprint.of(part).equals(expected)) {
                throw new IOException("unpacking " + library.resource() + " gave a damaged copy");
            }
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            // Replacing a damaged or concurrent copy is safe: a JVM that loaded it keeps its inode.
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static void deleteStaleParts(Path dir) throws IOException {
        Instant cutoff = Instant.now().minus(STALE_PART);
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "*" + PART_SUFFIX)) {
            for (Path part : parts) {
                try {
                    if (Files.getLastModifiedTime(part).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(part);
                    }
                } catch (IOException e) {
                    // another JVM's cleanup got there first
                }
            }
        }
    }
}
