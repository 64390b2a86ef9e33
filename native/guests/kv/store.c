/*
 * The keyspace: a chained hash table (SipHash-1-3 with a per-boot random key,
 * so clients cannot pick colliding keys), plus a binary min-heap of the keys
 * that have a deadline, so the expiry timer always knows the nearest one.
 *
 * Mutations that need memory are split into a fallible "reserve/new" step and
 * an infallible "install/set" step, so a command can get its memory and its
 * disk record admitted before it changes anything: out of memory is an error
 * reply, never a half-applied command.
 *
 * The store also keeps `live`, the bytes the data set takes as compacted log
 * records (store_entry_bytes per key); persistence budgets the disk with it.
 */
#include <stdlib.h>
#include <string.h>
#include "kv.h"

#define MIN_BUCKETS 16

static struct entry *small_table[MIN_BUCKETS]; /* never freed: the table always exists */
static struct entry **table = small_table;
static uint64_t mask = MIN_BUCKETS - 1;
static uint64_t count, live, mem;
static struct entry **heap; /* 1-based: heap[1] expires first */
static uint32_t heap_len, heap_cap;
static uint8_t sip_key[16];

/* ---- hashing ---- */

static uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8); /* wasm is little-endian */
    return v;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
    do {                                                                       \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);              \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                 \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                 \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);              \
    } while (0)

