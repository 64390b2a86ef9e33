/*
 * The part of the guest ABI that every guest shares: the ABI version the host
 * checks at load time and the receive buffer for network data.
 */
#include <stdarg.h>
#include <stdio.h>
#include "sitepair.h"

static uint8_t rx_buffer[SP_RX_CAPACITY];

SP_EXPORT(sp_abi_version) int32_t sp_abi_version(void) { return SP_ABI_VERSION; }
SP_EXPORT(sp_rx_buffer) uint8_t *sp_rx_buffer(void) { return rx_buffer; }
SP_EXPORT(sp_rx_capacity) uint32_t sp_rx_capacity(void) { return SP_RX_CAPACITY; }

const uint8_t *sp_rx_data(void) { return rx_buffer; }

void sp_log(const char *fmt, ...) {
    char line[512];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    sp_console(line, (uint32_t)n);
}
