/* Native implementations of the sitepair host imports (see native_host.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "native_host.h"

#define MAX_TIMERS 64

int32_t (*native_nic_out)(const void *frame, uint32_t len);
int64_t (*native_clock)(void) = native_realtime_ns;

static const char *const stat_names[] = {
    "frames_in", "frames_out", "dropped_malformed", "dropped_checksum", "dropped_not_for_us",
    "dropped_fragment", "dropped_unsupported", "arp_replies", "icmp_echo_replies", "tcp_segments_in",
    "tcp_segments_out", "tcp_retransmits", "tcp_fast_retransmits", "tcp_resets_sent", "tcp_refused_limit",
    "tcp_out_of_window", "conns_open", "conns_accepted_total", "buffer_bytes", "tcp_resets_received",
    "tcp_timeouts", "tcp_half_open_dropped", "tcp_ooo_queued", "tcp_ooo_dropped", "tcp_aborts",
    "tcp_data_after_close", "nic_send_errors", "tcp_rto_expired", "tcp_loss_probes", "tcp_keepalive_probes",
    "tcp_keepalive_timeouts",
};
_Static_assert(sizeof stat_names / sizeof *stat_names == SP_NET_STAT_COUNT, "a name per counter");

static struct { uint64_t id; int64_t deadline; } timers[MAX_TIMERS];
static int ntimers;
static int disk_fd = -1;
static uint8_t *disk_mem;
static uint64_t disk_bytes;

int64_t native_realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "native host: %s: %s\n", what, strerror(errno));
    exit(2);
}

void native_disk_open(const char *path, uint64_t bytes) {
    disk_bytes = bytes;
    if (path == NULL) {
        disk_mem = calloc(1, bytes);
        if (disk_mem == NULL) die("disk memory");
        return;
    }
    disk_fd = open(path, O_RDWR | O_CREAT, 0600);
    if (disk_fd < 0 || ftruncate(disk_fd, (off_t)bytes) < 0) die(path);
}

int32_t sp_host_send(int32_t conn, const void *data, uint32_t len) {
    (void)conn, (void)data, (void)len;
    return SP_ENOCONN; /* no socket-mode connections here */
}

int32_t sp_host_close(int32_t conn) {
    (void)conn;
    return SP_ENOCONN;
}

int32_t sp_host_nic_send(const void *frame, uint32_t len) {
    if (len < 14 || len > 65535) return SP_EINVAL;
    return native_nic_out(frame, len);
}

int32_t sp_disk_count(void) { return disk_bytes ? 1 : 0; }

int64_t sp_disk_blocks(int32_t disk) { return disk == 0 && disk_bytes ? (int64_t)(disk_bytes / SP_BLOCK_SIZE) : SP_ENODISK; }

static int32_t disk_check(int32_t disk, uint64_t block, uint32_t count) {
    if (disk != 0 || !disk_bytes) return SP_ENODISK;
    if (block > disk_bytes / SP_BLOCK_SIZE || count > disk_bytes / SP_BLOCK_SIZE - block) return SP_ERANGE;
    return SP_OK;
}

int32_t sp_disk_read(int32_t disk, uint64_t block, uint32_t count, void *buf) {
    int32_t rc = disk_check(disk, block, count);
    if (rc < 0) return rc;
    size_t n = (size_t)count * SP_BLOCK_SIZE;
    off_t at = (off_t)(block * SP_BLOCK_SIZE);
    if (disk_mem) memcpy(buf, disk_mem + at, n);
    else if (pread(disk_fd, buf, n, at) != (ssize_t)n) die("disk read");
    return SP_OK;
}

int32_t sp_disk_write(int32_t disk, uint64_t block, uint32_t count, const void *buf) {
    int32_t rc = disk_check(disk, block, count);
    if (rc < 0) return rc;
    size_t n = (size_t)count * SP_BLOCK_SIZE;
    off_t at = (off_t)(block * SP_BLOCK_SIZE);
    if (disk_mem) memcpy(disk_mem + at, buf, n);
    else if (pwrite(disk_fd, buf, n, at) != (ssize_t)n) die("disk write");
    return SP_OK;
}

/* Not synced: the harness tests the network, not durability. */
int32_t sp_disk_flush(int32_t disk) { return disk == 0 && disk_bytes ? SP_OK : SP_ENODISK; }

int64_t sp_clock_now(void) { return native_clock(); }

void sp_random(void *buf, uint32_t len) {
    if (getrandom(buf, len, 0) != (ssize_t)len) die("getrandom");
}

int32_t sp_host_timer_set(uint64_t id, int64_t deadline_ns) {
    for (int i = 0; i < ntimers; i++) {
        if (timers[i].id == id) {
            timers[i].deadline = deadline_ns;
            return SP_OK;
        }
    }
    if (ntimers == MAX_TIMERS) {
        fprintf(stderr, "native host: more than %d timers\n", MAX_TIMERS);
        exit(2);
    }
    timers[ntimers].id = id;
    timers[ntimers++].deadline = deadline_ns;
    return SP_OK;
}

int32_t sp_host_timer_cancel(uint64_t id) {
    for (int i = 0; i < ntimers; i++) {
        if (timers[i].id == id) {
            timers[i] = timers[--ntimers];
            return SP_OK;
        }
    }
    return SP_ENOTIMER;
}

void sp_console(const char *line, uint32_t len) { fprintf(stderr, "guest: %.*s\n", (int)len, line); }

int64_t native_next_deadline(void) {
    int64_t min = 0;
    for (int i = 0; i < ntimers; i++)
        if (min == 0 || timers[i].deadline < min) min = timers[i].deadline;
    return min;
}

void native_fire_due_timers(int64_t now) {
    for (int i = 0; i < ntimers;) {
        if (timers[i].deadline <= now) {
            uint64_t id = timers[i].id;
            timers[i] = timers[--ntimers];
            sp_export_on_timer(id); /* may re-arm: the scan restarts */
            i = 0;
        } else {
            i++;
        }
    }
}

void native_print_stats(void) {
    uint64_t *stats = sp_export_net_stats();
    for (uint32_t i = 0; i < sp_export_net_stats_count(); i++)
        fprintf(stderr, "%s=%llu%s", stat_names[i], (unsigned long long)stats[i],
                i + 1 < sp_export_net_stats_count() ? " " : "\n");
}
