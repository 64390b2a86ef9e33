/*
 * Segments out. Data leaves within min(peer window, cwnd), at most one MSS
 * per segment, without Nagle: the output of an event is sent when the event
 * ends, which already coalesces a handler's many small sp_send calls. Every
 * segment carries the ACK, so a reply made while handling a request
 * acknowledges it; an ACK owed with nothing to carry it goes out alone.
 */
#include "net.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TCP_HLEN 20
#define CWND_MAX (64u << 20)

struct segment {
    const uint8_t *mac;
    uint32_t ip;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window;
    const uint8_t *options;
    uint32_t options_len;
    struct sndbuf *payload; /* len bytes from stream offset off */
    uint64_t off;
    uint32_t len;
};

static void segment_transmit(const struct segment *s) {
    uint8_t *ip = eth_header(net_tx_frame, s->mac, ETHERTYPE_IPV4);
    uint8_t *t = ip + IP_HLEN;
    uint32_t hlen = TCP_HLEN + s->options_len;
    wr16(t, s->sport);
    wr16(t + 2, s->dport);
    wr32(t + 4, s->seq);
    wr32(t + 8, s->ack);
    t[12] = (uint8_t)(hlen / 4 << 4);
    t[13] = s->flags;
    wr16(t + 14, s->window);
    wr32(t + 16, 0); /* checksum, urgent pointer */
    for (uint32_t i = 0; i < s->options_len; i++) t[TCP_HLEN + i] = s->options[i];
    if (s->len) sndbuf_copy(s->payload, s->off, t + hlen, s->len);
    uint32_t tcp_len = hlen + s->len;
    wr16(t + 16, csum_fold(csum_add(ipv4_pseudo_sum(nic.ip, s->ip, IPPROTO_TCP_, tcp_len), t, tcp_len)));
    ipv4_header(ip, s->ip, IPPROTO_TCP_, tcp_len);
    eth_transmit(net_tx_frame, ETH_HLEN + IP_HLEN + tcp_len);
    NET_COUNT(TCP_SEGMENTS_OUT);
    if (s->flags & TH_RST) NET_COUNT(TCP_RESETS_SENT);
}

static uint16_t advertised_window(const struct tcp_conn *c, uint8_t flags) {
    if (c->ws_ok && !(flags & TH_SYN)) return (uint16_t)(NET_RCV_WINDOW >> NET_RCV_WSCALE);
    return (uint16_t)min_u32(NET_RCV_WINDOW, 0xffff); /* a SYN's window is never scaled (RFC 7323) */
}

static uint32_t syn_options(const struct tcp_conn *c, uint8_t *o) {
    uint32_t n = 0;
    o[n++] = 2; /* MSS */
    o[n++] = 4;
    wr16(o + n, NET_MSS);
    n += 2;
    if (c->sack_ok) {
        o[n++] = 1; /* NOP NOP SACK-permitted */
        o[n++] = 1;
        o[n++] = 4;
        o[n++] = 2;
    }
    if (c->ws_ok) {
        o[n++] = 1; /* NOP, window scale */
        o[n++] = 3;
        o[n++] = 3;
        o[n++] = NET_RCV_WSCALE;
    }
    return n;
}

/* Payload that fits a segment next to the options our ACKs carry now. */
static uint32_t payload_max(const struct tcp_conn *c) {
    uint8_t scratch[40];
    return c->mss - sack_option(c, scratch);
}

/* A segment of c at seq carrying len bytes of its send buffer (and the ACK, which it pays). */
static void conn_segment(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len) {
    uint8_t options[40];
    struct segment s = {
        .mac = c->peer_mac, .ip = c->peer_ip, .sport = c->local_port, .dport = c->peer_port,
        .seq = seq, .ack = c->rcv_nxt, .flags = (uint8_t)(flags | TH_ACK),
        .window = advertised_window(c, flags), .options = options,
        .payload = &c->sb, .off = len ? conn_stream_off(c, seq) : 0, .len = len,
    };
    s.options_len = flags & TH_SYN ? syn_options(c, options) : flags & TH_RST ? 0 : sack_option(c, options);
    if (len) s.flags |= TH_PSH;
    segment_transmit(&s);
    if (len) c->data_sent_at = net_now();
    c->ack_now = false;
    c->segs_unacked = 0;
    c->delack_at = 0;
}

