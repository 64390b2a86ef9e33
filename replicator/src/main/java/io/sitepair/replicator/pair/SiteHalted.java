package io.sitepair.replicator.pair;

/**
 * A site stopped by design: it lost a claim, its epoch passed, the quorum refused it, its disk
 * failed or its replay diverged. The message is the whole story an operator needs, one line; any
 * other exception that ends a site's run is a bug and keeps its stack trace.
 */
public final class SiteHalted extends IllegalStateException {
    public SiteHalted(String why) {
        super(why);
    }

    public SiteHalted(String why, Throwable cause) {
        super(why, cause);
    }
}
