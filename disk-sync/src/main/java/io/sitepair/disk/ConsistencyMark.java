package io.sitepair.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A durable mark that a disk image is being overwritten from the other site and does not hold a
 * state of its own: set (and synced) before the first copied block lands, removed only once the
 * copy is complete and durable. A site whose disks carry the mark cannot go live and asks for a
 * copy when it next meets its peer, so a crash in the middle of a copy is never mistaken for a
 * consistent disk (DRBD's "inconsistent" disk state).
 */
public final class ConsistencyMark {
    private ConsistencyMark() {}

    static Path markOf(Path image) {
        return image.resolveSibling(image.getFileName() + ".inconsistent");
    }

    public static boolean isInconsistent(Path image) {
        return Files.exists(markOf(image));
    }

    /** Marks the image inconsistent, durably (the mark file and its directory entry are synced). */
    public static void markInconsistent(Path image, String why) throws IOException {
        Path mark = markOf(image);
        if (Files.exists(mark)) {
            return;
        }
        DurableFiles.replace(mark, (why + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Clears the mark once the image's contents are complete and flushed. */
    public static void markConsistent(Path image) throws IOException {
        DurableFiles.delete(markOf(image));
    }
}
