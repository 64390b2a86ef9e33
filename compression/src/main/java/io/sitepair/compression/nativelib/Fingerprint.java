package io.sitepair.compression.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/** Size and CRC-32 of a library: enough to tell an intact unpacked copy from a damaged or foreign one. */
record Fingerprint(long size, long crc) {

    /** A jar entry's fingerprint, from the jar's directory when it records one (no need to inflate it). */
    static Fingerprint of(URL resource) throws IOException {
        URLConnection connection = resource.openConnection();
        if (connection instanceof JarURLConnection jar) {
            ZipEntry entry = jar.getJarEntry();
            if (entry != null && entry.getSize() >= 0 && entry.getCrc() >= 0) {
                return new Fingerprint(entry.getSize(), entry.getCrc());
            }
        }
        try (InputStream in = resource.openStream()) {
            return of(in);
        }
    }

    static Fingerprint of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in);
        }
    }

    private static Fingerprint of(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[1 << 16];
        long size = 0;
        for (int n; (n = in.read(buffer)) >= 0; size += n) {
            crc.update(buffer, 0, n);
        }
        return new Fingerprint(size, crc.getValue());
    }
}
