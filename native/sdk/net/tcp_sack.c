/*
 * Selective acknowledgements (RFC 2018). As a sender: a small scoreboard of
 * the ranges the peer holds beyond snd_una, so loss recovery resends only
 * the holes (a simplified RFC 6675: every unacknowledged byte below the
 * highest SACKed one is taken as lost) and a retransmission after a timeout
 * skips what the peer has. As a receiver: our ACKs describe the
 * out-of-order queue, so the peer does the same for us.
 */
#include "net.h"

static void remove_block(struct tcp_conn *c, uint32_t i) {
    for (; i + 1 < c->nsacked; i++) c->sacked[i] = c->sacked[i + 1];
    c->nsacked--;
}

/* Adds [start, end) keeping the list sorted and disjoint; when full, the highest range gives way. */
static void add_block(struct tcp_conn *c, uint32_t start, uint32_t end) {
    uint32_t i = 0;
    while (i < c->nsacked && seq_lt(c->sacked[i].end, start)) i++;
    while (i < c->nsacked && seq_leq(c->sacked[i].start, end)) { /* overlaps or touches: merge */
        if (seq_lt(c->sacked[i].start, start)) start = c->sacked[i].start;
        if (seq_lt(end, c->sacked[i].end)) end = c->sacked[i].end;
        remove_block(c, i);
    }
    if (c->nsacked == NET_SACK_BLOCKS) {
        if (i == NET_SACK_BLOCKS) return;
        c->nsacked--;
    }
    for (uint32_t j = c->nsacked; j > i; j--) c->sacked[j] = c->sacked[j - 1];
    c->sacked[i].start = start;
    c->sacked[i].end = end;
    c->nsacked++;
}

void sack_record(struct tcp_conn *c, const uint8_t *blocks, uint32_t count) {
    for (uint32_t k = 0; k < count; k++) {
        uint32_t start = rd32(blocks + 8 * k), end = rd32(blocks + 8 * k + 4);
        /* only ranges of what is in flight; anything else is stale or forged */
        if (seq_lt(start, end) && seq_lt(c->snd_una, start) && seq_leq(end, c->snd_max)) add_block(c, start, end);
    }
}

void sack_advance(struct tcp_conn *c) {
    while (c->nsacked && seq_leq(c->sacked[0].end, c->snd_una)) remove_block(c, 0);
    if (c->nsacked && seq_lt(c->sacked[0].start, c->snd_una)) c->sacked[0].start = c->snd_una;
}

uint32_t sack_skip(const struct tcp_conn *c, uint32_t seq, uint32_t *room) {
    for (uint32_t i = 0; i < c->nsacked; i++) {
        if (seq_lt(seq, c->sacked[i].start)) {
            *room = c->sacked[i].start - seq;
            return seq;
        }
        if (seq_lt(seq, c->sacked[i].end)) seq = c->sacked[i].end;
    }
    *room = UINT32_MAX;
    return seq;
}

uint32_t sack_highest(const struct tcp_conn *c) {
    return c->nsacked ? c->sacked[c->nsacked - 1].end : c->snd_una;
}

uint32_t sack_option(const struct tcp_conn *c, uint8_t *opt) {
    if (!c->sack_ok || c->ooo == NULL) return 0;
    uint32_t n = 0;
    const struct ooo_seg *s = c->ooo;
    while (s && n < NET_SACK_BLOCKS_SENT) {
        uint32_t start = s->seq, end = s->seq + s->len;
        for (s = s->next; s && seq_leq(s->seq, end); s = s->next)
            if (seq_lt(end, s->seq + s->len)) end = s->seq + s->len;
        wr32(opt + 4 + 8 * n, start);
        wr32(opt + 8 + 8 * n, end);
        n++;
    }
    opt[0] = opt[1] = 1; /* NOP NOP: the blocks stay 4-byte aligned */
    opt[2] = 5;
    opt[3] = (uint8_t)(2 + 8 * n);
    return 4 + 8 * n;
}
