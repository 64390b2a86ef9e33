package io.sitepair.ops.wan;

/** The two halves of a proxied connection. */
public enum Direction {
    /** Client to target: the bytes the proxy reads from accepted connections. */
    FORWARD,
    /** Target to client. */
    REVERSE
}
