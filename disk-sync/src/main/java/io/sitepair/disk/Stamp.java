package io.sitepair.disk;

/**
 * When a block was last written: the epoch the writing site was in and the log position of the
 * write. Ordered by epoch, then position; positions run on across epochs, so a later stamp is a
 * later point of one history.
 */
public record Stamp(long epoch, long position) implements Comparable<Stamp> {
    /** Before every write. */
    public static final Stamp ZERO = new Stamp(0, 0);

    /** Somewhere in {@code epoch}, at a position not known: after every known point of it. */
    public static Stamp unknownIn(long epoch) {
        return new Stamp(epoch, Long.MAX_VALUE);
    }

    @Override
    public int compareTo(Stamp other) {
        int byEpoch = Long.compare(epoch, other.epoch);
        return byEpoch != 0 ? byEpoch : Long.compare(position, other.position);
    }

    public boolean after(Stamp other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return "epoch " + epoch + " position " + (position == Long.MAX_VALUE ? "unknown" : String.valueOf(position));
    }
}
