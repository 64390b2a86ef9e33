package io.sitepair.tiebreaker;

/**
 * The pair's drill lock, held while one disaster-recovery drill runs so that two never overlap.
 * It lives in the quorum as long as its holder's session: a drill that is killed releases it when
 * its session expires, without anyone's help.
 */
public interface DrillLock extends AutoCloseable {
    /** Who holds it, in words (host, process, kind of drill, since when). */
    String holder();

    /** Releases the lock; releasing it twice, or after the session ended, does nothing. */
    @Override
    void close();

    /** A lock held by {@code holder}, which {@code release} gives back (once: releasing is idempotent by contract). */
    static DrillLock held(String holder, Runnable release) {
        return new DrillLock() {
            @Override
            public String holder() {
                return holder;
            }

            @Override
            public void close() {
                release.run();
            }
        };
    }

    /** The lock is held by another drill, named in the message. */
    final class Taken extends Exception {
        public Taken(String holder) {
            super("another drill holds the pair's drill lock: " + holder);
        }
    }
}
