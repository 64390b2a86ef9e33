package io.sitepair.ops.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds stack traces that the nodes' logs gained since the last look. Each trace is named by its
 * exception line (the line before its first frame, or the "Exception in thread" line); its
 * "Caused by:" parts belong to it; a trace matching a known bug's pattern is
 * reported as known, not as a violation.
 */
final class LogScanner {
    /** A daemon's stderr lines start with the time of day (TimestampedLines). */
    private static final String STAMP = "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3} )?";
    private static final Pattern FRAME = Pattern.compile(STAMP + "\\s+at [\\w$./<>-]+\\(");
    private static final Pattern UNCAUGHT = Pattern.compile(STAMP + "Exception in thread");
    /** Lines inside a trace that are not frames: its causes and elided frames. */
    private static final Pattern CONTINUED = Pattern.compile(STAMP + "(Caused by:|\\s+Suppressed:|\\s+\\.\\.\\. \\d+ more)");

    /** Known bugs, as a pattern of the exception line and why it is known; none yet. */
    private static final Map<Pattern, String> KNOWN = Map.of();

    private final List<Path> files;
    private final Map<Path, Long> offsets = new HashMap<>();

    LogScanner(List<Path> files) {
        this.files = files;
    }

    /** A stack trace found: the file, its exception line, and the known bug it matches (or null). */
    record Trace(Path file, String exception, String knownBug) {
        @Override
        public String toString() {
            return file.getFileName() + ": " + exception + (knownBug == null ? "" : " (known: " + knownBug + ")");
        }
    }

    /** The traces written since the previous call. */
    List<Trace> newTraces() throws IOException {
        List<Trace> traces = new ArrayList<>();
        for (Path file : files) {
            String previous = "";
            boolean inTrace = false;
            for (String line : newLines(file)) {
                boolean frame = FRAME.matcher(line).find();
                boolean uncaught = UNCAUGHT.matcher(line).find();
                if (uncaught || (frame && !inTrace)) {
                    String exception = (uncaught ? line : previous).replaceFirst(STAMP, "").trim();
                    traces.add(new Trace(file, exception, known(exception)));
                }
                inTrace = uncaught || frame || CONTINUED.matcher(line).find();
                previous = line;
            }
        }
        return traces;
    }

    private static String known(String exception) {
        return KNOWN.entrySet().stream().filter(e -> e.getKey().matcher(exception).find()).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    private List<String> newLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        long from = offsets.getOrDefault(file, 0L);
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= from) {
                return List.of();
            }
            in.seek(from);
            byte[] bytes = new byte[(int) (length - from)];
            in.readFully(bytes);
            int end = new String(bytes, StandardCharsets.UTF_8).lastIndexOf('\n') + 1; // whole lines only
            String text = new String(bytes, StandardCharsets.UTF_8).substring(0, end);
            offsets.put(file, from + text.getBytes(StandardCharsets.UTF_8).length);
            return text.lines().toList();
        }
    }
}
