/* The stack's entry points: a received frame, going live, and the counters. */
#include "net.h"

uint64_t net_stats[SP_NET_STAT_COUNT];
struct nic nic;

void net_frame(uint8_t *frame, uint32_t len) {
    NET_COUNT(FRAMES_IN);
    eth_input(frame, len);
}

void net_nic_up(uint64_t mac, uint32_t ipv4, uint32_t port) {
    for (int i = 0; i < 6; i++) nic.mac[i] = (uint8_t)(mac >> (40 - 8 * i));
    nic.ip = ipv4;
    nic.port = (uint16_t)port;
    nic.up = true;
    arp_announce();
    tcp_go_live();
}
