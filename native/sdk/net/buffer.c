/*
 * Buffer memory: send buffers (chunk lists) and out-of-order segments. Every
 * byte is counted in SP_NET_BUFFER_BYTES, which the SYN limit checks.
 */
#include <stdlib.h>
#include <string.h>
#include "net.h"

/* Small replies take a small chunk; bulk sends fill chunks of up to 64 KiB. */
#define CHUNK_MIN 4096u
#define CHUNK_MAX (64u << 10)

struct sndbuf_chunk {
    struct sndbuf_chunk *next;
    uint64_t off; /* stream offset of data[0] */
    uint32_t len, cap;
    uint8_t data[];
};

static void *buffer_alloc(size_t bytes) {
    void *p = malloc(bytes);
    if (p) net_stats[SP_NET_BUFFER_BYTES] += bytes;
    return p;
}

static void buffer_release(void *p, size_t bytes) {
    free(p);
    net_stats[SP_NET_BUFFER_BYTES] -= bytes;
}

int sndbuf_append(struct sndbuf *b, const uint8_t *data, uint32_t len) {
    if (b->end - b->base + len > SP_NET_SNDBUF_MAX) return -1;
    while (len > 0) {
        struct sndbuf_chunk *t = b->tail;
        if (t == NULL || t->len == t->cap) {
            uint32_t cap = len < CHUNK_MIN ? CHUNK_MIN : len > CHUNK_MAX ? CHUNK_MAX : len;
            struct sndbuf_chunk *c = buffer_alloc(sizeof *c + cap);
            if (c == NULL) return -1;
            c->next = NULL;
            c->off = b->end;
            c->len = 0;
            c->cap = cap;
            if (t) t->next = c;
            else b->head = c;
            b->tail = t = c;
        }
        uint32_t n = min_u32(len, t->cap - t->len);
        memcpy(t->data + t->len, data, n);
        t->len += n;
        b->end += n;
        data += n;
        len -= n;
    }
    return 0;
}

void sndbuf_copy(struct sndbuf *b, uint64_t off, uint8_t *dst, uint32_t len) {
    /* Segments go out in order, so the lookup resumes where the last one ended. */
    struct sndbuf_chunk *c = b->cursor && b->cursor->off <= off ? b->cursor : b->head;
    while (len > 0 && c) {
        if (off >= c->off + c->len) {
            c = c->next;
            continue;
        }
        uint32_t at = (uint32_t)(off - c->off);
        uint32_t n = min_u32(len, c->len - at);
        memcpy(dst, c->data + at, n);
        dst += n;
        off += n;
        len -= n;
        b->cursor = c;
    }
}

void sndbuf_release(struct sndbuf *b, uint64_t upto) {
    if (upto > b->end) upto = b->end;
    while (b->head && b->head->off + b->head->len <= upto && b->head != b->tail) {
        struct sndbuf_chunk *c = b->head;
        b->head = c->next;
        if (b->cursor == c) b->cursor = NULL;
        buffer_release(c, sizeof *c + c->cap);
    }
    if (b->head && b->head == b->tail && upto == b->end) { /* all acknowledged: start afresh */
        buffer_release(b->head, sizeof *b->head + b->head->cap);
        b->head = b->tail = b->cursor = NULL;
    }
    if (upto > b->base) b->base = upto;
}

void sndbuf_free(struct sndbuf *b) {
    while (b->head) {
        struct sndbuf_chunk *c = b->head;
        b->head = c->next;
        buffer_release(c, sizeof *c + c->cap);
    }
    b->tail = b->cursor = NULL;
    b->base = b->end;
}

bool ooo_insert(struct ooo_seg **queue, uint32_t *count, uint32_t seq, const uint8_t *data, uint32_t len) {
    struct ooo_seg **at = queue;
    while (*at && seq_lt((*at)->seq, seq)) at = &(*at)->next;
    struct ooo_seg *next = *at;
    if (next && next->seq == seq && next->len >= len) return true; /* already held */
    if (*count >= NET_OOO_MAX_SEGS || net_stats[SP_NET_BUFFER_BYTES] + len > SP_NET_BUFFER_BUDGET) {
        NET_COUNT(TCP_OOO_DROPPED);
        return false;
    }
    struct ooo_seg *s = buffer_alloc(sizeof *s + len);
    if (s == NULL) {
        NET_COUNT(TCP_OOO_DROPPED);
        return false;
    }
    s->seq = seq;
    s->len = len;
    memcpy(s->data, data, len);
    s->next = next;
    *at = s;
    ++*count;
    NET_COUNT(TCP_OOO_QUEUED);
    return true;
}

void ooo_free(struct ooo_seg *seg) { buffer_release(seg, sizeof *seg + seg->len); }

void ooo_free_all(struct ooo_seg **queue, uint32_t *count) {
    while (*queue) {
        struct ooo_seg *s = *queue;
        *queue = s->next;
        ooo_free(s);
    }
    *count = 0;
}
