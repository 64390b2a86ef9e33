/*
 * Segment arrival (RFC 9293 3.10.7), for a server: a SYN to our port opens a
 * connection, everything else must match one. In-order payload goes to the
 * guest at once (sp_on_data, from the SDK rx buffer); segments beyond a hole
 * wait in the connection's out-of-order queue.
 *
 * The segment sits in the rx buffer that sp_on_data delivers from, so its
 * header is parsed into a struct first: after the first delivery the frame
 * is gone.
 */
#include <string.h>
#include "net.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10
#define MSS_DEFAULT 536 /* RFC 9293 3.7.1: when the peer sends no MSS option */
#define MSS_FLOOR 64    /* a tiny MSS would turn one reply into millions of frames */
#define WSCALE_MAX 14

struct seg {
    uint16_t sport, dport;
    uint32_t seq, ack, wnd;
    uint8_t flags;
    uint16_t mss;  /* 0: no option */
    int wscale;    /* -1: no option */
    bool sack_permitted;
    const uint8_t *sack; /* SACK blocks (8 bytes each), in the rx buffer */
    uint32_t sack_count;
    uint8_t *data; /* payload, in the rx buffer */
    uint32_t len;
    uint8_t mac[6];
    uint32_t ip;
};

static bool parse_options(const uint8_t *p, uint32_t len, struct seg *s) {
    for (uint32_t i = 0; i < len;) {
        uint8_t kind = p[i];
        if (kind == 0) break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (len - i < 2 || p[i + 1] < 2 || p[i + 1] > len - i) return false;
        if (kind == 2 && p[i + 1] == 4) s->mss = rd16(p + i + 2);
        if (kind == 3 && p[i + 1] == 3) s->wscale = p[i + 2];
        if (kind == 4 && p[i + 1] == 2) s->sack_permitted = true;
        if (kind == 5 && p[i + 1] % 8 == 2) {
            s->sack = p + i + 2;
            s->sack_count = p[i + 1] / 8u;
        }
        i += p[i + 1];
    }
    return true;
}

static uint32_t seg_seq_len(const struct seg *s) {
    return s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN);
}

static void reset_reply(const struct seg *s) {
    tcp_reset_reply(s->mac, s->ip, s->sport, s->dport, s->flags & TH_ACK, s->ack, s->seq + seg_seq_len(s));
}

/* LISTEN (or CLOSED, for other ports): only a SYN to our port opens a connection. */
static void listen_input(const struct seg *s) {
    if (s->flags & TH_RST) return;
    if ((s->flags & TH_ACK) || s->dport != nic.port) {
        reset_reply(s);
        return;
    }
    if (!(s->flags & TH_SYN)) return;
    struct tcp_conn *c = conn_create(s->ip, s->sport, s->dport, s->mac);
    if (c == NULL) {
        NET_COUNT(TCP_REFUSED_LIMIT);
        reset_reply(s);
        return;
    }
    uint32_t iss;
    sp_random(&iss, sizeof iss);
    c->iss = iss;
    c->snd_una = iss;
    c->snd_nxt = c->snd_max = iss + 1;
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1; /* data on the SYN is not kept: the peer sends it again */
    c->snd_wnd = s->wnd;
    c->snd_wl1 = s->seq;
    uint32_t mss = s->mss ? s->mss : MSS_DEFAULT;
    c->mss = (uint16_t)max_u32(MSS_FLOOR, min_u32(mss, NET_MSS));
    if (s->wscale >= 0) {
        c->ws_ok = true;
        c->snd_wscale = (uint8_t)(s->wscale > WSCALE_MAX ? WSCALE_MAX : s->wscale);
    }
    c->sack_ok = s->sack_permitted;
    tcp_send_syn_ack(c);
    tcp_arm_rexmit(c);
}

static bool acceptable(const struct tcp_conn *c, const struct seg *s) {
    uint32_t len = seg_seq_len(s);
    uint32_t right = c->rcv_nxt + NET_RCV_WINDOW;
    bool first_in = seq_leq(c->rcv_nxt, s->seq) && seq_lt(s->seq, right);
    if (len == 0) return first_in;
    uint32_t last = s->seq + len - 1;
    return first_in || (seq_leq(c->rcv_nxt, last) && seq_lt(last, right));
}

