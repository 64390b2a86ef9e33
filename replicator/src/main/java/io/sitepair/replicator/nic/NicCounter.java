package io.sitepair.replicator.nic;

/**
 * The guest stack's counters, in the order of {@code enum sp_net_stat} in sitepair.h (fixed;
 * new counters are only appended). "Dropped" counters count whole frames, each for one reason.
 */
public enum NicCounter {
    FRAMES_IN, FRAMES_OUT, DROPPED_MALFORMED, DROPPED_CHECKSUM, DROPPED_NOT_FOR_US, DROPPED_FRAGMENT,
    DROPPED_UNSUPPORTED, ARP_REPLIES, ICMP_ECHO_REPLIES, TCP_SEGMENTS_IN, TCP_SEGMENTS_OUT, TCP_RETRANSMITS,
    TCP_FAST_RETRANSMITS, TCP_RESETS_SENT, TCP_REFUSED_LIMIT, TCP_OUT_OF_WINDOW, CONNS_OPEN, CONNS_ACCEPTED_TOTAL,
    BUFFER_BYTES, TCP_RESETS_RECEIVED, TCP_TIMEOUTS, TCP_HALF_OPEN_DROPPED, TCP_OOO_QUEUED, TCP_OOO_DROPPED,
    TCP_ABORTS, TCP_DATA_AFTER_CLOSE, NIC_SEND_ERRORS, TCP_RTO_EXPIRED, TCP_LOSS_PROBES, TCP_KEEPALIVE_PROBES,
    TCP_KEEPALIVE_TIMEOUTS;

    /** This counter's value in {@code counters} (as {@code GuestVm.nicCounters} reads them); 0 if the guest has fewer. */
    public long in(long[] counters) {
        return ordinal() < counters.length ? counters[ordinal()] : 0;
    }
}
