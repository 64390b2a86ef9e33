package io.sitepair.compression.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A JNI library that a jar carries as a resource.
 *
 * @param anchor     a class whose class loader finds {@code resource}
 * @param artifactId the jar's Maven artifact; with its version it names the library's cache directory
 * @param resource   the library's absolute resource name in the jar
 * @param fileName   the name it must have on disk for its loader to find it
 */
public record BundledLibrary(Class<?> anchor, String artifactId, String resource, String fileName) {

    /** The library in the jar, or an exception naming what is missing (an unsupported platform). */
    URL url() throws IOException {
        URL url = anchor.getResource(resource);
        if (url == null) {
            throw new IOException(artifactId + " has no " + resource + " for this platform");
        }
        return url;
    }

    /**
     * The version of the jar that holds the library (which may not be the anchor's: Netty's classes
     * and its native library come in separate jars): from its {@code pom.properties}, else from its
     * file name ({@code artifactId-version.jar}), else the library's CRC-32, so that a repackaged
     * jar still gets a directory of its own.
     */
    String version() throws IOException {
        Path jar = jarOf(url());
        if (jar != null) {
            String version = pomVersion(jar);
            if (version != null) {
                return version;
            }
            String name = jar.getFileName().toString();
            if (name.startsWith(artifactId + "-") && name.endsWith(".jar")) {
                return name.substring(artifactId.length() + 1, name.length() - ".jar".length());
            }
        }
        return "crc-" + Long.toHexString(Fingerprint.of(url()).crc());
    }

    private String pomVersion(Path jar) throws IOException {
        String suffix = "/" + artifactId + "/pom.properties";
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().startsWith("META-INF/maven/") && entry.getName().endsWith(suffix)) {
                    Properties pom = new Properties();
                    try (InputStream in = file.getInputStream(entry)) {
                        pom.load(in);
                    }
                    return pom.getProperty("version");
                }
            }
        }
        return null;
    }

    private static Path jarOf(URL resource) {
        if (!"jar".equals(resource.getProtocol())) {
            return null; // a class directory, say
        }
        try {
            Path path = Path.of(((JarURLConnection) resource.openConnection()).getJarFileURL().toURI());
            return Files.isRegularFile(path) ? path : null;
        } catch (IOException | URISyntaxException | RuntimeException e) { // a jar inside a jar, say
            return null;
        }
    }
}
