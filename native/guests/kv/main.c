/*
 * The handlers: boot, connections, data events, the expiry timer.
 *
 * A data event runs every complete request in the bytes that arrived, then
 * writes and flushes the event's disk records once (group commit), and only
 * then sends the replies: a reply to a write never leaves before the write
 * is durable.
 *
 * Expiry is lazy (keys are checked on access) and active: one timer is kept
 * armed at the nearest deadline, and each event first removes the keys that
 * are due, so expired keys vanish (and DBSIZE drops) without any client.
 */
#include <stdlib.h>
#include <string.h>
#include "kv.h"

#define EXPIRY_TIMER 1
#define EXPIRE_BUDGET 20000 /* keys removed per event; the timer re-fires for the rest */
#define CONN_BUCKETS 256

int64_t now_ms;
struct stats stats;
uint8_t run_id[41];

static struct client *conns[CONN_BUCKETS];
static uint32_t nconns;
static int64_t armed_ns; /* deadline of the armed expiry timer, 0 if none */

uint32_t connected_clients(void) { return nconns; }

static void begin_event(void) { now_ms = sp_clock_now() / 1000000; }

static struct client **slot_of(int32_t id) {
    struct client **p = &conns[(uint32_t)id % CONN_BUCKETS];
    while (*p && (*p)->id != id) p = &(*p)->next;
    return p;
}

static void drop_client(struct client *c) {
    *slot_of(c->id) = c->next;
    client_free_buffers(c);
    free(c);
    nconns--;
}

/* Keeps the expiry timer armed at the nearest deadline (a key expires once now_ms > deadline). */
static void rearm_expiry(void) {
    int64_t next = store_next_expiry();
    int64_t want = 0;
    if (next) want = next >= INT64_MAX / 1000000 - 1 ? INT64_MAX : (next + 1) * 1000000;
    if (want == armed_ns) return;
    if (want) sp_timer_set(EXPIRY_TIMER, want);
    else sp_timer_cancel(EXPIRY_TIMER);
    armed_ns = want;
}

SP_HANDLER(sp_on_init) void sp_on_init(void) {
    begin_event();
    stats.boot_ms = now_ms;
    uint8_t seed[36];
    sp_random(seed, sizeof seed); /* hash key, and the run id INFO shows */
    store_init(seed);
    for (int i = 0; i < 20; i++) {
        run_id[2 * i] = "0123456789abcdef"[seed[16 + i] >> 4];
        run_id[2 * i + 1] = "0123456789abcdef"[seed[16 + i] & 15];
    }
    persist_init();
    rearm_expiry();
}

SP_HANDLER(sp_on_open) void sp_on_open(int32_t conn) {
    struct client *c = calloc(1, sizeof *c);
    if (c == NULL) {
        sp_close(conn); /* no memory for one more client: refuse it */
        return;
    }
    stats.connections_received++;
    c->id = conn;
    c->bulk_len = -1;
    struct client **slot = slot_of(conn);
    c->next = *slot;
    *slot = c;
    nconns++;
}

static int take_input(struct client *c, const uint8_t *data, uint32_t len) {
    size_t need = c->ilen + len;
    if (need > KV_MAX_QUERYBUF) {
        sp_log("kv: closing client %d: query buffer above %u bytes", (int)c->id, KV_MAX_QUERYBUF);
        return -1; /* Redis closes such a client without a reply */
    }
    if (need > c->icap) {
        size_t cap = c->icap ? c->icap * 2 : 16384;
        while (cap < need) cap *= 2;
        if (cap > KV_MAX_QUERYBUF) cap = KV_MAX_QUERYBUF;
        uint8_t *p = realloc(c->ibuf, cap);
        if (p == NULL) {
            reply_error(c, "OOM out of memory reading the request");
            c->close_after = 1;
            return 0;
        }
        c->ibuf = p;
        c->icap = cap;
    }
    memcpy(c->ibuf + c->ilen, data, len);
    c->ilen = need;
    return 0;
}

SP_HANDLER(sp_on_data) void sp_on_data(int32_t conn, uint32_t len) {
    begin_event();
    store_expire_due(EXPIRE_BUDGET);
    struct client *c = *slot_of(conn);
    if (c != NULL) {
        stats.net_input_bytes += len;
        if (take_input(c, sp_rx_data(), len) < 0) {
            sp_close(conn);
            drop_client(c);
        } else {
            if (!c->close_after) resp_process(c);
            client_spill(c); /* commit the event's records, then send its replies */
            if (c->close_after) {
                sp_close(conn);
                drop_client(c);
            }
        }
    }
    persist_after_event();
    rearm_expiry();
}

SP_HANDLER(sp_on_closed) void sp_on_closed(int32_t conn) {
    struct client *c = *slot_of(conn);
    if (c) drop_client(c);
}

SP_HANDLER(sp_on_timer) void sp_on_timer(uint64_t id) {
    if (id != EXPIRY_TIMER) return;
    armed_ns = 0; /* a fired timer is disarmed */
    begin_event();
    store_expire_due(EXPIRE_BUDGET);
    rearm_expiry();
}
