/*
 * sitepair guest ABI, version 1.
 *
 * A guest is a WebAssembly reactor. The host delivers one event at a time by
 * calling one of the handlers below; between handlers the guest's stack is
 * empty, so linear memory plus globals is the whole VM state.
 *
 * Everything non-deterministic reaches the guest through the host calls in
 * this header (clock, randomness, network input, timers, disk reads), which
 * the primary records and the backup replays. A guest must use nothing else:
 * no WASI clocks, randomness, files or sockets.
 *
 * The Java side of this contract is io.sitepair.replicator.vm.GuestAbi.
 */
#ifndef SITEPAIR_H
#define SITEPAIR_H

#include <stddef.h>
#include <stdint.h>

#define SP_ABI_VERSION 1

/* Virtual disks are arrays of fixed-size blocks. */
#define SP_BLOCK_SIZE 4096

/* Handlers receive network data in this SDK-owned buffer; larger inputs are
 * split by the host into several data events. */
#define SP_RX_CAPACITY 65536

/* Host call results: >= 0 success, < 0 one of these. */
#define SP_OK          0
#define SP_ENOCONN    -1 /* no such open connection */
#define SP_ENODISK    -2 /* no such disk */
#define SP_ERANGE     -3 /* block range outside the disk */
#define SP_ENOTIMER   -4 /* no such timer */
#define SP_EINVAL     -5 /* bad argument (length, count) */
#define SP_ENONIC     -6 /* this VM has no NIC (it runs in socket mode) */

/* Built natively (the test harness), imports and exports are plain C symbols. */
#ifdef __wasm__
#define SP_IMPORT(name) __attribute__((import_module("sitepair"), import_name(#name)))
#define SP_EXPORT(name) __attribute__((export_name(#name)))
#else
#define SP_IMPORT(name)
#define SP_EXPORT(name)
#endif

/* ---- Network modes ----
 *
 * In socket mode the host terminates TCP and its connection ids are positive
 * and below SP_NET_CONN_BASE. In nic mode the host delivers Ethernet frames
 * and the SDK's own TCP/IP stack (sdk/net/) terminates TCP; its connection
 * ids count up from SP_NET_CONN_BASE and are never reused. A guest sees the
 * same handlers and calls in both modes. */
#define SP_NET_CONN_BASE 0x40000000

/* ---- Outputs: the VM's only effects on the outside world. ---- */

/* Queue bytes for a connection. Never blocks; bytes leave the host only when
 * the Output Rule allows. SP_ENOCONN once the connection is gone (closed by
 * either side, or aborted because its send buffer could not grow). */
int32_t sp_send(int32_t conn, const void *data, uint32_t len);
/* Close a connection (after the bytes already sent). The guest gets no
 * closed event for its own close. */
int32_t sp_close(int32_t conn);

/* ---- Virtual disks: synchronous, SP_BLOCK_SIZE blocks. ---- */

SP_IMPORT(disk_count) int32_t sp_disk_count(void);
/* Size of a disk in blocks, or SP_ENODISK. */
SP_IMPORT(disk_blocks) int64_t sp_disk_blocks(int32_t disk);
SP_IMPORT(disk_read) int32_t sp_disk_read(int32_t disk, uint64_t block, uint32_t count, void *buf);
SP_IMPORT(disk_write) int32_t sp_disk_write(int32_t disk, uint64_t block, uint32_t count, const void *buf);
/* Make every completed write to the disk durable. */
SP_IMPORT(disk_flush) int32_t sp_disk_flush(int32_t disk);

/* ---- Non-deterministic inputs. ---- */

/* Wall-clock time in nanoseconds since the Unix epoch, as the primary saw it. */
SP_IMPORT(clock_now) int64_t sp_clock_now(void);
/* Fill buf with random bytes. */
SP_IMPORT(random) void sp_random(void *buf, uint32_t len);

/* ---- Timers: one-shot, identified by a guest-chosen id. ---- */

/* Ids with this bit set belong to the SDK: guests get SP_EINVAL for them. */
#define SP_SDK_TIMER_BIT (1ULL << 63)

/* Arm (or re-arm) timer `id` to fire at `deadline_ns` on the clock_now scale.
 * The host delivers sp_on_timer(id) at or after the deadline. */
int32_t sp_timer_set(uint64_t id, int64_t deadline_ns);
/* Disarm a timer; SP_ENOTIMER if it is not armed. */
int32_t sp_timer_cancel(uint64_t id);

/* ---- Diagnostics. ---- */

/* One diagnostic line for the operator's console (not an output). */
SP_IMPORT(console) void sp_console(const char *line, uint32_t len);

