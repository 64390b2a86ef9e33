package io.sitepair.replicator.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Private key files: readable by their owner only, as ssh insists for its keys. */
public final class KeyFiles {
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFiles() {}

    /**
     * Throws {@link TlsException} naming the file and its mode when group or others have any access
     * to the key {@code file}: a key others can read is no longer a secret of this machine.
     */
    public static void checkPrivate(Path file) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return; // no POSIX permissions on this file system: nothing to check
        }
        Set<PosixFilePermission> mode;
        try {
            mode = view.readAttributes().permissions();
        } catch (IOException e) {
            throw new TlsException("key file " + file + " cannot be read (" + e.getMessage() + ")");
        }
        if (mode.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
            throw new TlsException("key file " + file + " has mode " + octal(mode) + ": it is accessible by group or"
                    + " others, so it is refused (as ssh refuses such keys); run: chmod 600 " + file);
        }
    }

    /** {@code 0644} for rw-r--r--. */
    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", bits);
    }
}
