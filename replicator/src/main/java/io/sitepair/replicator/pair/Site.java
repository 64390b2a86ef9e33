package io.sitepair.replicator.pair;

import java.util.Map;

/** One running site of a pair, primary or backup. */
public interface Site {
    /** What the site is doing now, as ordered key/value pairs (numbers, strings, booleans, nested maps). */
    Map<String, Object> status();

    Role role();

    /** Stops cleanly (a primary powers off: its backup stops too and will not go live). */
    void stop();

    /** Waits until the site has stopped or halted; returns the final state hash (hex) or throws why it halted. */
    String await() throws Exception;
}
