/*
 * Connections: lookup by address and by id, the limits that refuse new ones,
 * and the guest's calls (sp_send, sp_close) on them.
 *
 * A dropped connection is unlinked at once but freed only when the event
 * ends (the graveyard), so code up the stack holding it, and a guest handler
 * running for it, never see freed memory. The guest hears sp_on_closed for it
 * then, after the event's output.
 */
#include <stdlib.h>
#include "net.h"

#define BUCKETS 256

struct tcp_conn *tcp_all;
static struct tcp_conn *all_tail;
static struct tcp_conn *by_tuple[BUCKETS], *by_id[BUCKETS];
static struct tcp_conn *dirty, *graveyard;
static int32_t next_id = SP_NET_CONN_BASE;
static uint32_t half_open;

static uint32_t tuple_bucket(uint32_t ip, uint16_t port, uint16_t local_port) {
    uint32_t h = (ip ^ ((uint32_t)port << 16 | local_port)) * 0x9e3779b1u;
    return h >> 24;
}

struct tcp_conn *conn_by_tuple(uint32_t peer_ip, uint16_t peer_port, uint16_t local_port) {
    struct tcp_conn *c = by_tuple[tuple_bucket(peer_ip, peer_port, local_port)];
    while (c && !(c->peer_ip == peer_ip && c->peer_port == peer_port && c->local_port == local_port))
        c = c->next_by_tuple;
    return c;
}

static struct tcp_conn *conn_by_id(int32_t id) {
    struct tcp_conn *c = by_id[(uint32_t)id % BUCKETS];
    while (c && c->id != id) c = c->next_by_id;
    return c;
}

static struct tcp_conn *oldest_half_open(void) {
    struct tcp_conn *c = tcp_all;
    while (c && c->state != TCP_SYN_RECEIVED) c = c->all_next;
    return c;
}

/* A SYN flood fills the half-open slots; the oldest gives way, so it cannot lock clients out. */
static bool make_room(void) {
    bool full = net_stats[SP_NET_CONNS_OPEN] >= SP_NET_MAX_CONNS;
    if (!full && half_open < SP_NET_MAX_HALF_OPEN) return true;
    struct tcp_conn *victim = oldest_half_open();
    if (victim == NULL) return false;
    NET_COUNT(TCP_HALF_OPEN_DROPPED);
    conn_drop(victim, false);
    return true;
}

struct tcp_conn *conn_create(uint32_t peer_ip, uint16_t peer_port, uint16_t local_port, const uint8_t mac[6]) {
    if (net_stats[SP_NET_BUFFER_BYTES] >= SP_NET_BUFFER_BUDGET || next_id == INT32_MAX || !make_room())
        return NULL;
    struct tcp_conn *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->state = TCP_SYN_RECEIVED;
    c->peer_ip = peer_ip;
    c->peer_port = peer_port;
    c->local_port = local_port;
    for (int i = 0; i < 6; i++) c->peer_mac[i] = mac[i];
    c->rto = NET_RTO_INITIAL;
    uint32_t b = tuple_bucket(peer_ip, peer_port, local_port);
    c->next_by_tuple = by_tuple[b];
    by_tuple[b] = c;
    c->all_prev = all_tail;
    if (all_tail) all_tail->all_next = c;
    else tcp_all = c;
    all_tail = c;
    half_open++;
    net_stats[SP_NET_CONNS_OPEN]++;
    return c;
}

void conn_established(struct tcp_conn *c) {
    c->state = TCP_ESTABLISHED;
    half_open--;
    c->id = next_id++;
    struct tcp_conn **head = &by_id[(uint32_t)c->id % BUCKETS];
    c->next_by_id = *head;
    *head = c;
    c->guest_open = true;
    c->cwnd = NET_INITIAL_WINDOW * (uint32_t)c->mss;
    c->ssthresh = UINT32_MAX / 2;
    c->backoff = 0;
    NET_COUNT(CONNS_ACCEPTED_TOTAL);
}

static void unlink_chain(struct tcp_conn **head, struct tcp_conn *c, size_t link) {
    while (*head && *head != c) head = (struct tcp_conn **)((char *)*head + link);
    if (*head) *head = *(struct tcp_conn **)((char *)c + link);
}

