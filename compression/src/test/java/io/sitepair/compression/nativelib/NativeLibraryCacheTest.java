package io.sitepair.compression.nativelib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache against a fake library: random bytes that each test packs, with a class to anchor the
 * lookup, into a jar (or a class directory) of its own, as lz4-java's and rocksdbjni's jars carry theirs.
 */
class NativeLibraryCacheTest {
    private static final String RESOURCE = "/native/linux/libfake.so";
    private static final byte[] LIBRARY = randomBytes(300_000, 0x5174_9a1bL);

    @TempDir
    Path work;

    private final List<URLClassLoader> loaders = new ArrayList<>();

    /** The class a fake library is looked up through: each test loads its own copy from the jar it built. */
    public static final class Anchor {}

    @AfterEach
    void closeLoaders() throws IOException {
        for (URLClassLoader loader : loaders) {
            loader.close();
        }
    }

    @Test
    void unpacksOnceIntoADirectoryPerVersionAndThenReusesTheCopy() throws Exception {
        BundledLibrary fake = inJar("fake.jar", "1.2.3", RESOURCE);
        NativeLibraryCache cache = new NativeLibraryCache(work.resolve("cache"));
        Path first = cache.extract(fake);
        assertEquals(cache.root().resolve("fake-1.2.3").resolve("libfake.so").toAbsolutePath(), first,
                "the version from the jar's pom.properties");
        assertEquals(cache.directoryOf(fake).resolve("libfake.so"), first);
        assertArrayEquals(LIBRARY, Files.readAllBytes(first));

        Object inode = Files.readAttributes(first, "unix:ino").get("ino");
        Path again = cache.extract(fake);
        assertEquals(first, again);
        assertEquals(inode, Files.readAttributes(again, "unix:ino").get("ino"), "an intact copy is reused");
        assertEquals(List.of(first), filesUnder(cache.root()));
    }

    @Test
    void withoutPomPropertiesTheVersionComesFromTheJarsNameElseTheLibrarysChecksum() throws Exception {
        NativeLibraryCache cache = new NativeLibraryCache(work.resolve("cache"));
        assertEquals("fake-4.5.6", cache.directoryOf(inJar("fake-4.5.6.jar", null, RESOURCE)).getFileName().toString());

        CRC32 crc = new CRC32();
        crc.update(LIBRARY);
        Path fromClassDirectory = cache.extract(inClassDirectory());
        assertEquals("fake-crc-" + Long.toHexString(crc.getValue()), fromClassDirectory.getParent().getFileName().toString());
        assertArrayEquals(LIBRARY, Files.readAllBytes(fromClassDirectory));
    }

    @Test
    void twoVersionsNeverShareAFile() throws Exception {
        NativeLibraryCache cache = new NativeLibraryCache(work.resolve("cache"));
        Path old = cache.extract(inJar("fake-1.0.0.jar", null, RESOURCE));
        Path current = cache.extract(inJar("fake-2.0.0.jar", null, RESOURCE));
        assertNotEquals(old.getParent(), current.getParent());
        assertEquals(2, filesUnder(cache.root()).size());
    }

    @Test
    void replacesADamagedCopyAndLeavesNoTemporaryFile() throws Exception {
        BundledLibrary fake = inJar("fake.jar", "1.2.3", RESOURCE);
        NativeLibraryCache cache = new NativeLibraryCache(work.resolve("cache"));
        Path target = cache.directoryOf(fake).resolve("libfake.so");
        Files.createDirectories(target.getParent());
        byte[] truncated = new byte[4096]; // what a crash mid-way through a copy in place would leave
        System.arraycopy(LIBRARY, 0, truncated, 0, truncated.length);
        Files.write(target, truncated);

        cache.extract(fake);
        assertArrayEquals(LIBRARY, Files.readAllBytes(target));
        assertEquals(List.of(target), filesUnder(cache.root()));
    }