/* ---- Handlers the guest implements (plain C functions). ----
 *
 * sp_on_init          once, when the VM boots (the guest reads its disks here)
 * sp_on_open(conn)    a client connected; conn ids are positive, never reused
 * sp_on_data(conn,n)  n bytes arrived for conn, in sp_rx_data()
 * sp_on_closed(conn)  the client closed (or the connection broke); conn is gone
 * sp_on_timer(id)     timer id reached its deadline (it is now disarmed)
 *
 * The SDK exports the host-facing handlers under these names and forwards to
 * the guest's functions (sitepair_sdk.c). A handler never runs inside another.
 */
#define SP_HANDLER(name)

void sp_on_init(void);
void sp_on_open(int32_t conn);
void sp_on_data(int32_t conn, uint32_t len);
void sp_on_closed(int32_t conn);
void sp_on_timer(uint64_t id);

/* The receive buffer that sp_on_data's bytes are in (owned by the SDK). */
const uint8_t *sp_rx_data(void);

/* ---- SDK helpers (sitepair_sdk.c). ---- */

/* printf-style diagnostic line (no WASI: formatted by the SDK). */
void sp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- The nic-mode stack's counters (export sp_net_stats) ----
 *
 * A static array of uint64 counters in this order (fixed: the host, metrics
 * and tests read it by index; new counters are only ever appended).
 * "Dropped" counters count whole frames, each in exactly one reason. */
enum sp_net_stat {
    SP_NET_FRAMES_IN,            /* frames delivered by sp_on_frame */
    SP_NET_FRAMES_OUT,           /* frames accepted by the host's nic_send */
    SP_NET_DROPPED_MALFORMED,    /* truncated or inconsistent headers, bad options */
    SP_NET_DROPPED_CHECKSUM,     /* IPv4 header, ICMP or TCP checksum wrong */
    SP_NET_DROPPED_NOT_FOR_US,   /* another MAC or IPv4 address, or before sp_on_nic_up */
    SP_NET_DROPPED_FRAGMENT,     /* IPv4 fragments (never reassembled) */
    SP_NET_DROPPED_UNSUPPORTED,  /* other EtherTypes, IP protocols, ICMP types, ARP ops */
    SP_NET_ARP_REPLIES,          /* ARP requests for our address answered */
    SP_NET_ICMP_ECHO_REPLIES,    /* pings answered */
    SP_NET_TCP_SEGMENTS_IN,      /* TCP segments that passed the checksum */
    SP_NET_TCP_SEGMENTS_OUT,     /* TCP segments sent (any flags) */
    SP_NET_TCP_RETRANSMITS,      /* segments sent again (timeout, go-live, SYN-ACK) */
    SP_NET_TCP_FAST_RETRANSMITS, /* retransmits on three duplicate ACKs or a partial ACK */
    SP_NET_TCP_RESETS_SENT,      /* RSTs sent (closed port, no connection, refusals, aborts) */
    SP_NET_TCP_REFUSED_LIMIT,    /* SYNs refused (RST) for the connection or memory limit */
    SP_NET_TCP_OUT_OF_WINDOW,    /* segments outside the receive window, ACKs of unsent data */
    SP_NET_CONNS_OPEN,           /* gauge: connections in any state, half-open included */
    SP_NET_CONNS_ACCEPTED_TOTAL, /* handshakes completed (sp_on_open delivered) */
    SP_NET_BUFFER_BYTES,         /* gauge: send buffers plus out-of-order segments, bytes */
    SP_NET_TCP_RESETS_RECEIVED,  /* valid RSTs that closed a connection */
    SP_NET_TCP_TIMEOUTS,         /* connections given up after too many retransmits */
    SP_NET_TCP_HALF_OPEN_DROPPED,/* half-open connections expired or evicted by newer SYNs */
    SP_NET_TCP_OOO_QUEUED,       /* out-of-order segments held for reassembly */
    SP_NET_TCP_OOO_DROPPED,      /* out-of-order segments dropped (queue or memory limit) */
    SP_NET_TCP_ABORTS,           /* connections reset because a send buffer could not grow */
    SP_NET_TCP_DATA_AFTER_CLOSE, /* data that arrived after the guest closed (answered by RST) */
    SP_NET_NIC_SEND_ERRORS,      /* frames the host's nic_send refused */
    SP_NET_TCP_RTO_EXPIRED,      /* retransmission timeouts (each resends from the oldest unacked byte) */
    SP_NET_TCP_LOSS_PROBES,      /* tail loss probes: the last segment resent when ACKs stopped */
    SP_NET_TCP_KEEPALIVE_PROBES, /* keepalive probes sent to peers silent for the idle time */
    SP_NET_TCP_KEEPALIVE_TIMEOUTS, /* connections reset after their keepalive probes went unanswered */
    SP_NET_STAT_COUNT
};

#endif