/* Our FIN is the byte after the data; the ACK of it ends the states that wait for it. */
static void our_fin_acked(struct tcp_conn *c) {
    switch (c->state) {
    case TCP_FIN_WAIT_1:
        c->state = TCP_FIN_WAIT_2;
        timer_schedule(&c->expire_at, net_now() + NET_FIN_WAIT_2_TIMEOUT);
        break;
    case TCP_CLOSING:
        c->state = TCP_TIME_WAIT;
        timer_schedule(&c->expire_at, net_now() + 2 * NET_MSL);
        break;
    case TCP_LAST_ACK: conn_drop(c, false); break;
    default: break;
    }
}

static void ack_new(struct tcp_conn *c, uint32_t ack) {
    uint32_t acked = ack - c->snd_una;
    if (c->fin_queued && seq_lt(conn_fin_seq(c), ack)) c->fin_acked = true;
    sndbuf_release(&c->sb, conn_stream_off(c, ack));
    c->snd_una = ack;
    if (seq_lt(c->snd_nxt, ack)) c->snd_nxt = ack;
    sack_advance(c);
    if (c->rtt_timing && seq_lt(c->rtt_seq, ack)) {
        c->rtt_timing = false;
        tcp_rtt_sample(c, net_now() - c->rtt_start);
    }
    c->backoff = 0;
    c->persist = false;
    c->dupacks = 0;
    if (c->in_recovery) {
        if (seq_leq(c->recover, ack)) { /* full ACK: leave recovery (RFC 6582) */
            c->in_recovery = false;
            c->cwnd = c->ssthresh;
        } else { /* partial ACK: the next hole is lost too (with SACK, sack_recovery knows better) */
            if (c->nsacked == 0) {
                tcp_retransmit_first(c);
                NET_COUNT(TCP_FAST_RETRANSMITS);
            }
            c->cwnd = (c->cwnd > acked ? c->cwnd - acked : 0) + c->mss;
        }
    } else {
        tcp_cwnd_grow(c, acked);
    }
    c->rexmit_at = 0;
    if (c->snd_una != c->snd_max) tcp_arm_rexmit(c);
    conn_mark_dirty(c);
    if (c->fin_acked) our_fin_acked(c);
}

/* Three, or fewer when fewer segments are out and nothing new could make more (RFC 5827). */
static uint32_t dup_threshold(const struct tcp_conn *c) {
    uint32_t out = (c->snd_max - c->snd_una + c->mss - 1) / c->mss;
    bool more_to_send = seq_lt(c->snd_max, conn_fin_seq(c));
    return out < 4 && out >= 2 && !more_to_send ? out - 1 : 3;
}

static void enter_recovery(struct tcp_conn *c) { /* fast retransmit (RFC 5681 3.2) */
    c->ssthresh = max_u32((c->snd_max - c->snd_una) / 2, 2u * c->mss);
    c->recover = c->snd_max;
    c->in_recovery = true;
    c->rtt_timing = false;
    c->rexmit_hi = c->snd_una;
    tcp_retransmit_first(c);
    NET_COUNT(TCP_FAST_RETRANSMITS);
    c->cwnd = c->ssthresh + 3u * c->mss;
}

static void dup_ack(struct tcp_conn *c) {
    if (c->dupacks < UINT8_MAX) c->dupacks++;
    if (!c->in_recovery && c->dupacks < dup_threshold(c)) {
        conn_mark_dirty(c); /* limited transmit (RFC 3042): new data keeps the dup ACKs coming */
    } else if (!c->in_recovery && c->dupacks == dup_threshold(c)) {
        enter_recovery(c);
    } else if (c->in_recovery) {
        c->cwnd += c->mss; /* each dup ACK is a segment that left the network */
        conn_mark_dirty(c);
    }
}

/* With SACK, the scoreboard says more than the count of dup ACKs (RFC 6675): a hole at snd_una
 * with three segments' worth held above it is lost, even when the dup ACKs that told of them
 * came during the last recovery; and when data sent after the hole was last resent arrives, the
 * resent copy was lost too. In recovery, the other holes go out as ACKs come in. */
static void sack_recovery(struct tcp_conn *c) {
    if (c->nsacked == 0) return;
    uint32_t highest = sack_highest(c), three = 3u * c->mss;
    if (!c->in_recovery) {
        if (seq_lt(c->snd_una + three, highest)) enter_recovery(c);
        return;
    }
    if (seq_lt(c->rexmit_mark + three, highest)) {
        tcp_retransmit_first(c);
        NET_COUNT(TCP_FAST_RETRANSMITS);
    }
    tcp_retransmit_holes(c, 1);
}