void tcp_send_syn_ack(struct tcp_conn *c) {
    if (!c->rtt_timing && c->backoff == 0) {
        c->rtt_timing = true;
        c->rtt_seq = c->iss;
        c->rtt_start = net_now();
    }
    conn_segment(c, c->iss, TH_SYN, 0);
}

void tcp_send_ack(struct tcp_conn *c) { conn_segment(c, c->snd_nxt, 0, 0); }

void tcp_send_rst(struct tcp_conn *c) { conn_segment(c, c->snd_max, TH_RST, 0); }

void tcp_reset_reply(const uint8_t mac[6], uint32_t ip, uint16_t their_port, uint16_t our_port,
                     bool had_ack, uint32_t seg_ack, uint32_t seg_end) {
    struct segment s = {
        .mac = mac, .ip = ip, .sport = our_port, .dport = their_port,
        .seq = had_ack ? seg_ack : 0, .ack = had_ack ? 0 : seg_end,
        .flags = had_ack ? TH_RST : TH_RST | TH_ACK,
    };
    segment_transmit(&s);
}

/* Data bytes (and the FIN) not yet sent from seq on. */
static uint32_t data_after(const struct tcp_conn *c, uint32_t seq) {
    uint32_t fin_seq = conn_fin_seq(c);
    return seq_lt(seq, fin_seq) ? fin_seq - seq : 0;
}

static bool fin_due_at(const struct tcp_conn *c, uint32_t seq) {
    return c->fin_queued && !c->fin_acked && seq == conn_fin_seq(c);
}

static void fin_sent(struct tcp_conn *c) {
    if (c->state == TCP_ESTABLISHED) c->state = TCP_FIN_WAIT_1;
    else if (c->state == TCP_CLOSE_WAIT) c->state = TCP_LAST_ACK;
}

void tcp_retransmit_first(struct tcp_conn *c) {
    if (c->fin_acked) return;
    uint32_t len = min_u32(min_u32(data_after(c, c->snd_una), payload_max(c)), c->snd_max - c->snd_una);
    bool fin = fin_due_at(c, c->snd_una + len) && seq_lt(c->snd_una + len, c->snd_max);
    if (len == 0 && !fin) return;
    if (c->rtt_timing && seq_leq(c->snd_una, c->rtt_seq) && seq_lt(c->rtt_seq, c->snd_una + len + fin))
        c->rtt_timing = false; /* Karn: no sample from a retransmitted segment */
    conn_segment(c, c->snd_una, fin ? TH_FIN : 0, len);
    NET_COUNT(TCP_RETRANSMITS);
    if (seq_lt(c->rexmit_hi, c->snd_una + len)) c->rexmit_hi = c->snd_una + len;
    c->rexmit_mark = c->snd_max;
}

void tcp_retransmit_holes(struct tcp_conn *c, uint32_t budget) {
    uint32_t highest = sack_highest(c), max = payload_max(c);
    uint32_t seq = seq_lt(c->rexmit_hi, c->snd_una) ? c->snd_una : c->rexmit_hi;
    while (budget > 0) {
        uint32_t room;
        seq = sack_skip(c, seq, &room);
        if (!seq_lt(seq, highest)) break;
        uint32_t len = min_u32(min_u32(room, max), min_u32(highest - seq, data_after(c, seq)));
        if (len == 0) break;
        conn_segment(c, seq, 0, len);
        NET_COUNT(TCP_RETRANSMITS);
        seq += len;
        budget--;
    }
    c->rexmit_hi = seq;
}

void tcp_send_loss_probe(struct tcp_conn *c) {
    uint32_t flight = c->snd_max - c->snd_una;
    bool fin = c->fin_queued && seq_lt(conn_fin_seq(c), c->snd_max);
    uint32_t len = min_u32(flight - fin, payload_max(c));
    if (len == 0 && !fin) return;
    c->rtt_timing = false; /* Karn: it may be the timed segment */
    conn_segment(c, c->snd_max - len - fin, fin ? TH_FIN : 0, len);
    NET_COUNT(TCP_RETRANSMITS);
}

