package io.sitepair.ops.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The pair's shared secret: one line of hex in a file only the operator's account should read. */
final class SecretFile {
    /** 128 bits: enough that guessing is hopeless. */
    static final int MIN_BYTES = 16;
    /** What {@code init} generates. */
    static final int GENERATED_BYTES = 32;
    /** A secret file is one short line; anything this large is the wrong file. */
    private static final long MAX_FILE_BYTES = 64 * 1024;
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

    private SecretFile() {}

    /** Reads a secret; every error names the secret file (IllegalArgumentException, located by the caller). */
    static byte[] read(Path path) {
        String text;
        try {
            if (Files.isDirectory(path)) {
                throw new IllegalArgumentException("secret file " + path + " is a directory");
            }
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("secret file " + path + " is not one line of hex (it is too large)");
            }
            text = Files.readString(path, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("secret file " + path + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("secret file " + path + " cannot be read (" + reason(e) + ")");
        }
        if (!HEX.matcher(text).matches() || text.length() % 2 != 0) {
            throw new IllegalArgumentException("secret file " + path + " must hold one line of hex digits"
                    + " (an even number of 0-9a-f)");
        }
        byte[] secret = HexFormat.of().parseHex(text);
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("secret file " + path + " holds " + secret.length + " bytes; at least "
                    + MIN_BYTES + " (" + 2 * MIN_BYTES + " hex digits) are needed");
        }
        return secret;
    }

    private static String reason(IOException e) {
        return e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
    }

    /**
     * Writes a new random secret, readable by the owner only where POSIX permissions exist. The file is created
     * with those permissions, so it is never readable by others, and an existing file is never replaced.
     */
    static void create(Path path) throws IOException {
        byte[] secret = new byte[GENERATED_BYTES];
        new SecureRandom().nextBytes(secret);
        byte[] line = (HexFormat.of().formatHex(secret) + "\n").getBytes(StandardCharsets.US_ASCII);
        FileAttribute<?>[] ownerOnly = posix(path)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Files.write(Files.createFile(path, ownerOnly), line);
    }

    private static boolean posix(Path path) {
        try {
            return Files.getFileStore(path.toAbsolutePath().getParent()).supportsFileAttributeView("posix");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
