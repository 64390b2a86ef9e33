package io.sitepair.replicator.vm;

/** Replay disagreed with the primary's log: this VM is no longer an exact copy. */
public final class ReplayDivergence extends VmException {
    private final long position;

    public ReplayDivergence(long position, String what) {
        super("replay diverged at log position " + position + ": " + what);
        this.position = position;
    }

    public long position() {
        return position;
    }
}
