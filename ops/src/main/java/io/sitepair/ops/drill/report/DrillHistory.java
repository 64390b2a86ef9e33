package io.sitepair.ops.drill.report;

import io.sitepair.ops.drill.DrillReport;
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
final class DrillHistory {
    private DrillHistory() {}

    /** One report directory: its report, or (report null) why it cannot be read. */
    record Entry(Path directory, DrillReport report, String unreadable) {
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
        List<Entry> entries = new ArrayList<>(directories.size());
        for (Path directory : directories) {
            try {
                entries.add(new Entry(directory, DrillReports.read(directory.resolve(DrillReports.JSON)), null));
            } catch (IOException e) {
                entries.add(new Entry(directory, null, e.getMessage()));
            }
        }
        return entries;
    }
}
