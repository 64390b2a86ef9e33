package io.sitepair.ops.logging;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;

/**
 * Starts every line written to {@code System.err} directly, rather than through SLF4J, with the
 * time of day to the millisecond, as {@link OneLineFormatter} starts a daemon's log records. It
 * writes under the lock of the stream beneath, as {@link StandardErrorHandler} does, so the two
 * never split each other's lines.
 */
final class TimestampedLines extends OutputStream {
    private final PrintStream out;
    private boolean atLineStart = true;

    TimestampedLines(PrintStream out) {
        this.out = out;
    }

    /** From now on, what the process prints to {@code System.err} goes to {@code log} timestamped line by line. */
    static void onStandardError(PrintStream log) {
        System.setErr(new PrintStream(new TimestampedLines(log), true, StandardCharsets.UTF_8));
    }

    @Override
    public void write(int b) {
        synchronized (out) {
            stampIfAtLineStart();
            out.write(b);
            atLineStart = b == '\n';
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        synchronized (out) {
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
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    private void stampIfAtLineStart() {
        if (atLineStart) {
            out.print(OneLineFormatter.TIME.format(LocalTime.now()));
            atLineStart = false;
        }
    }
}
