package io.sitepair.ops.lab;

import java.io.PrintStream;
import java.util.function.LongConsumer;

/** Prints "what: n/total (rate/s)" to stderr at most once a second, for long runs. */
public final class Progress implements LongConsumer {
    private static final long INTERVAL = 1_000_000_000L;

    private final String what;
    private final long total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastPrint = start;

    public Progress(String what, long total, PrintStream out) {
        this.what = what;
        this.total = total;
        this.out = out;
    }

    @Override
    public void accept(long done) {
        if ((done & 255) != 0) {
            return; // keep the per-event cost to a branch
        }
        long now = System.nanoTime();
        if (now - lastPrint >= INTERVAL) {
            lastPrint = now;
            double rate = done / ((now - start) / 1e9);
            String of = total > 0 ? "/" + total : "";
            out.printf("%s: %d%s events (%.0f/s)%n", what, done, of, rate);
        }
    }
}
