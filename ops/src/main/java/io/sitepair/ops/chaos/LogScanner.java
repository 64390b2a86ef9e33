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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds stack traces that the nodes' logs gained since the last look. Each trace is named by its
 * exception line (the line before its first frame, or the "Exception in thread" line); its
 * "Caused by:" parts belong to it. A trace of a known bug, or ZooKeeper's own report of a lost
 * peer connection, is excused: it is not a violation.
 */
final class LogScanner {
    /** A daemon's log lines start with the time of day (ProcessLogging.forDaemon); a stack trace's lines may not. */
    private static final String STAMP = "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3} )?";
    private static final Pattern FRAME = Pattern.compile(STAMP + "\\s+at [\\w$./<>-]+\\(");
    private static final Pattern UNCAUGHT = Pattern.compile(STAMP + "Exception in thread");
    /** Lines inside a trace that are not frames: its causes and elided frames. */
    private static final Pattern CONTINUED =
            Pattern.compile(STAMP + "(Caused by:|\\s+Suppressed:|\\s+\\.\\.\\. \\d+ more)");

    /**
     * Traces that are not bugs of sitepair: the embedded ZooKeeper peers report every lost quorum
     * connection (a peer paused, killed or cut off), and Curator a retry it gave up, with an I/O
     * or connection-loss exception's stack trace from their own threads.
     */
    private static final Pattern CONNECTION_LOSS = Pattern.compile(
            "^(java\\.(io|net)\\.\\w+(Exception|Error)|java\\.nio\\.channels\\.\\w+Exception"
                    + "|org\\.apache\\.zookeeper\\.KeeperException\\$ConnectionLossException"
                    + "|org\\.apache\\.curator\\.CuratorConnectionLossException)");

    /** Known bugs of sitepair, as a pattern of the exception line or a frame, and the bug. */
    private static final Map<Pattern, String> KNOWN = Map.of(
            Pattern.compile("IllegalStateException: .*must not serve"),
            "a superseded site's designed halt is logged with a stack trace");

    private final List<Path> files;
    private final Map<Path, Long> offsets = new HashMap<>();

    LogScanner(List<Path> files) {
        this.files = files;
    }

    /**
     * A stack trace found: the file, its exception line, its first frame in sitepair's code (or
     * null), and why it is not a violation (a known bug, or ZooKeeper's report of a lost
     * connection), or null.
     */
    record Trace(Path file, String time, String exception, String where, String excused) {
        @Override
        public String toString() {
            return file.getFileName() + (time.isEmpty() ? "" : " " + time) + ": " + exception
                    + (where == null ? "" : ", " + where) + (excused == null ? "" : " (" + excused + ")");
        }
    }

    /** A trace from its exception line and its frame lines as logged (time-stamped). */
    private static Trace trace(Path file, String exception, List<String> lines) {
        Matcher stamp = Pattern.compile(STAMP).matcher(lines.isEmpty() ? "" : lines.getFirst());
        String time = stamp.find() && stamp.group(1) != null ? stamp.group(1).trim() : "";
        List<String> frames = lines.stream().map(l -> l.replaceFirst(STAMP, "").trim()).toList();
        String where = frames.stream().filter(f -> f.contains("io.sitepair.")).findFirst().orElse(null);
        return new Trace(file, time, exception, where, excuse(exception, frames));
    }

    /** The traces written since the previous call. */
    List<Trace> newTraces() throws IOException {
        List<Trace> traces = new ArrayList<>();
        for (Path file : files) {
            String previous = "";
            String exception = null;
            List<String> frames = new ArrayList<>();
            for (String line : newLines(file)) {
                boolean frame = FRAME.matcher(line).find();
                boolean uncaught = UNCAUGHT.matcher(line).find();
                boolean inTrace = exception != null && (frame || CONTINUED.matcher(line).find());
                if (exception != null && (!inTrace || uncaught)) {
                    traces.add(trace(file, exception, frames));
                    exception = null;
                }
                if (exception == null && (uncaught || frame)) {
                    exception = (uncaught ? line : previous).replaceFirst(STAMP, "").trim();
                    frames = new ArrayList<>();
                }
                if (frame) {
                    frames.add(line);
                }
                previous = line;
            }
            if (exception != null) {
                traces.add(trace(file, exception, frames));
            }
        }
        return traces;
    }

    private static String excuse(String exception, List<String> frames) {
        for (var known : KNOWN.entrySet()) {
            Pattern bug = known.getKey();
            if (bug.matcher(exception).find() || frames.stream().anyMatch(f -> bug.matcher(f).find())) {
                return "known: " + known.getValue();
            }
        }
        boolean ours = frames.stream().anyMatch(f -> f.contains("io.sitepair."));
        if (!ours && CONNECTION_LOSS.matcher(exception).find()) {
            return "ZooKeeper's report of a lost connection";
        }
        return null;
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
