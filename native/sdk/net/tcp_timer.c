/*
 * Time: the event's clock reading, the RTO (RFC 6298), keepalive, and the
 * SDK's one host timer (NET_TIMER). Each connection keeps its own deadlines; the host
 * timer is armed at the earliest of them, lazily: a deadline that is no
 * longer wanted is just cleared, and a firing with nothing due re-arms.
 */
#include "net.h"

#define CLOCK_GRANULARITY NET_MS
#define KEEPALIVE_IDLE ((int64_t)SP_NET_KEEPALIVE_IDLE_SECONDS * 1000 * NET_MS)
#define KEEPALIVE_INTERVAL ((int64_t)SP_NET_KEEPALIVE_INTERVAL_SECONDS * 1000 * NET_MS)

static int64_t now_cache; /* 0: not read in this event */
static int64_t armed_at;  /* deadline the host timer is armed at, 0 if none */

int64_t net_now(void) {
    if (now_cache == 0) now_cache = sp_clock_now();
    return now_cache;
}

void net_clock_forget(void) { now_cache = 0; }

void timer_schedule(int64_t *deadline, int64_t at) {
    *deadline = at;
    if (armed_at == 0 || at < armed_at) {
        sp_host_timer_set(NET_TIMER, at);
        armed_at = at;
    }
}

int64_t tcp_rto_now(const struct tcp_conn *c) {
    int64_t rto = c->rto;
    for (int i = 0; i < c->backoff && rto < NET_RTO_MAX; i++) rto *= 2;
    return rto < NET_RTO_MAX ? rto : NET_RTO_MAX;
}

/* A tail loss probe (RFC 8985 7) comes first: after about two round trips without an ACK, the
 * last segment goes again, and the receiver answers a duplicate at once. Without it, a tail
 * loss, or a receiver holding its delayed ACK, costs a whole RTO. */
void tcp_arm_rexmit(struct tcp_conn *c) {
    int64_t rto = tcp_rto_now(c), at = rto;
    c->tlp_armed = false;
    if (c->srtt && c->backoff == 0 && !c->in_recovery && c->state == TCP_ESTABLISHED) {
        int64_t pto = 2 * c->srtt > NET_TLP_MIN ? 2 * c->srtt : NET_TLP_MIN;
        if (c->snd_max - c->snd_una <= c->mss) pto += NET_DELACK_MAX; /* a lone segment's ACK may be delayed */
        if (pto < rto) {
            at = pto;
            c->tlp_armed = true;
        }
    }
    timer_schedule(&c->rexmit_at, net_now() + at);
}

void tcp_rtt_sample(struct tcp_conn *c, int64_t rtt) {
    if (rtt <= 0) rtt = 1;
    if (c->srtt == 0) {
        c->srtt = rtt;
        c->rttvar = rtt / 2;
    } else {
        int64_t err = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;
        c->rttvar = (3 * c->rttvar + err) / 4;
        c->srtt = (7 * c->srtt + rtt) / 8;
    }
    int64_t var = 4 * c->rttvar > CLOCK_GRANULARITY ? 4 * c->rttvar : CLOCK_GRANULARITY;
    int64_t rto = c->srtt + var;
    c->rto = rto < NET_RTO_MIN ? NET_RTO_MIN : rto > NET_RTO_MAX ? NET_RTO_MAX : rto;
}

