package io.sitepair.ops.config;

import io.sitepair.replicator.nic.NicIdentity;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The {@code network:} section: how clients reach the guest. In mode {@code socket} each site terminates
 * the clients' TCP at its own service address; in mode {@code nic} the guest has a virtual NIC with one
 * identity (address, port, MAC) at both sites and terminates TCP itself, so clients keep their connections
 * across a failover.
 *
 * @param identity the guest's identity on the service network in mode nic; null in mode socket
 */
public record NetworkConfig(Mode mode, NicIdentity identity) {
    public static final NetworkConfig SOCKET = new NetworkConfig(Mode.SOCKET, null);

    public enum Mode {
        SOCKET, NIC;

        /** As the file writes it: {@code socket}, {@code nic}. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public NetworkConfig {
        if (mode == null || (mode == Mode.NIC) != (identity != null)) {
            throw new IllegalArgumentException("mode nic has a NIC identity, mode socket none: " + mode + ", " + identity);
        }
    }

    public boolean nic() {
        return mode == Mode.NIC;
    }

    /** In mode nic, where clients connect, at whichever site serves: the guest's address and port. */
    static InetSocketAddress serviceOf(NicIdentity guest) {
        return new InetSocketAddress(guest.address(), guest.port());
    }

    /** {@code socket}, or {@code nic 10.20.0.10/24 port 6379 (02:73:70:00:00:0a)}. */
    @Override
    public String toString() {
        return identity == null ? mode.toString() : mode + " " + identity;
    }
}
