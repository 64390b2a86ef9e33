package io.sitepair.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small files a site's safety rests on (its lineage, consistency marks, resync progress), changed
 * so that the change is durable when the call returns: the data synced, and the directory entry
 * too whenever a name appears or goes.
 */
final class DurableFiles {
    private DurableFiles() {}

    /** Replaces {@code file} whole with {@code contents}, atomically: written beside, synced, renamed over. */
    static void replace(Path file, byte[] contents) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(out, contents);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectoryOf(file);
    }

    /** Appends {@code contents} to {@code file}, creating it if need be. */
    static void append(Path file, byte[] contents) throws IOException {
        boolean created = !Files.exists(file);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            write(out, contents);
        }
        if (created) {
            syncDirectoryOf(file);
        }
    }

    /** Deletes {@code file} if it is there; returns whether it was. */
    static boolean delete(Path file) throws IOException {
        if (!Files.deleteIfExists(file)) {
            return false;
        }
        syncDirectoryOf(file);
        return true;
    }

    private static void write(FileChannel out, byte[] contents) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(contents);
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
        out.force(true);
    }

    private static void syncDirectoryOf(Path file) throws IOException {
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