static void rexmit_timeout(struct tcp_conn *c) {
    if (c->state == TCP_SYN_RECEIVED) {
        if (c->backoff >= NET_SYN_RETRIES) {
            NET_COUNT(TCP_HALF_OPEN_DROPPED);
            conn_drop(c, false);
            return;
        }
        c->backoff++;
        c->rtt_timing = false;
        tcp_send_syn_ack(c);
        NET_COUNT(TCP_RETRANSMITS);
        tcp_arm_rexmit(c);
        return;
    }
    if (c->snd_una == c->snd_max) {
        if (!c->persist) return;
        /* Zero-window probe: one byte beyond the window; its ACK carries the window. */
        c->persist = false;
        if (c->backoff < NET_MAX_RETRIES) c->backoff++;
        tcp_send_probe(c);
        tcp_arm_rexmit(c);
        return;
    }
    if (c->tlp_armed) {
        NET_COUNT(TCP_LOSS_PROBES);
        tcp_send_loss_probe(c);
        c->tlp_armed = false;
        timer_schedule(&c->rexmit_at, net_now() + tcp_rto_now(c));
        return;
    }
    if (c->backoff >= NET_MAX_RETRIES) {
        sp_log("net: connection %d timed out after %d retransmits", (int)c->id, c->backoff);
        NET_COUNT(TCP_TIMEOUTS);
        tcp_send_rst(c);
        conn_drop(c, true);
        return;
    }
    NET_COUNT(TCP_RTO_EXPIRED);
    /* RFC 5681 3.1: one segment, then slow start back up to half the old flight. */
    c->ssthresh = max_u32((c->snd_max - c->snd_una) / 2, 2u * c->mss);
    c->cwnd = c->mss;
    c->in_recovery = false;
    c->dupacks = 0;
    c->rtt_timing = false;
    if (c->backoff > 0) c->nsacked = 0; /* a second timeout in a row: the peer may have reneged */
    c->backoff++;
    c->snd_nxt = c->snd_una;
    c->rexmit_hi = c->snd_una;
    tcp_output(c);
    tcp_arm_rexmit(c);
}

/* Keepalive (RFC 9293 3.8.4): a peer silent for the idle time is sent probes that a live TCP
 * answers, and is reset when the last one goes unanswered. Only while nothing is in flight or
 * queued: otherwise retransmissions or window probes already ask, and the RTO gives up on a
 * dead peer. The deadline moves on every segment heard; the host timer follows lazily. */
void tcp_keepalive_heard(struct tcp_conn *c) {
    if (SP_NET_KEEPALIVE_IDLE_SECONDS == 0 || c->state != TCP_ESTABLISHED) return;
    c->keepalive_probes = 0;
    timer_schedule(&c->keepalive_at, net_now() + KEEPALIVE_IDLE);
}

static void keepalive_timeout(struct tcp_conn *c) {
    if (c->state != TCP_ESTABLISHED) return;
    if (c->snd_una != c->snd_max || c->sb.end != c->sb.base) {
        timer_schedule(&c->keepalive_at, net_now() + KEEPALIVE_IDLE);
        return;
    }
    if (c->keepalive_probes >= SP_NET_KEEPALIVE_PROBES) {
        sp_log("net: connection %d reset: %d keepalive probes unanswered", (int)c->id, c->keepalive_probes);
        NET_COUNT(TCP_KEEPALIVE_TIMEOUTS);
        tcp_send_rst(c);
        conn_drop(c, true);
        return;
    }
    c->keepalive_probes++;
    NET_COUNT(TCP_KEEPALIVE_PROBES);
    tcp_send_keepalive(c);
    timer_schedule(&c->keepalive_at, net_now() + KEEPALIVE_INTERVAL);
}

static void earliest(int64_t *min, int64_t at) {
    if (at && (*min == 0 || at < *min)) *min = at;
}

void tcp_timer_fired(void) {
    armed_at = 0;
    int64_t now = net_now();
    struct tcp_conn *next;
    for (struct tcp_conn *c = tcp_all; c; c = next) {
        next = c->all_next; /* handling c may drop c, never another connection */
        if (c->expire_at && c->expire_at <= now) {
            conn_drop(c, false);
            continue;
        }
        if (c->delack_at && c->delack_at <= now) {
            c->delack_at = 0;
            c->ack_now = true;
            conn_mark_dirty(c);
        }
        if (c->rexmit_at && c->rexmit_at <= now) {
            c->rexmit_at = 0;
            rexmit_timeout(c);
            if (c->state == TCP_CLOSED) continue;
        }
        if (c->keepalive_at && c->keepalive_at <= now) {
            c->keepalive_at = 0;
            keepalive_timeout(c);
        }
    }
    int64_t min = 0;
    for (struct tcp_conn *c = tcp_all; c; c = c->all_next) {
        earliest(&min, c->expire_at);
        earliest(&min, c->delack_at);
        earliest(&min, c->rexmit_at);
        earliest(&min, c->keepalive_at);
    }
    if (min && (armed_at == 0 || min < armed_at)) {
        sp_host_timer_set(NET_TIMER, min);
        armed_at = min;
    }
}