void tcp_send_probe(struct tcp_conn *c) {
    if (data_after(c, c->snd_nxt) == 0) return;
    conn_segment(c, c->snd_nxt, 0, 1);
    c->snd_nxt++;
    if (seq_lt(c->snd_max, c->snd_nxt)) c->snd_max = c->snd_nxt;
}

void tcp_send_keepalive(struct tcp_conn *c) { conn_segment(c, c->snd_una - 1, 0, 0); }

static bool sends_data(enum tcp_state s) {
    return s == TCP_ESTABLISHED || s == TCP_CLOSE_WAIT || s == TCP_FIN_WAIT_1 || s == TCP_CLOSING ||
           s == TCP_LAST_ACK;
}

/* Restart after idle (RFC 5681 4.1): the ACK clock stopped, so a connection that sent nothing
 * for an RTO starts a new burst from at most the initial window, not from a cwnd that the
 * network may no longer have room for. */
static void restart_after_idle(struct tcp_conn *c) {
    if (c->snd_una != c->snd_max || data_after(c, c->snd_nxt) == 0 || c->data_sent_at == 0) return;
    if (net_now() - c->data_sent_at > c->rto) c->cwnd = min_u32(c->cwnd, NET_INITIAL_WINDOW * (uint32_t)c->mss);
}

void tcp_output(struct tcp_conn *c) {
    bool sent = false;
    if (sends_data(c->state) && !c->fin_acked) {
        restart_after_idle(c);
        /* Limited transmit (RFC 3042): a segment beyond cwnd for each of the first two dup ACKs. */
        uint32_t extra = c->in_recovery ? 0 : min_u32(c->dupacks, 2) * c->mss;
        uint32_t wnd = min_u32(c->snd_wnd, c->cwnd + extra), max = payload_max(c);
        for (;;) {
            uint32_t sack_room = UINT32_MAX;
            if (seq_lt(c->snd_nxt, c->snd_max)) c->snd_nxt = sack_skip(c, c->snd_nxt, &sack_room);
            uint32_t flight = c->snd_nxt - c->snd_una;
            uint32_t unsent = data_after(c, c->snd_nxt);
            uint32_t room = wnd > flight ? wnd - flight : 0;
            uint32_t len = min_u32(min_u32(unsent, room), min_u32(max, sack_room));
            /* Sender silly-window avoidance (RFC 9293 3.8.6.2.1): no small segment the window forced
             * while others are in flight, whose ACKs will open it further. */
            if (len < unsent && len < max && len < sack_room && flight > 0) break;
            bool fin = fin_due_at(c, c->snd_nxt + len);
            if (len == 0 && !fin) break;
            bool resend = seq_lt(c->snd_nxt, c->snd_max);
            conn_segment(c, c->snd_nxt, fin ? TH_FIN : 0, len);
            if (resend) NET_COUNT(TCP_RETRANSMITS);
            else if (!c->rtt_timing) {
                c->rtt_timing = true;
                c->rtt_seq = c->snd_nxt;
                c->rtt_start = net_now();
            }
            c->snd_nxt += len + fin;
            if (seq_lt(c->snd_max, c->snd_nxt)) c->snd_max = c->snd_nxt;
            if (fin) fin_sent(c);
            sent = true;
        }
        if (c->snd_una != c->snd_max) {
            if (c->rexmit_at == 0) tcp_arm_rexmit(c);
        } else if (data_after(c, c->snd_nxt) > 0 && c->rexmit_at == 0) {
            c->persist = true; /* the peer's window is closed and nothing is in flight */
            tcp_arm_rexmit(c);
        }
    }
    if (!sent && c->ack_now) tcp_send_ack(c);
}

void tcp_cwnd_grow(struct tcp_conn *c, uint32_t acked) {
    if (c->cwnd < c->ssthresh) c->cwnd += min_u32(acked, c->mss); /* slow start (RFC 3465, L = 1) */
    else c->cwnd += max_u32(1, (uint32_t)((uint64_t)c->mss * c->mss / c->cwnd));
    if (c->cwnd > CWND_MAX) c->cwnd = CWND_MAX;
}