    @Test
    void deletesTheTemporaryFileOfACrashedExtraction() throws Exception {
        BundledLibrary fake = inJar("fake.jar", "1.2.3", RESOURCE);
        NativeLibraryCache cache = new NativeLibraryCache(work.resolve("cache"));
        Path dir = cache.directoryOf(fake);
        Files.createDirectories(dir);
        Path crashed = Files.writeString(dir.resolve("libfake.so.123.part"), "half");
        Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minusSeconds(7200)));

        Path target = cache.extract(fake);
        assertEquals(List.of(target), filesUnder(cache.root()));
    }

    @Test
    void theVersionIsThatOfTheJarHoldingTheLibraryNotTheAnchors() throws Exception {
        // Netty's way: the classes in one jar, the native library (and its pom.properties) in another.
        Path classes = work.resolve("jars").resolve("classes.jar");
        Files.createDirectories(classes.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(classes))) {
            put(out, anchorEntry(), anchorBytes());
        }
        Path natives = work.resolve("jars").resolve("fake-native.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(natives))) {
            put(out, RESOURCE.substring(1), LIBRARY);
            put(out, "META-INF/maven/org.example/fake/pom.properties",
                    "groupId=org.example\nartifactId=fake\nversion=4.5.6\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL(), natives.toUri().toURL()}, null);
        loaders.add(loader);
        BundledLibrary fake = new BundledLibrary(Class.forName(Anchor.class.getName(), false, loader), "fake", RESOURCE,
                "libfake.so");
        NativeLibraryCache cache = new NativeLibraryCache(work.resolve("cache"));
        assertEquals(cache.root().resolve("fake-4.5.6").resolve("libfake.so").toAbsolutePath(), cache.extract(fake));
    }

    @Test
    void aMissingLibraryIsAnIOExceptionNotACrash() throws Exception {
        BundledLibrary missing = inJar("fake.jar", "1.2.3", "/nowhere.so");
        assertThrows(IOException.class, () -> new NativeLibraryCache(work.resolve("cache")).extract(missing));
    }

    @Test
    void aReadOnlyCacheIsAnIOException() throws Exception {
        BundledLibrary fake = inJar("fake.jar", "1.2.3", RESOURCE);
        Path readOnly = Files.createDirectory(work.resolve("ro"));
        assertTrue(readOnly.toFile().setWritable(false));
        try {
            assumeFalse(Files.isWritable(readOnly), "running as a user who writes anywhere");
            assertThrows(IOException.class, () -> new NativeLibraryCache(readOnly).extract(fake));
        } finally {
            readOnly.toFile().setWritable(true);
        }
    }

    /**
     * A jar holding {@link Anchor}, the fake library and, given {@code pomVersion}, Maven's
     * pom.properties; the library to unpack is {@code resource} looked up through that jar's Anchor.
     */
    private BundledLibrary inJar(String jarName, String pomVersion, String resource) throws Exception {
        Path jar = work.resolve("jars").resolve(jarName);
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, anchorEntry(), anchorBytes());
            put(out, RESOURCE.substring(1), LIBRARY);
            if (pomVersion != null) {
                put(out, "META-INF/maven/org.example/fake/pom.properties",
                        ("groupId=org.example\nartifactId=fake\nversion=" + pomVersion + "\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return new BundledLibrary(anchorFrom(jar), "fake", resource, "libfake.so");
    }

    /** The same files in a class directory, as when the classes are not packaged (an IDE, a test run). */
    private BundledLibrary inClassDirectory() throws Exception {
        Path classes = work.resolve("classes");
        Files.createDirectories(classes.resolve(anchorEntry()).getParent());
        Files.write(classes.resolve(anchorEntry()), anchorBytes());
        Files.createDirectories(classes.resolve(RESOURCE.substring(1)).getParent());
        Files.write(classes.resolve(RESOURCE.substring(1)), LIBRARY);
        return new BundledLibrary(anchorFrom(classes), "fake", RESOURCE, "libfake.so");
    }

    /** Anchor defined by a loader that sees only {@code location}, so its resources and code source are there. */
    private Class<?> anchorFrom(Path location) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {location.toUri().toURL()}, null);
        loaders.add(loader);
        Class<?> anchor = Class.forName(Anchor.class.getName(), false, loader);
        assertNotEquals(Anchor.class, anchor, "loaded from " + location);
        return anchor;
    }

    private static String anchorEntry() {
        return Anchor.class.getName().replace('.', '/') + ".class";
    }

    private static byte[] anchorBytes() throws IOException {
        try (InputStream in = Anchor.class.getResourceAsStream("/" + anchorEntry())) {
            return in.readAllBytes();
        }
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
