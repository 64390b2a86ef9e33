package io.sitepair.replicator.service;

import io.sitepair.replicator.nic.FrameLink;
import io.sitepair.replicator.nic.NicSettings;
import java.io.IOException;
import java.net.InetSocketAddress;

/** How a serving guest meets its clients: the host terminates TCP, or the guest does on a virtual NIC. */
public sealed interface ClientNetwork {

    /** Network mode socket: the host listens on {@code listen} and hands the guest connections and bytes. */
    record Socket(InetSocketAddress listen) implements ClientNetwork {}

    /**
     * Network mode nic: the guest's own TCP/IP stack sees Ethernet frames on a link that
     * {@code opener} opens when the run starts serving (at boot, or on going live), so a client's
     * connections outlive the site that served them.
     */
    record Nic(NicSettings settings, LinkOpener opener) implements ClientNetwork {
        /** The address clients connect to. */
        public InetSocketAddress service() {
            return new InetSocketAddress(settings.identity().address(), settings.identity().port());
        }
    }

    /** Opens a site's frame link, down. */
    interface LinkOpener {
        FrameLink open(NicSettings settings) throws IOException;
    }
}
