/* IPv4 input (options skipped, fragments dropped) and output headers; ICMP echo. */
#include <string.h>
#include "net.h"

#define IP_FLAG_DF 0x4000
#define IP_FRAGMENT_BITS 0x3fff /* MF + fragment offset */
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

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
