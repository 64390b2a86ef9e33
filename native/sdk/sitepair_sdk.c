/*
 * The part of the guest ABI that every guest shares: the ABI version the host
 * checks at load time, the receive buffer, and the dispatch between the host
 * and the guest's handlers.
 *
 * The host calls the exports below; they forward to the guest's handlers
 * (plain C functions) and, in nic mode, to the TCP/IP stack in net/, which
 * turns frames into the same sp_on_open/sp_on_data/sp_on_closed calls.
 * sp_send/sp_close go to the stack or the host by connection id, timers to
 * the stack or the guest by SP_SDK_TIMER_BIT. Every export ends with
 * net_event_end(), which sends what the event queued.
 */
#include <stdarg.h>
#include <stdio.h>
#include "net/net.h"

static uint8_t rx_buffer[SP_RX_CAPACITY];

SP_EXPORT(sp_abi_version) int32_t sp_export_abi_version(void) { return SP_ABI_VERSION; }
SP_EXPORT(sp_rx_buffer) uint8_t *sp_export_rx_buffer(void) { return rx_buffer; }
SP_EXPORT(sp_rx_capacity) uint32_t sp_export_rx_capacity(void) { return SP_RX_CAPACITY; }

const uint8_t *sp_rx_data(void) { return rx_buffer; }

/* ---- events ---- */

SP_EXPORT(sp_on_init) void sp_export_on_init(void) {
    sp_on_init();
    net_event_end();
}

SP_EXPORT(sp_on_open) void sp_export_on_open(int32_t conn) {
    sp_on_open(conn);
    net_event_end();
}

SP_EXPORT(sp_on_data) void sp_export_on_data(int32_t conn, uint32_t len) {
    sp_on_data(conn, len);
    net_event_end();
}

SP_EXPORT(sp_on_closed) void sp_export_on_closed(int32_t conn) {
    sp_on_closed(conn);
    net_event_end();
}

SP_EXPORT(sp_on_timer) void sp_export_on_timer(uint64_t id) {
    if (id & SP_SDK_TIMER_BIT) tcp_timer_fired();
    else sp_on_timer(id);
    net_event_end();
}

SP_EXPORT(sp_on_frame) void sp_export_on_frame(uint32_t len) {
    if (len < ETH_HLEN || len > SP_RX_CAPACITY) {
        net_stats[SP_NET_FRAMES_IN]++;
        net_stats[SP_NET_DROPPED_MALFORMED]++;
    } else {
        net_frame(rx_buffer, len);
    }
    net_event_end();
}

SP_EXPORT(sp_on_nic_up) void sp_export_on_nic_up(uint64_t mac, uint32_t ipv4, uint32_t prefix_len, uint32_t port) {
    (void)prefix_len; /* replies go to the MAC the peer's frames came from: no routing */
    net_nic_up(mac, ipv4, port);
    net_event_end();
}

SP_EXPORT(sp_net_stats) uint64_t *sp_export_net_stats(void) { return net_stats; }
SP_EXPORT(sp_net_stats_count) uint32_t sp_export_net_stats_count(void) { return SP_NET_STAT_COUNT; }

/* ---- the guest's calls ---- */

int32_t sp_send(int32_t conn, const void *data, uint32_t len) {
    return conn >= SP_NET_CONN_BASE ? net_send(conn, data, len) : sp_host_send(conn, data, len);
}

int32_t sp_close(int32_t conn) {
    return conn >= SP_NET_CONN_BASE ? net_close(conn) : sp_host_close(conn);
}

int32_t sp_timer_set(uint64_t id, int64_t deadline_ns) {
    return id & SP_SDK_TIMER_BIT ? SP_EINVAL : sp_host_timer_set(id, deadline_ns);
}

int32_t sp_timer_cancel(uint64_t id) {
    return id & SP_SDK_TIMER_BIT ? SP_EINVAL : sp_host_timer_cancel(id);
}

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
