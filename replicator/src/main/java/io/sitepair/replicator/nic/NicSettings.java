package io.sitepair.replicator.nic;

/**
 * A site's virtual NIC in network mode {@code nic}: the TAP device it opens, the bridge that
 * device joins, and the identity the guest takes on the service network (the same at both sites).
 */
public record NicSettings(String tap, String bridge, NicIdentity identity) {
    /** Linux's limit on an interface name (IFNAMSIZ less the terminating NUL). */
    public static final int MAX_INTERFACE_NAME = 15;
}
