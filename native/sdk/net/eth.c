/* Ethernet: input dispatch, frame output, and ARP for our one address. */
#include <string.h>
#include "net.h"

#define ARP_LEN 28
#define ARP_REQUEST 1
#define ARP_REPLY 2

uint8_t net_tx_frame[ETH_HLEN + 60 + 60 + NET_MSS];
static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

uint8_t *eth_header(uint8_t *frame, const uint8_t dst[6], uint16_t type) {
    memcpy(frame, dst, 6);
    memcpy(frame + 6, nic.mac, 6);
    wr16(frame + 12, type);
    return frame + ETH_HLEN;
}

void eth_transmit(const uint8_t *frame, uint32_t len) {
    if (sp_host_nic_send(frame, len) == SP_OK) NET_COUNT(FRAMES_OUT);
    else NET_COUNT(NIC_SEND_ERRORS);
}

static void arp_send(const uint8_t eth_dst[6], uint16_t op, const uint8_t tha[6], uint32_t tpa) {
    uint8_t *frame = net_tx_frame;
    uint8_t *a = eth_header(frame, eth_dst, ETHERTYPE_ARP);
    wr16(a, 1); /* Ethernet */
    wr16(a + 2, ETHERTYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    wr16(a + 6, op);
    memcpy(a + 8, nic.mac, 6);
    wr32(a + 14, nic.ip);
    memcpy(a + 18, tha, 6);
    wr32(a + 24, tpa);
    eth_transmit(frame, ETH_HLEN + ARP_LEN);
}

/* An announcement (RFC 5227): a request for our own address, so neighbours update their caches. */
void arp_announce(void) {
    static const uint8_t unknown[6];
    arp_send(broadcast, ARP_REQUEST, unknown, nic.ip);
}

static void arp_input(const uint8_t *frame, uint32_t len) {
    if (len < ETH_HLEN + ARP_LEN) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    const uint8_t *a = frame + ETH_HLEN;
    if (rd16(a) != 1 || rd16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4) {
        NET_COUNT(DROPPED_UNSUPPORTED);
        return;
    }
    uint16_t op = rd16(a + 6);
    if (op != ARP_REQUEST && op != ARP_REPLY) {
        NET_COUNT(DROPPED_UNSUPPORTED);
        return;
    }
    if (op != ARP_REQUEST || rd32(a + 24) != nic.ip) { /* no cache: replies go to the frame's source */
        NET_COUNT(DROPPED_NOT_FOR_US);
        return;
    }
    uint8_t sha[6];
    memcpy(sha, a + 8, 6);
    arp_send(frame + 6, ARP_REPLY, sha, rd32(a + 14));
    NET_COUNT(ARP_REPLIES);
}

void eth_input(uint8_t *frame, uint32_t len) {
    if (len < ETH_HLEN) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    if (!nic.up || (memcmp(frame, nic.mac, 6) != 0 && memcmp(frame, broadcast, 6) != 0)) {
        NET_COUNT(DROPPED_NOT_FOR_US);
        return;
    }
    switch (rd16(frame + 12)) {
    case ETHERTYPE_ARP: arp_input(frame, len); break;
    case ETHERTYPE_IPV4: ipv4_input(frame, len); break;
    default: NET_COUNT(DROPPED_UNSUPPORTED);
    }
}
