package io.sitepair.ops.drill.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A drill's reports on disk: {@code <reports>/<UTC start>-<kind>/} holding {@code report.json} for
 * machines and {@code report.html} for people. The directory appears whole or not at all: it is
 * written under a hidden name, then renamed.
 */
public final class DrillReports {
    public static final String JSON = "report.json";
    public static final String HTML = "report.html";

    /** A report directory's time, such as {@code 20261206T141502Z}: it sorts as it reads. */
    static final DateTimeFormatter DIRECTORY_TIME =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]*");

    private DrillReports() {}

    /** Writes the report's directory under {@code reportsDir} (created if missing) and returns it. */
    public static Path write(DrillReport report, Path reportsDir) throws IOException {
        if (!KIND.matcher(report.kind()).matches()) {
            throw new IllegalArgumentException("drill kind '" + report.kind() + "' cannot name a report directory");
        }
        String name = DIRECTORY_TIME.format(report.started()) + "-" + report.kind();
        createDirectories(reportsDir);
        Path staging = null;
        try {
            staging = Files.createTempDirectory(reportsDir, "." + name + ".");
            Files.setPosixFilePermissions(staging, readableAsItsParent(reportsDir));
            Files.writeString(staging.resolve(JSON), ReportJson.write(report), StandardCharsets.UTF_8);
            Files.writeString(staging.resolve(HTML), ReportHtml.render(report), StandardCharsets.UTF_8);
            Path target = unused(reportsDir, name);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            return target;
        } catch (IOException e) {
            throw cannotWrite(reportsDir, e);
        } finally {
            deleteQuietly(staging);
        }
    }

    /**
     * Creates {@code reportsDir} if missing and proves a report can be written there, leaving nothing
     * behind: a drill checks this before it disturbs the pair.
     */
    public static void checkWritable(Path reportsDir) throws IOException {
        createDirectories(reportsDir);
        try {
            Files.delete(Files.createTempFile(reportsDir, ".write-check", ".tmp"));
        } catch (IOException e) {
            throw cannotWrite(reportsDir, e);
        }
    }

    /** The report in a {@code report.json}; refuses a malformed one or one of a later schema, naming the file. */
    public static DrillReport read(Path reportJson) throws IOException {
        byte[] json;
        try {
            json = Files.readAllBytes(reportJson);
        } catch (IOException e) {
            throw new IOException("drill report " + reportJson + " is unreadable: " + why(e), e);
        }
        return ReportJson.read(json, reportJson);
    }

    private static void createDirectories(Path reportsDir) throws IOException {
        try {
            Files.createDirectories(reportsDir);
        } catch (IOException e) {
            throw cannotWrite(reportsDir, e);
        }
    }

    /** A temporary directory is private to its owner; a report is as readable as the directory holding it. */
    private static Set<PosixFilePermission> readableAsItsParent(Path reportsDir) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
        permissions.addAll(Files.getPosixFilePermissions(reportsDir));
        permissions.removeAll(EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
        return permissions;
    }

    /** {@code name}, or {@code name-2}, {@code name-3}... if a drill of that kind already started that second. */
    private static Path unused(Path reportsDir, String name) {
        Path target = reportsDir.resolve(name);
        for (int n = 2; Files.exists(target); n++) {
            target = reportsDir.resolve(name + "-" + n);
        }
        return target;
    }

    private static void deleteQuietly(Path staging) {
        if (staging == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(staging)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // the hidden leftover is never listed; the write's own failure is what the operator needs
        }
    }

    private static IOException cannotWrite(Path reportsDir, IOException e) {
        return new IOException("drill reports directory " + reportsDir + " cannot be written: " + why(e), e);
    }

    /** The file system's reason in words, naming the file it concerns. */
    static String why(IOException e) {
        return switch (e) {
            case AccessDeniedException denied -> "permission denied on " + denied.getFile();
            case FileAlreadyExistsException exists -> exists.getFile() + " exists and is not a directory";
            case NoSuchFileException missing -> missing.getFile() + " does not exist";
            case FileSystemException fs when fs.getReason() != null -> fs.getFile() + ": " + fs.getReason();
            default -> e.getMessage();
        };
    }
}