static uint64_t siphash13(const uint8_t *in, size_t len) {
    uint64_t k0 = load64(sip_key), k1 = load64(sip_key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    uint64_t b = (uint64_t)len << 56;
    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = load64(in + i);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t i = whole; i < len; i++) b |= (uint64_t)in[i] << (8 * (i - whole));
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

void store_init(const uint8_t seed[16]) { memcpy(sip_key, seed, sizeof sip_key); }

/* ---- accounting ---- */

uint64_t store_entry_bytes(size_t klen, size_t vlen) {
    /* A compacted PUT record: header, expire + two lengths, key, value, CRC. */
    return ((uint64_t)40 + 16 + klen + vlen + 4 + 7) & ~(uint64_t)7;
}

static uint64_t entry_mem(const struct entry *e) { return sizeof *e + e->klen + e->vcap; }

uint64_t store_count(void) { return count; }
uint64_t store_expires(void) { return heap_len; }
uint64_t store_live_bytes(void) { return live; }
uint64_t store_memory(void) {
    return mem + (mask + 1) * sizeof(struct entry *) + heap_cap * sizeof(struct entry *);
}

/* ---- expiry heap ---- */

static int earlier(const struct entry *a, const struct entry *b) { return a->expire_ms < b->expire_ms; }

static void heap_place(uint32_t i, struct entry *e) {
    heap[i] = e;
    e->heap_idx = i;
}

static void sift_up(uint32_t i) {
    struct entry *e = heap[i];
    while (i > 1 && earlier(e, heap[i / 2])) {
        heap_place(i, heap[i / 2]);
        i /= 2;
    }
    heap_place(i, e);
}

static void sift_down(uint32_t i) {
    struct entry *e = heap[i];
    for (;;) {
        uint32_t l = 2 * i, r = l + 1, m = i;
        struct entry *best = e;
        if (l <= heap_len && earlier(heap[l], best)) m = l, best = heap[l];
        if (r <= heap_len && earlier(heap[r], best)) m = r, best = heap[r];
        if (m == i) break;
        heap_place(i, heap[m]);
        i = m;
    }
    heap_place(i, e);
}

int store_reserve_expiry(size_t more) {
    if (heap_len + more + 1 <= heap_cap) return 0;
    if (heap_len + more + 1 > UINT32_MAX / 2) return -1;
    uint32_t cap = heap_cap ? heap_cap : 64;
    while (cap < heap_len + more + 1) cap *= 2;
    struct entry **h = realloc(heap, cap * sizeof *h);
    if (h == NULL) return -1;
    heap = h;
    heap_cap = cap;
    return 0;
}

static void heap_remove(struct entry *e) {
    uint32_t i = e->heap_idx;
    e->heap_idx = 0;
    struct entry *last = heap[heap_len--];
    if (i > heap_len) return; /* e was the last one */
    heap_place(i, last);
    sift_up(i);
    sift_down(last->heap_idx);
}

void store_set_expire(struct entry *e, int64_t expire_ms) {
    e->expire_ms = expire_ms;
    if (expire_ms == 0) {
        if (e->heap_idx) heap_remove(e);
    } else if (e->heap_idx == 0) {
        heap_place(++heap_len, e); /* the caller reserved room */
        sift_up(heap_len);
    } else {
        sift_up(e->heap_idx);
        sift_down(e->heap_idx);
    }
}

int64_t store_next_expiry(void) { return heap_len ? heap[1]->expire_ms : 0; }

/* ---- table ---- */

static void resize(uint64_t buckets) {
    struct entry **t = buckets == MIN_BUCKETS ? small_table : calloc(buckets, sizeof *t);
    if (t == NULL) return; /* keep the old table: longer chains, still correct */
    struct entry **old = table;
    uint64_t old_n = mask + 1;
    if (t == small_table) memset(small_table, 0, sizeof small_table); /* old is a heap table here */
    table = t;
    mask = buckets - 1;
    for (uint64_t i = 0; i < old_n; i++)
        for (struct entry *e = old[i], *n; e; e = n) {
            n = e->next;
            e->next = table[e->hash & mask];
            table[e->hash & mask] = e;
        }
    if (old != small_table) free(old);
}

static struct entry *find(const uint8_t *k, size_t kl, uint64_t h) {
    for (struct entry *e = table[h & mask]; e; e = e->next)
        if (e->hash == h && e->klen == kl && memcmp(e->key, k, kl) == 0) return e;
    return NULL;
}

struct entry *store_find(const uint8_t *k, size_t kl) { return find(k, kl, siphash13(k, kl)); }

struct entry *store_lookup(const uint8_t *k, size_t kl) {
    struct entry *e = store_find(k, kl);
    if (e && e->expire_ms && now_ms > e->expire_ms) {
        store_delete(e);
        stats.expired_keys++;
        return NULL;
    }
    return e;
}

struct entry *store_new_entry(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl) {
    if (kl > UINT32_MAX / 2 || vl > UINT32_MAX / 2) return NULL;
    struct entry *e = malloc(sizeof *e + kl);
    if (e == NULL) return NULL;
    e->val = malloc(vl ? vl : 1);
    if (e->val == NULL) {
        free(e);
        return NULL;
    }
    e->next = NULL;
    e->hash = siphash13(k, kl);
    e->expire_ms = 0;
    e->heap_idx = 0;
    e->klen = (uint32_t)kl;
    e->vlen = e->vcap = (uint32_t)vl;
    memcpy(e->key, k, kl);
    if (vl) memcpy(e->val, v, vl);
    return e;
}

void store_discard_entry(struct entry *e) {
    if (e == NULL) return;
    free(e->val);
    free(e);
}

static void unlink_entry(struct entry *e) {
    struct entry **p = &table[e->hash & mask];
    while (*p != e) p = &(*p)->next;
    *p = e->next;
    if (e->heap_idx) heap_remove(e);
    count--;
    live -= store_entry_bytes(e->klen, e->vlen);
    mem -= entry_mem(e);
}

void store_delete(struct entry *e) {
    unlink_entry(e);
    store_discard_entry(e);
    if (mask + 1 > MIN_BUCKETS && count < (mask + 1) / 8) resize((mask + 1) / 2);
}

void store_install(struct entry *e) {
    struct entry *old = find(e->key, e->klen, e->hash);
    if (old) {
        unlink_entry(old);
        store_discard_entry(old);
    }
    e->next = table[e->hash & mask];
    table[e->hash & mask] = e;
    count++;
    live += store_entry_bytes(e->klen, e->vlen);
    mem += entry_mem(e);
    if (e->expire_ms) {
        int64_t ms = e->expire_ms;
        e->expire_ms = 0;
        store_set_expire(e, ms);
    }
    if (count > mask + 1 && mask < (UINT32_MAX >> 4)) resize((mask + 1) * 2);
}

/* For installed entries only (the memory accounting assumes it). */
int store_reserve_value(struct entry *e, size_t vlen) {
    if (vlen <= e->vcap) return 0;
    if (vlen > UINT32_MAX / 4) return -1;
    size_t cap = e->vcap * 2 > vlen ? e->vcap * 2 : vlen; /* APPEND loops stay linear */
    uint8_t *v = realloc(e->val, cap);
    if (v == NULL) {
        v = realloc(e->val, vlen);
        if (v == NULL) return -1;
        cap = vlen;
    }
    mem += cap - e->vcap;
    e->val = v;
    e->vcap = (uint32_t)cap;
    return 0;
}

void store_set_value_len(struct entry *e, size_t vlen) {
    live -= store_entry_bytes(e->klen, e->vlen);
    e->vlen = (uint32_t)vlen;
    live += store_entry_bytes(e->klen, e->vlen);
}

void store_flush(void) {
    for (uint64_t i = 0; i <= mask; i++)
        for (struct entry *e = table[i], *n; e; e = n) {
            n = e->next;
            store_discard_entry(e);
        }
    if (table != small_table) free(table);
    table = small_table;
    memset(small_table, 0, sizeof small_table);
    mask = MIN_BUCKETS - 1;
    count = live = mem = 0;
    heap_len = 0;
}

uint32_t store_expire_due(uint32_t budget) {
    uint32_t n = 0;
    while (n < budget && heap_len && now_ms > heap[1]->expire_ms) {
        store_delete(heap[1]);
        stats.expired_keys++;
        n++;
    }
    return n;
}

struct entry *store_next(uint64_t *cursor, struct entry *prev) {
    if (prev && prev->next) return prev->next;
    while (*cursor <= mask) {
        struct entry *e = table[(*cursor)++];
        if (e) return e;
    }
    return NULL;
}
