/*
 * A test guest that misbehaves on request, to check that every fault halts
 * the VM the same way in every mode. The first byte of a data event picks:
 *   'T' trap (unreachable)     'R' unbounded recursion (stack overflow)
 *   'D' integer division by 0  'W' call a WASI function (fd_write via printf)
 *   'M' allocate 64 KiB blocks until malloc fails, then send the count as text
 * Anything else is echoed back.
 */
#include <stdio.h>
#include <stdlib.h>
#include "sitepair.h"

static volatile int32_t zero;

static int32_t recurse(int32_t depth) {
    volatile char frame[256];
    if (depth < 0) return 0; /* never: depth only grows */
    frame[depth & 255] = (char)depth;
    return recurse(depth + 1) + frame[0];
}

SP_HANDLER(sp_on_init) void sp_on_init(void) {}
SP_HANDLER(sp_on_open) void sp_on_open(int32_t conn) { (void)conn; }
SP_HANDLER(sp_on_closed) void sp_on_closed(int32_t conn) { (void)conn; }
SP_HANDLER(sp_on_timer) void sp_on_timer(uint64_t id) { (void)id; }

SP_HANDLER(sp_on_data) void sp_on_data(int32_t conn, uint32_t len) {
    const uint8_t *data = sp_rx_data();
    switch (len > 0 ? data[0] : 0) {
    case 'T': __builtin_trap();
    case 'R': sp_send(conn, "x", (uint32_t)recurse(0)); break;
    case 'D': sp_send(conn, "x", (uint32_t)(100 / zero)); break;
    case 'W': printf("hello from WASI\n"); fflush(stdout); break;
    case 'M': {
        char text[16];
        int n = 0;
        /* Touch each block: an unused allocation may legally be optimized away. */
        for (volatile char *block; (block = malloc(65536)) != NULL; n++) block[0] = 1;
        int len = snprintf(text, sizeof text, "%d", n);
        sp_send(conn, text, (uint32_t)len);
        break;
    }
    default: sp_send(conn, data, len);
    }
}