/* Returns false when the segment must go no further. */
static bool ack_input(struct tcp_conn *c, const struct seg *s) {
    if (seq_lt(c->snd_max, s->ack)) { /* acknowledges what we never sent */
        NET_COUNT(TCP_OUT_OF_WINDOW);
        c->ack_now = true;
        conn_mark_dirty(c);
        return false;
    }
    if (c->sack_ok && s->sack_count) sack_record(c, s->sack, s->sack_count);
    uint32_t wnd = s->wnd << c->snd_wscale;
    bool window_update = seq_lt(c->snd_wl1, s->seq) || (c->snd_wl1 == s->seq && seq_leq(c->snd_wl2, s->ack));
    if (s->ack == c->snd_una) {
        /* RFC 5681 also asks for an unchanged window, but a Linux receiver's window moves while
         * it holds out-of-order data: with that rule most losses would wait for the RTO. */
        if (seg_seq_len(s) == 0 && c->snd_una != c->snd_max) dup_ack(c);
    } else if (seq_lt(c->snd_una, s->ack)) {
        ack_new(c, s->ack);
        if (c->state == TCP_CLOSED) return false;
    }
    if (c->sack_ok) sack_recovery(c);
    if (window_update) {
        if (wnd != c->snd_wnd) {
            c->persist = false;
            conn_mark_dirty(c);
        }
        c->snd_wnd = wnd;
        c->snd_wl1 = s->seq;
        c->snd_wl2 = s->ack;
    }
    return true;
}

static bool receives_data(enum tcp_state s) {
    return s == TCP_ESTABLISHED || s == TCP_FIN_WAIT_1 || s == TCP_FIN_WAIT_2;
}

/* Hands bytes to the guest through the rx buffer; false if the connection went away meanwhile. */
static bool deliver(struct tcp_conn *c, const uint8_t *data, uint32_t len) {
    c->rcv_nxt += len;
    if (!c->guest_open) return true;
    uint8_t *rx = (uint8_t *)sp_rx_data();
    memmove(rx, data, len);
    sp_on_data(c->id, len);
    return c->state != TCP_CLOSED;
}

/* Delivers what the new in-order bytes made contiguous in the out-of-order queue. */
static bool drain_ooo(struct tcp_conn *c) {
    while (c->ooo && seq_leq(c->ooo->seq, c->rcv_nxt)) {
        struct ooo_seg *s = c->ooo;
        c->ooo = s->next;
        c->ooo_count--;
        uint32_t skip = c->rcv_nxt - s->seq;
        bool alive = true;
        if (skip < s->len) alive = deliver(c, s->data + skip, s->len - skip);
        ooo_free(s);
        if (!alive) return false;
    }
    return true;
}

static void data_input(struct tcp_conn *c, struct seg *s) {
    if (s->len == 0 || !receives_data(c->state)) return;
    if (c->guest_closed) { /* nobody will read it: tell the peer (RFC 9293 3.10.7.4 / Linux) */
        NET_COUNT(TCP_DATA_AFTER_CLOSE);
        tcp_send_rst(c);
        conn_drop(c, false);
        return;
    }
    if (s->seq != c->rcv_nxt) {
        ooo_insert(&c->ooo, &c->ooo_count, s->seq, s->data, s->len);
        c->ack_now = true; /* a duplicate ACK: the peer's fast retransmit fills the hole */
        conn_mark_dirty(c);
        return;
    }
    bool filled_hole = c->ooo != NULL;
    if (s->len >= NET_MSS) c->segs_unacked++;
    if (!deliver(c, s->data, s->len) || !drain_ooo(c)) return;
    if (filled_hole || c->segs_unacked >= 2) c->ack_now = true;
    else if (c->delack_at == 0) timer_schedule(&c->delack_at, net_now() + NET_DELACK);
    conn_mark_dirty(c); /* the guest's reply, or the ACK */
}

static void fin_input(struct tcp_conn *c, const struct seg *s) {
    if (!(s->flags & TH_FIN) || s->seq + s->len != c->rcv_nxt || !receives_data(c->state)) return;
    c->rcv_nxt++;
    c->ack_now = true;
    conn_mark_dirty(c);
    switch (c->state) {
    case TCP_ESTABLISHED:
        c->state = TCP_CLOSE_WAIT;
        c->fin_queued = true; /* our side closes after the data already queued */
        if (c->guest_open) {
            c->guest_open = false;
            sp_on_closed(c->id);
        }
        break;
    case TCP_FIN_WAIT_1: c->state = TCP_CLOSING; break;
    case TCP_FIN_WAIT_2:
        c->state = TCP_TIME_WAIT;
        timer_schedule(&c->expire_at, net_now() + 2 * NET_MSL);
        break;
    default: break;
    }
}

