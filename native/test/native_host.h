/*
 * The sitepair host imports, implemented natively for tests: a guest built
 * for the machine's own target runs in-process. Not replicated, not logged:
 * this exercises the guest and its network stack only.
 */
#ifndef NATIVE_HOST_H
#define NATIVE_HOST_H

#include <stdint.h>
#include "sitepair_host.h"

/* Where the guest's frames go (nic_send); must be set before events run. */
extern int32_t (*native_nic_out)(const void *frame, uint32_t len);
/* The clock the guest reads (default: CLOCK_REALTIME). */
extern int64_t (*native_clock)(void);

/* Disk 0: a file of `bytes` (created sparse), or memory when path is NULL. */
void native_disk_open(const char *path, uint64_t bytes);
/* Earliest armed timer deadline, 0 if none. */
int64_t native_next_deadline(void);
/* Delivers every timer due at now (each one an event). */
void native_fire_due_timers(int64_t now);
int64_t native_realtime_ns(void);
/* The stack's counters, name=value, on one line of stderr. */
void native_print_stats(void);

#endif
