package io.sitepair.replicator.vm;

import java.security.SecureRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/** The real world's non-deterministic inputs to a LIVE or RECORD VM: its clock and its entropy. */
public record RealInputs(LongSupplier clock, RandomGenerator random) {

    /** The wall clock (ns since the epoch, never going backwards) and the system's secure random. */
    public static RealInputs system() {
        return new RealInputs(WallClock.SYSTEM::nanos, new SecureRandom());
    }

    /** A monotonic nanosecond wall clock: epoch time at start, advanced by {@link System#nanoTime}. */
    public static final class WallClock {
        public static final WallClock SYSTEM = new WallClock();

        private final long offset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

        private WallClock() {}

        public long nanos() {
            return offset + System.nanoTime();
        }
    }
}
