/*
 * The host side of the ABI as the SDK sees it: the raw host imports behind
 * sp_send/sp_close/sp_timer_*, the nic import, and the C names of the
 * handlers the SDK exports. Guests never include this; the SDK, its network
 * stack and the native test harness (which implements the imports) do.
 */
#ifndef SITEPAIR_HOST_H
#define SITEPAIR_HOST_H

#include "sitepair.h"

SP_IMPORT(send) int32_t sp_host_send(int32_t conn, const void *data, uint32_t len);
SP_IMPORT(close) int32_t sp_host_close(int32_t conn);
SP_IMPORT(timer_set) int32_t sp_host_timer_set(uint64_t id, int64_t deadline_ns);
SP_IMPORT(timer_cancel) int32_t sp_host_timer_cancel(uint64_t id);
/* One Ethernet frame (destination MAC first, no FCS), 14..65535 bytes: an
 * output, held under the Output Rule. SP_ENONIC in socket mode. */
SP_IMPORT(nic_send) int32_t sp_host_nic_send(const void *frame, uint32_t len);

/* Exported as sp_abi_version, sp_rx_buffer, sp_rx_capacity, sp_on_init,
 * sp_on_open, sp_on_data, sp_on_closed, sp_on_timer, sp_on_frame,
 * sp_on_nic_up, sp_net_stats and sp_net_stats_count. */
int32_t sp_export_abi_version(void);
uint8_t *sp_export_rx_buffer(void);
uint32_t sp_export_rx_capacity(void);
void sp_export_on_init(void);
void sp_export_on_open(int32_t conn);
void sp_export_on_data(int32_t conn, uint32_t len);
void sp_export_on_closed(int32_t conn);
void sp_export_on_timer(uint64_t id);
/* A received frame of len bytes is in the rx buffer. */
void sp_export_on_frame(uint32_t len);
/* mac in the low 48 bits (mac >> 40 is the first byte), ipv4 big-endian as
 * an integer (10.20.0.10 = 0x0A14000A), the TCP port to serve. */
void sp_export_on_nic_up(uint64_t mac, uint32_t ipv4, uint32_t prefix_len, uint32_t port);
uint64_t *sp_export_net_stats(void);
uint32_t sp_export_net_stats_count(void);

#endif