void conn_drop(struct tcp_conn *c, bool notify) {
    if (c->state == TCP_CLOSED) return;
    unlink_chain(&by_tuple[tuple_bucket(c->peer_ip, c->peer_port, c->local_port)], c,
                 offsetof(struct tcp_conn, next_by_tuple));
    if (c->id) unlink_chain(&by_id[(uint32_t)c->id % BUCKETS], c, offsetof(struct tcp_conn, next_by_id));
    if (c->all_prev) c->all_prev->all_next = c->all_next;
    else tcp_all = c->all_next;
    if (c->all_next) c->all_next->all_prev = c->all_prev;
    else all_tail = c->all_prev;
    if (c->state == TCP_SYN_RECEIVED) half_open--;
    sndbuf_free(&c->sb);
    ooo_free_all(&c->ooo, &c->ooo_count);
    c->state = TCP_CLOSED;
    c->notify_closed = notify && c->guest_open;
    c->guest_open = false;
    c->next_grave = graveyard;
    graveyard = c;
    net_stats[SP_NET_CONNS_OPEN]--;
}

void conn_mark_dirty(struct tcp_conn *c) {
    if (c->dirty) return;
    c->dirty = true;
    c->next_dirty = dirty;
    dirty = c;
}

void net_event_end(void) {
    for (;;) {
        if (dirty) { /* output first: nothing is freed while a connection is still listed here */
            struct tcp_conn *c = dirty;
            dirty = c->next_dirty;
            c->dirty = false;
            if (c->state != TCP_CLOSED) tcp_output(c);
        } else if (graveyard) {
            struct tcp_conn *c = graveyard;
            graveyard = c->next_grave;
            if (c->notify_closed) sp_on_closed(c->id); /* may send on others: the loop goes on */
            free(c);
        } else {
            break;
        }
    }
    net_clock_forget();
}

void tcp_go_live(void) {
    for (struct tcp_conn *c = tcp_all; c; c = c->all_next) {
        if (c->state == TCP_SYN_RECEIVED) {
            tcp_send_syn_ack(c);
            continue;
        }
        if (c->state == TCP_TIME_WAIT) continue;
        /* Three duplicate ACKs: the client fast-retransmits what we never acknowledged, if it
         * has more than one segment in flight; a lone request (the common case) waits for the
         * client's retransmission timer, whose back-off the failover grew: undo it (RFC 6069). */
        for (int i = 0; i < 3; i++) tcp_send_ack(c);
        for (int i = 0; i < NET_BACKOFF_REVERTS; i++)
            icmp_host_unreachable(c->peer_mac, c->peer_ip, c->peer_port, c->local_port, c->rcv_nxt);
        if (c->snd_una != c->snd_max) { /* resend the flight now, at the first RTO */
            c->backoff = 0;
            c->rtt_timing = false;
            c->snd_nxt = c->snd_una;
            c->rexmit_at = 0;
            conn_mark_dirty(c);
        }
    }
}

int32_t net_send(int32_t id, const void *data, uint32_t len) {
    struct tcp_conn *c = conn_by_id(id);
    if (c == NULL || !c->guest_open) return SP_ENOCONN;
    if (len == 0) return SP_OK;
    if (len > SP_NET_SNDBUF_MAX) return SP_EINVAL;
    if (sndbuf_append(&c->sb, data, len) < 0) {
        sp_log("net: connection %d reset: its send buffer cannot grow by %u bytes", (int)id, (unsigned)len);
        NET_COUNT(TCP_ABORTS);
        tcp_send_rst(c);
        conn_drop(c, true);
        return SP_ENOCONN;
    }
    conn_mark_dirty(c);
    return SP_OK;
}

int32_t net_close(int32_t id) {
    struct tcp_conn *c = conn_by_id(id);
    if (c == NULL || !c->guest_open) return SP_ENOCONN;
    c->guest_open = false;
    c->guest_closed = true;
    c->fin_queued = true;
    conn_mark_dirty(c);
    return SP_OK;
}
