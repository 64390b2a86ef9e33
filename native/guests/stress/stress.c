/*
 * The stress guest: every output and every disk write depends on every kind
 * of input (clock, random bytes, network data, timers, disk reads), so any
 * divergence between a recording and its replay changes the state hash.
 *
 * Disk 0 layout: block 0 is a boot record; blocks 1.. form a ring that
 * events read, mix and write back.
 */
#include <stdlib.h>
#include <string.h>
#include "sitepair.h"

#define MAX_CONNS 64
#define MAX_TIMERS 8
#define BOOT_MAGIC 0x53545245535331ULL /* "STRESS1" */

struct conn {
    int32_t id;
    uint64_t bytes_in;
    uint64_t digest;
    uint8_t *scratch;   /* heap allocation whose size follows the input */
    uint32_t scratch_len;
};

struct boot_record {
    uint64_t magic;
    uint64_t boots;
    uint64_t events;
    uint64_t mix;
};

static struct conn conns[MAX_CONNS];
static uint64_t mix = 0x9e3779b97f4a7c15ULL;
static uint64_t events;
static uint64_t ring_blocks;
static uint8_t block[SP_BLOCK_SIZE];
static struct boot_record boot;

static uint64_t fold(uint64_t h, const void *data, size_t len) {
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t fold64(uint64_t h, uint64_t v) { return fold(h, &v, sizeof v); }

static uint64_t random64(void) {
    uint64_t r;
    sp_random(&r, sizeof r);
    return r;
}

static void fail(const char *what, int32_t rc) {
    sp_log("stress: %s failed: %d", what, (int)rc);
    __builtin_trap();
}

/* Read one ring block, fold it into the mix, rewrite it changed by `salt`. */
static void churn_block(uint64_t salt) {
    if (ring_blocks == 0) return;
    uint64_t b = 1 + (mix ^ salt) % ring_blocks;
    int32_t rc = sp_disk_read(0, b, 1, block);
    if (rc < 0) fail("disk_read", rc);
    /* A window of the block is enough: the host checks whole reads by checksum. */
    mix = fold(mix, block + (salt & (SP_BLOCK_SIZE - 256)), 256);
    size_t at = (size_t)(salt % (SP_BLOCK_SIZE - 16));
    memcpy(block + at, &mix, sizeof mix);
    memcpy(block + at + 8, &salt, sizeof salt);
    rc = sp_disk_write(0, b, 1, block);
    if (rc < 0) fail("disk_write", rc);
    if ((mix & 255) == 0) {
        rc = sp_disk_flush(0);
        if (rc < 0) fail("disk_flush", rc);
    }
}

static struct conn *find(int32_t id) {
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i].id == id) return &conns[i];
    return NULL;
}

static void reply(int32_t conn, const char *tag) {
    char line[96];
    uint64_t now = (uint64_t)sp_clock_now();
    mix = fold64(mix, now);
    int n = 0;
    /* Hand-rolled hex so the reply costs no libc formatting. */
    for (const char *t = tag; *t && n < 16; t++) line[n++] = *t;
    line[n++] = ' ';
    for (int shift = 60; shift >= 0; shift -= 4) line[n++] = "0123456789abcdef"[(mix >> shift) & 15];
    line[n++] = '\n';
    int32_t rc = sp_send(conn, line, (uint32_t)n);
    if (rc < 0 && rc != SP_ENOCONN) fail("send", rc);
}

static void arm_timer(uint64_t id) {
    /* Short deadlines so timers fire often in a synthetic run. */
    int64_t deadline = sp_clock_now() + (int64_t)(random64() % 2000000);
    int32_t rc = sp_timer_set(id, deadline);
    if (rc < 0) fail("timer_set", rc);
}

static void save_boot_record(void) {
    boot.events = events;
    boot.mix = mix;
    memset(block, 0, sizeof block);
    memcpy(block, &boot, sizeof boot);
    int32_t rc = sp_disk_write(0, 0, 1, block);
    if (rc < 0) fail("disk_write boot", rc);
    rc = sp_disk_flush(0);
    if (rc < 0) fail("disk_flush", rc);
}

SP_HANDLER(sp_on_init) void sp_on_init(void) {
    if (sp_disk_count() < 1) fail("disk_count", 0);
    int64_t blocks = sp_disk_blocks(0);
    if (blocks < 2) fail("disk_blocks", (int32_t)blocks);
    ring_blocks = (uint64_t)blocks - 1;
    if (ring_blocks > 4096) ring_blocks = 4096; /* keep the hot set small */

    int32_t rc = sp_disk_read(0, 0, 1, block);
    if (rc < 0) fail("disk_read boot", rc);
    memcpy(&boot, block, sizeof boot);
    if (boot.magic != BOOT_MAGIC) memset(&boot, 0, sizeof boot);
    boot.magic = BOOT_MAGIC;
    boot.boots++;
    mix = fold64(mix ^ boot.mix, random64());
    save_boot_record();
    for (uint64_t id = 1; id <= 3; id++) arm_timer(id);
    sp_log("stress: boot %llu, ring of %llu blocks", (unsigned long long)boot.boots,
           (unsigned long long)ring_blocks);
}

SP_HANDLER(sp_on_open) void sp_on_open(int32_t conn) {
    events++;
    struct conn *slot = find(0);
    if (slot == NULL) {
        sp_close(conn); /* full: refuse politely */
        return;
    }
    memset(slot, 0, sizeof *slot);
    slot->id = conn;
    slot->digest = fold64(mix, random64());
    reply(conn, "hello");
}

SP_HANDLER(sp_on_data) void sp_on_data(int32_t conn, uint32_t len) {
    events++;
    struct conn *c = find(conn);
    if (c == NULL) fail("data for unknown connection", conn);
    const uint8_t *data = sp_rx_data();
    c->bytes_in += len;
    c->digest = fold(c->digest, data, len);
    mix = fold64(mix, c->digest);

    /* Heap churn: memory contents and growth follow the input. */
    free(c->scratch);
    c->scratch_len = len + (uint32_t)(mix & 1023);
    c->scratch = malloc(c->scratch_len);
    if (c->scratch == NULL) fail("malloc", (int32_t)c->scratch_len);
    memcpy(c->scratch, data, len);
    memset(c->scratch + len, (int)(mix & 0xff), c->scratch_len - len);

    churn_block(c->digest);
    if (len > 0 && data[0] == '!') {
        sp_close(conn); /* a client may ask to be hung up on */
        free(c->scratch);
        memset(c, 0, sizeof *c);
        return;
    }
    reply(conn, "data");
    if ((mix & 31) == 0) {
        uint64_t id = 1 + random64() % MAX_TIMERS;
        if (sp_timer_cancel(id) == SP_OK) arm_timer(id);
    }
}

SP_HANDLER(sp_on_closed) void sp_on_closed(int32_t conn) {
    events++;
    struct conn *c = find(conn);
    if (c == NULL) fail("close of unknown connection", conn);
    mix = fold64(mix, c->digest ^ c->bytes_in);
    free(c->scratch);
    memset(c, 0, sizeof *c);
}

SP_HANDLER(sp_on_timer) void sp_on_timer(uint64_t id) {
    events++;
    mix = fold64(mix, id);
    churn_block(random64());
    for (int i = 0; i < MAX_CONNS; i++) {
        if (conns[i].id != 0 && ((mix >> i) & 1)) {
            reply(conns[i].id, "tick");
            break;
        }
    }
    if ((events & 1023) == 0) save_boot_record();
    arm_timer(id);
}
