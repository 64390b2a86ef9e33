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

#define SP_IMPORT(name) __attribute__((import_module("sitepair"), import_name(#name)))
#define SP_EXPORT(name) __attribute__((export_name(#name)))

/* ---- Outputs: the VM's only effects on the outside world. ---- */

/* Queue bytes for a connection. Never blocks; bytes leave the host only when
 * the Output Rule allows. */
SP_IMPORT(send) int32_t sp_send(int32_t conn, const void *data, uint32_t len);
/* Close a connection. The guest gets no closed event for its own close. */
SP_IMPORT(close) int32_t sp_close(int32_t conn);

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

/* Arm (or re-arm) timer `id` to fire at `deadline_ns` on the clock_now scale.
 * The host delivers sp_on_timer(id) at or after the deadline. */
SP_IMPORT(timer_set) int32_t sp_timer_set(uint64_t id, int64_t deadline_ns);
/* Disarm a timer; SP_ENOTIMER if it is not armed. */
SP_IMPORT(timer_cancel) int32_t sp_timer_cancel(uint64_t id);

/* ---- Diagnostics. ---- */

/* One diagnostic line for the operator's console (not an output). */
SP_IMPORT(console) void sp_console(const char *line, uint32_t len);

/* ---- Handlers the guest implements (exported by SP_HANDLER). ----
 *
 * sp_on_init          once, when the VM boots (the guest reads its disks here)
 * sp_on_open(conn)    a client connected; conn ids are positive, never reused
 * sp_on_data(conn,n)  n bytes arrived for conn, in sp_rx_buffer()
 * sp_on_closed(conn)  the client closed; conn is gone
 * sp_on_timer(id)     timer id reached its deadline (it is now disarmed)
 */
#define SP_HANDLER(name) SP_EXPORT(name)

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

#endif