static void conn_input(struct tcp_conn *c, struct seg *s) {
    if (c->state == TCP_SYN_RECEIVED && (s->flags & TH_SYN) && !(s->flags & TH_ACK) && s->seq == c->irs) {
        tcp_send_syn_ack(c); /* our SYN-ACK was lost */
        return;
    }
    if (!acceptable(c, s)) {
        NET_COUNT(TCP_OUT_OF_WINDOW);
        if (!(s->flags & TH_RST)) {
            c->ack_now = true;
            conn_mark_dirty(c);
        }
        return;
    }
    if (s->flags & TH_RST) {
        if (s->seq == c->rcv_nxt) {
            NET_COUNT(TCP_RESETS_RECEIVED);
            conn_drop(c, true);
        } else { /* in the window but not exact: a challenge ACK (RFC 5961 3.2) */
            c->ack_now = true;
            conn_mark_dirty(c);
        }
        return;
    }
    if (s->flags & TH_SYN) { /* RFC 5961 4.2 */
        c->ack_now = true;
        conn_mark_dirty(c);
        return;
    }
    if (!(s->flags & TH_ACK)) return;
    memcpy(c->peer_mac, s->mac, 6);
    if (c->state == TCP_SYN_RECEIVED) {
        if (s->ack != c->snd_max) {
            reset_reply(s);
            return;
        }
        c->snd_una = s->ack;
        if (c->rtt_timing) {
            c->rtt_timing = false;
            tcp_rtt_sample(c, net_now() - c->rtt_start);
        }
        c->rexmit_at = 0;
        c->snd_wnd = s->wnd << c->snd_wscale;
        c->snd_wl1 = s->seq;
        c->snd_wl2 = s->ack;
        conn_established(c);
        sp_on_open(c->id);
        if (c->state == TCP_CLOSED) return;
    } else if (!ack_input(c, s)) {
        return;
    }
    tcp_keepalive_heard(c);
    /* Trim to the window: bytes before rcv_nxt were had already, bytes past the edge come again. */
    if (seq_lt(s->seq, c->rcv_nxt)) {
        uint32_t skip = min_u32(c->rcv_nxt - s->seq, s->len);
        s->data += skip;
        s->len -= skip;
        s->seq += skip;
    }
    uint32_t room = c->rcv_nxt + NET_RCV_WINDOW - s->seq;
    if (s->len > room) {
        s->len = room;
        s->flags &= (uint8_t)~TH_FIN;
    }
    data_input(c, s);
    if (c->state != TCP_CLOSED) fin_input(c, s);
}

void tcp_input(const uint8_t *src_mac, uint32_t src_ip, uint32_t dst_ip, uint8_t *p, uint32_t len) {
    if (len < 20) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    uint32_t doff = (uint32_t)(p[12] >> 4) * 4;
    if (doff < 20 || doff > len) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    if (csum_fold(csum_add(ipv4_pseudo_sum(src_ip, dst_ip, IPPROTO_TCP_, len), p, len)) != 0) {
        NET_COUNT(DROPPED_CHECKSUM);
        return;
    }
    struct seg s = {
        .sport = rd16(p), .dport = rd16(p + 2), .seq = rd32(p + 4), .ack = rd32(p + 8),
        .flags = p[13] & 0x3f, .wnd = rd16(p + 14), .wscale = -1,
        .data = p + doff, .len = len - doff, .ip = src_ip,
    };
    memcpy(s.mac, src_mac, 6);
    bool syn = s.flags & TH_SYN;
    if (!parse_options(p + 20, doff - 20, &s) || s.sport == 0 || s.dport == 0 ||
        (syn && (s.flags & (TH_FIN | TH_RST)))) {
        NET_COUNT(DROPPED_MALFORMED);
        return;
    }
    NET_COUNT(TCP_SEGMENTS_IN);
    struct tcp_conn *c = conn_by_tuple(src_ip, s.sport, s.dport);
    if (c && c->state == TCP_TIME_WAIT && syn && !(s.flags & TH_ACK) && seq_lt(c->rcv_nxt, s.seq)) {
        conn_drop(c, false); /* a new incarnation of the same pair (RFC 9293 3.10.7.4 note) */
        c = NULL;
    }
    if (c) conn_input(c, &s);
    else listen_input(&s);
}
