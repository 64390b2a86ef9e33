package io.sitepair.replicator.status;

import java.util.List;
import java.util.Map;

/**
 * A serving site's virtual NIC (network mode nic): where it meets the service network, who the
 * guest is there, and what passed and was dropped at each of the three places a frame can be
 * lost: the TAP device, the host, and the guest's own TCP/IP stack.
 *
 * @param tap          the TAP device the site opened
 * @param bridge       the bridge it is a port of
 * @param address      the guest's service address and prefix, {@code 10.77.0.10/24}
 * @param port         the TCP port the guest accepts connections on
 * @param mac          the guest's MAC, {@code 02:00:5e:10:00:0a}
 * @param linkUp       the link is up and its frames are read; false once reading it failed
 * @param tapCounters  what the TAP device passed and dropped; null on a link that is not a TAP device
 * @param hostDropped  frames the host dropped itself
 * @param guest        the guest stack's counters; null if the guest does not run (it halted)
 */
public record NicStatus(String tap, String bridge, String address, int port, String mac, boolean linkUp,
                        TapCounters tapCounters, HostDropped hostDropped, Guest guest) {

    /** Frames and bytes the TAP device passed; dropped: read while down, or not sent (down, or the kernel full). */
    public record TapCounters(long framesIn, long bytesIn, long framesOut, long bytesOut, long droppedIn,
                              long droppedOut) {}

    /**
     * @param oversized frames larger than the guest's receive buffer (a link with a larger MTU)
     * @param unsent    frames the guest sent that could not leave (no link here, or sending failed)
     */
    public record HostDropped(long oversized, long unsent) {}

    /**
     * The guest stack's counters (its own, in guest memory: they carry on across a failover).
     *
     * @param connectionsOpen     connections in any state, half-open included
     * @param connectionsAccepted handshakes completed
     * @param retransmits         segments sent again (timeout, go-live, SYN-ACK)
     * @param fastRetransmits     of which on three duplicate ACKs or a partial ACK
     * @param timeouts            connections given up after too many retransmits
     * @param refusedLimit        connections refused (RST) for the connection or memory limit
     * @param bufferBytes         send buffers plus out-of-order segments held
     * @param dropped             frames the stack dropped, by reason ({@link #DROP_REASONS}); each frame counts once
     */
    public record Guest(long framesIn, long framesOut, long connectionsOpen, long connectionsAccepted,
                        long retransmits, long fastRetransmits, long timeouts, long resetsSent, long resetsReceived,
                        long refusedLimit, long bufferBytes, Map<String, Long> dropped) {
        /** The stack's reasons to drop a frame, the keys of {@code dropped}. */
        public static final List<String> DROP_REASONS = List.of("malformed", "checksum", "not_for_us", "fragment",
                "unsupported");
    }
}
