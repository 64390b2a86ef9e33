package io.sitepair.ops;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Starts every line with the time of day to the millisecond: a site daemon's log is read after
 * an incident, next to the other site's and the witness's, and only the times line them up.
 */
public final class TimestampedLines extends OutputStream {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS ");

    private final OutputStream out;
    private boolean atLineStart = true;

    TimestampedLines(OutputStream out) {
        this.out = out;
    }

    /** From now on, the process's standard error (its log) is timestamped line by line. */
    public static void onStandardError() {
        System.setErr(new PrintStream(new TimestampedLines(new FileOutputStream(FileDescriptor.err)), true,
                StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void write(int b) throws IOException {
        stampIfAtLineStart();
        out.write(b);
        atLineStart = b == '\n';
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        int end = offset + length;
        int start = offset;
        while (start < end) {
            stampIfAtLineStart();
            int newline = start;
            while (newline < end && bytes[newline] != '\n') {
                newline++;
            }
            int stop = Math.min(end, newline + 1); // through the newline, if there is one
            out.write(bytes, start, stop - start);
            atLineStart = newline < end;
            start = stop;
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    private void stampIfAtLineStart() throws IOException {
        if (atLineStart) {
            out.write(LocalTime.now().format(TIME).getBytes(StandardCharsets.US_ASCII));
            atLineStart = false;
        }
    }
}
