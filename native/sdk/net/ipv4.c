/* IPv4 input (options skipped, fragments dropped) and output headers; ICMP echo. */
#include <string.h>
#include "net.h"

#define IP_FLAG_DF 0x4000
#define IP_FRAGMENT_BITS 0x3fff /* MF + fragment offset */
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_DEST_UNREACHABLE 3
#define ICMP_HOST_UNREACHABLE 1
#define ICMP_QUOTED_TRANSPORT 8 /* the transport bytes an ICMP error quotes: ports and sequence number */

void ipv4_header(uint8_t *ip, uint32_t dst, uint8_t proto, uint32_t payload_len) {
    ip[0] = 0x45;
    ip[1] = 0;
    wr16(ip + 2, (uint16_t)(IP_HLEN + payload_len));
    wr16(ip + 4, nic.ip_id++);
    wr16(ip + 6, IP_FLAG_DF);
    ip[8] = 64;
    ip[9] = proto;
    wr16(ip + 10, 0);
    wr32(ip + 12, nic.ip);
    wr32(ip + 16, dst);
    wr16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));
}

uint32_t ipv4_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len) {
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

/* Answers in place: the request's frame becomes the reply (header options dropped). */
static void icmp_input(uint8_t *frame, uint32_t ihl, uint32_t total) {
    uint8_t *ip = frame + ETH_HLEN;
    uint8_t *icmp = ip + ihl;
    uint32_t len = total - ihl;
    if (len < 8) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    if (csum_fold(csum_add(0, icmp, len)) != 0) {
        NET_COUNT(DROPPED_CHECKSUM);
        return;
    }
    if (icmp[0] != ICMP_ECHO_REQUEST) {
        NET_COUNT(DROPPED_UNSUPPORTED);
        return;
    }
    uint32_t src = rd32(ip + 12);
    uint8_t dst_mac[6];
    memcpy(dst_mac, frame + 6, 6);
    memmove(ip + IP_HLEN, icmp, len);
    icmp = ip + IP_HLEN;
    icmp[0] = ICMP_ECHO_REPLY;
    wr16(icmp + 2, 0);
    wr16(icmp + 2, csum_fold(csum_add(0, icmp, len)));
    ipv4_header(eth_header(frame, dst_mac, ETHERTYPE_IPV4), src, IPPROTO_ICMP_, len);
    eth_transmit(frame, ETH_HLEN + IP_HLEN + len);
    NET_COUNT(ICMP_ECHO_REPLIES);
}

/*
 * A host unreachable about the client's segment that starts at `seq` (our rcv_nxt, so its oldest
 * unacknowledged byte). RFC 6069 (TCP-LD; Linux implements it): a client in retransmission back-off
 * that hears this about its oldest segment undoes one step of the back-off, and retransmits at once
 * if the shorter timeout has passed. The host was unreachable, for the length of the failover; once
 * we are back, this spares the client the rest of a back-off it built up meanwhile. It quotes the
 * segment as the client sent it: its IPv4 header and the first transport bytes.
 */
void icmp_host_unreachable(const uint8_t dst_mac[6], uint32_t peer, uint16_t peer_port, uint16_t port,
                           uint32_t seq) {
    uint8_t *ip = eth_header(net_tx_frame, dst_mac, ETHERTYPE_IPV4);
    uint8_t *icmp = ip + IP_HLEN;
    uint8_t *quoted = icmp + 8;
    uint32_t len = 8 + IP_HLEN + ICMP_QUOTED_TRANSPORT;
    memset(icmp, 0, len);
    icmp[0] = ICMP_DEST_UNREACHABLE;
    icmp[1] = ICMP_HOST_UNREACHABLE;
    quoted[0] = 0x45;
    wr16(quoted + 2, IP_HLEN + 20);
    quoted[8] = 64;
    quoted[9] = IPPROTO_TCP_;
    wr32(quoted + 12, peer);
    wr32(quoted + 16, nic.ip);
    wr16(quoted + 10, csum_fold(csum_add(0, quoted, IP_HLEN)));
    uint8_t *tcp = quoted + IP_HLEN;
    wr16(tcp, peer_port);
    wr16(tcp + 2, port);
    wr32(tcp + 4, seq);
    wr16(icmp + 2, csum_fold(csum_add(0, icmp, len)));
    ipv4_header(ip, peer, IPPROTO_ICMP_, len);
    eth_transmit(net_tx_frame, ETH_HLEN + IP_HLEN + len);
}

static bool unicast_source(uint32_t src) {
    return src != 0 && src != 0xffffffffu && (src >> 28) != 0xe && src != nic.ip;
}

void ipv4_input(uint8_t *frame, uint32_t len) {
    uint8_t *ip = frame + ETH_HLEN;
    uint32_t avail = len - ETH_HLEN;
    if (avail < IP_HLEN) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    uint32_t ihl = (ip[0] & 15u) * 4;
    uint32_t total = rd16(ip + 2); /* frames may carry padding beyond it */
    if (ip[0] >> 4 != 4 || ihl < IP_HLEN || total < ihl || total > avail) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    if (csum_fold(csum_add(0, ip, ihl)) != 0) {
        NET_COUNT(DROPPED_CHECKSUM);
        return;
    }
    if (rd16(ip + 6) & IP_FRAGMENT_BITS) {
        NET_COUNT(DROPPED_FRAGMENT);
        return;
    }
    uint32_t src = rd32(ip + 12), dst = rd32(ip + 16);
    if (dst != nic.ip) {
        NET_COUNT(DROPPED_NOT_FOR_US);
        return;
    }
    if (!unicast_source(src)) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    switch (ip[9]) {
    case IPPROTO_ICMP_: icmp_input(frame, ihl, total); break;
    case IPPROTO_TCP_: tcp_input(frame + 6, src, dst, ip + ihl, total - ihl); break;
    default: NET_COUNT(DROPPED_UNSUPPORTED);
    }
}
