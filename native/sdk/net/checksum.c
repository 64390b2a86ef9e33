/* The Internet checksum (RFC 1071): a ones'-complement sum of 16-bit words. */
#include "net.h"

uint32_t csum_add(uint32_t sum, const void *data, size_t len) {
    const uint8_t *p = data;
    uint64_t acc = sum;
    while (len >= 8) { /* four words per step; the carries collect in the high half */
        acc += (uint64_t)rd16(p) + rd16(p + 2) + rd16(p + 4) + rd16(p + 6);
        p += 8;
        len -= 8;
    }
    while (len >= 2) {
        acc += rd16(p);
        p += 2;
        len -= 2;
    }
    if (len) acc += (uint32_t)p[0] << 8;
    while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
    return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}
