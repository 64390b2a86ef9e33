package io.sitepair.ops.drill.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The drills recorded in a reports directory, oldest first; a report that cannot be read is listed with why. */
public final class DrillHistory {
    private DrillHistory() {}

    /** One report directory: its report, or (report null) why it cannot be read. */
    public record Entry(Path directory, DrillReport report, String unreadable) {
        /** When the drill started: from its report, else from its directory's name; null if neither says. */
        Instant started() {
            if (report != null) {
                return report.started();
            }
            String name = directory.getFileName().toString();
            int end = name.indexOf('-');
            try {
                return DrillReports.DIRECTORY_TIME.parse(end < 0 ? name : name.substring(0, end), Instant::from);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    /** The directory's reports; none if it does not exist yet. Hidden directories are reports being written. */
    static List<Entry> of(Path reportsDir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Path directory : directories(reportsDir)) {
            entries.add(read(directory));
        }
        return entries;
    }

    /** The newest report that can be read; empty if there is none (or no directory yet). */
    public static java.util.Optional<Entry> latest(Path reportsDir) throws IOException {
        List<Path> directories = directories(reportsDir);
        for (int i = directories.size() - 1; i >= 0; i--) {
            Entry entry = read(directories.get(i));
            if (entry.report() != null) {
                return java.util.Optional.of(entry);
            }
        }
        return java.util.Optional.empty();
    }

    private static Entry read(Path directory) {
        try {
            return new Entry(directory, DrillReports.read(directory.resolve(DrillReports.JSON)), null);
        } catch (IOException e) {
            return new Entry(directory, null, e.getMessage());
        }
    }

    /** The report directories, oldest first: their names begin with the drill's UTC start. */
    private static List<Path> directories(Path reportsDir) throws IOException {
        if (Files.notExists(reportsDir)) {
            return List.of();
        }
        List<Path> directories;
        try (Stream<Path> children = Files.list(reportsDir)) {
            directories = children.filter(Files::isDirectory)
                    .filter(d -> !d.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(d -> d.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new IOException("drill reports directory " + reportsDir + " cannot be read: "
                    + DrillReports.why(e), e);
        }
        return directories;
    }
}
