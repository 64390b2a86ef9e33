/*
 * Persistence on disk 0: a log of checksummed records in one of two halves,
 * compacted into the other half when it has grown to twice the live data.
 *
 * Layout (4 KiB blocks):
 *   block 0, 1    superblock slots; a write goes to slot (seq & 1), so a torn
 *                 superblock write leaves the previous one intact
 *   blocks 2..    half 0, then half 1, H = (blocks - 2) / 2 blocks each
 *
 * Superblock: magic "KVSB", version, seq, H, half_epoch (epoch the active
 * half was started with), sealed_seq (records known complete: a compaction's
 * output, or what the last boot recovered), compactions, active half, the
 * half's nonce, CRC32C.
 *
 * Record (8-byte aligned, little-endian):
 *   u32 magic "KVR1", u32 payload length, u64 seq (1, 2, ... per half),
 *   u64 epoch, u64 commit (seq of the first record of its commit), u8 type,
 *   3 zero bytes, u32 header CRC32C seeded with the half's nonce, payload,
 *   u32 CRC32C of the payload seeded with the header CRC, zero padding to 8.
 *   The nonce is random per compaction and never leaves the disk, so bytes a
 *   client stored in a value cannot pass for a record when recovery scans
 *   past the end of the log, and neither can records of older generations.
 *
 * Writes: the records of one data event form a commit. It starts at a block
 * boundary and is padded to one, so a commit never rewrites a block holding
 * acknowledged records (a torn write can only damage unacknowledged ones);
 * it is written and flushed once, before the event's replies are sent.
 *
 * Epochs: every boot and every compaction writes a superblock with seq + 1,
 * and records carry the seq current when they were written. Recovery accepts
 * only records with consecutive seq and non-decreasing epoch >= half_epoch,
 * which rejects stale records of older uses of the half, and leftovers of a
 * torn commit that a later boot wrote around.
 *
 * Recovery: records are applied in order. Where the next record is not
 * valid, either the rest of the block is padding (the next commit starts at
 * the next block), or the log ends there: if no valid later record follows,
 * or only records of the same commit (a torn write), that is the torn tail,
 * ignored; if records of a later commit (or sealed records) follow, the gap
 * is corruption: reported with sp_log and INFO corrupt_records, skipped.
 *
 * Space: compaction writes one PUT record per live key into the other half,
 * flushes, then switches the superblock. It runs after any data event that
 * leaves the log above 2 x live + S (S = min(1 MiB, H/8)), and whenever a
 * record does not fit the half. So between events the active log is at most
 * 2 x live + S bytes: overhead factor 2 (INFO kv_disk_log_limit), where
 * "live" is the size of the compacted log (store_entry_bytes per key: the
 * data plus 64 bytes per key, rounded to 8).
 *
 * Capacity: live data may fill one half, less a headroom kept so deletes
 * still fit: H x 4 KiB - min(64 KiB, H x 4 KiB / 16) (kv_disk_capacity_bytes).
 * A write that would grow live data beyond it, or whose record does not fit
 * even after compaction, gets "-ERR disk full" and changes nothing; reads,
 * deletes and shrinking writes go on. Overwriting a value needs room for the
 * old and the new record at once (the old one stays until the new one is
 * durable), so a near-full disk refuses to overwrite a large value in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kv.h"

#define BS 4096u
#define HDR 40u
#define TRAILER 4u
#define STAGE (256u << 10)
#define RWIN (256u << 10)
#define REC_MAGIC 0x3152564Bu /* "KVR1" */
#define SB_MAGIC 0x4253564Bu  /* "KVSB" */
#define SB_VERSION 1u
#define MIN_HALF_BLOCKS 4u

static uint64_t align8(uint64_t v) { return (v + 7) & ~(uint64_t)7; }
static uint64_t round_block(uint64_t v) { return (v + BS - 1) / BS * BS; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* ---- state ---- */

static const char *offline; /* why the disk cannot be written, or NULL */
static int incomplete;      /* recovery stopped short: the store is not the disk's data set */
static uint64_t disk_blocks, half_blocks, half_bytes;
static uint32_t active;                    /* the half recovery reads and writes append to */
static uint64_t sb_seq, half_epoch, sealed_seq, compactions_total;
static uint64_t epoch;                     /* carried by records written now */
static uint32_t nonce;                     /* seeds the record checksums of the active half */

/* the writer: bytes [stage_block * BS, wpos) of half `whalf` are in stage[] */
static uint32_t whalf;
static uint64_t wpos, stage_block, next_seq, commit_id;
static uint64_t rec_left;
static uint32_t rec_crc;
static int dirty;
static uint8_t stage[STAGE];

static struct {
    uint64_t recovered, corrupt_records, corrupt_regions, torn_tail, sb_damaged;
    uint64_t compactions, disk_full, bytes_written, flushes, last_compaction_ms;
} ps;

static uint64_t half_base(uint32_t half) { return 2 + (uint64_t)half * half_blocks; }
static uint64_t headroom(void) { return half_bytes / 16 < (64u << 10) ? half_bytes / 16 : (64u << 10); }
static uint64_t slack(void) { return half_bytes / 8 < (1u << 20) ? half_bytes / 8 : (1u << 20); }

static void go_offline(const char *why) {
    if (offline == NULL) sp_log("kv: disk writes disabled: %s", why);
    offline = why;
}

/* ---- low-level writes ---- */

static void write_blocks(uint64_t hblock, uint32_t n, const void *buf) {
    if (offline) return;
    if (sp_disk_write(0, half_base(whalf) + hblock, n, buf) < 0) {
        go_offline("disk write failed");
        return;
    }
    ps.bytes_written += (uint64_t)n * BS;
    dirty = 1;
}

static void flush_disk(void) {
    if (!dirty || offline) return;
    if (sp_disk_flush(0) < 0) go_offline("disk flush failed");
    ps.flushes++;
    dirty = 0;
}

static void stage_put(const void *p, size_t n) {
    const uint8_t *s = p;
    while (n) {
        size_t off = (size_t)(wpos - stage_block * BS);
        size_t k = STAGE - off < n ? STAGE - off : n;
        memcpy(stage + off, s, k);
        wpos += k;
        s += k;
        n -= k;
        if (off + k == STAGE) {
            write_blocks(stage_block, STAGE / BS, stage);
            stage_block += STAGE / BS;
        }
    }
}

/* Ends a commit: zero-pad to the block boundary and write what is staged. */
static void stage_close(void) {
    size_t off = (size_t)(wpos - stage_block * BS);
    if (off == 0) return;
    size_t end = (size_t)round_block(off);
    memset(stage + off, 0, end - off);
    write_blocks(stage_block, (uint32_t)(end / BS), stage);
    wpos = stage_block * BS + end;
    stage_block = wpos / BS;
}

static void record_start(uint8_t type, uint64_t len) {
    if (commit_id == 0) commit_id = next_seq;
    uint8_t h[HDR] = {0};
    put32(h, REC_MAGIC);
    put32(h + 4, (uint32_t)len);
    put64(h + 8, next_seq);
    put64(h + 16, epoch);
    put64(h + 24, commit_id);
    h[32] = type;
    rec_crc = crc32c(nonce, h, 36);
    put32(h + 36, rec_crc);
    stage_put(h, HDR);
    rec_left = len;
}

void wal_bytes(const void *p, size_t n) {
    if (n > rec_left) n = (size_t)rec_left; /* never write past the declared length */
    rec_crc = crc32c(rec_crc, p, n);
    stage_put(p, n);
    rec_left -= n;
}

void wal_u32(uint32_t v) { wal_bytes(&v, 4); }
void wal_u64(uint64_t v) { wal_bytes(&v, 8); }

void wal_end(void) {
    static const uint8_t zeros[8];
    while (rec_left) { /* a short payload is a bug; keep the log well-formed anyway */
        size_t n = rec_left < 8 ? (size_t)rec_left : 8;
        wal_bytes(zeros, n);
    }
    uint8_t t[4];
    put32(t, rec_crc);
    stage_put(t, 4);
    stage_put(zeros, (size_t)(align8(wpos) - wpos));
    next_seq++;
}

/* ---- superblock ---- */

static void write_superblock(void) {
    static uint8_t b[BS];
    memset(b, 0, BS);
    put32(b, SB_MAGIC);
    put32(b + 4, SB_VERSION);
    put64(b + 8, sb_seq);
    put64(b + 16, half_blocks);
    put64(b + 24, half_epoch);
    put64(b + 32, sealed_seq);
    put64(b + 40, compactions_total);
    put32(b + 48, active);
    put32(b + 52, nonce);
    put32(b + 56, crc32c(0, b, 56));
    if (sp_disk_write(0, sb_seq & 1, 1, b) < 0) {
        go_offline("superblock write failed");
        return;
    }
    dirty = 1;
    flush_disk();
}

struct superblock {
    uint64_t seq, half_blocks, half_epoch, sealed, compactions;
    uint32_t active, nonce;
};

/* 1: valid, 0: all zero, -1: anything else */
static int parse_superblock(const uint8_t *b, struct superblock *sb) {
    if (get32(b) == SB_MAGIC && get32(b + 4) == SB_VERSION && get32(b + 56) == crc32c(0, b, 56) &&
        get32(b + 48) <= 1) {
        sb->seq = get64(b + 8);
        sb->half_blocks = get64(b + 16);
        sb->half_epoch = get64(b + 24);
        sb->sealed = get64(b + 32);
        sb->compactions = get64(b + 40);
        sb->active = get32(b + 48);
        sb->nonce = get32(b + 52);
        return 1;
    }
    for (uint32_t i = 0; i < BS; i++)
        if (b[i]) return -1;
    return 0;
}

/* ---- compaction ---- */

static int put_entry_record(const struct entry *e) {
    uint64_t len = 16 + (uint64_t)e->klen + e->vlen;
    if (wpos + align8(HDR + len + TRAILER) > half_bytes) return -1;
    record_start(REC_PUT, len);
    wal_u64((uint64_t)e->expire_ms);
    wal_u32(e->klen);
    wal_u32(e->vlen);
    wal_bytes(e->key, e->klen);
    wal_bytes(e->val, e->vlen);
    wal_end();
    return 0;
}

/*
 * Writes the in-memory data set (which includes this event's uncommitted
 * changes) into the other half and switches to it. Returns 0, or -1 if it
 * does not fit (nothing changed then: the active half stays as it was).
 */
static int compact(void) {
    if (offline || store_live_bytes() > half_bytes) return -1;
    uint32_t from = active;
    uint64_t new_epoch = (sb_seq > epoch ? sb_seq : epoch) + 1;
    sp_random(&nonce, sizeof nonce);
    whalf = 1 - from;
    wpos = stage_block = 0;
    next_seq = 1;
    commit_id = 0;
    epoch = new_epoch;
    rec_left = 0;
    uint64_t cursor = 0;
    for (struct entry *e = store_next(&cursor, NULL); e; e = store_next(&cursor, e)) {
        if (e->expire_ms && now_ms > e->expire_ms) continue; /* dead: recovery would drop it */
        if (put_entry_record(e) < 0) { /* cannot happen while live <= half: stay on the old half */
            go_offline("compaction overflowed its half");
            return -1;
        }
    }
    stage_close();
    flush_disk();
    if (offline) return -1;
    active = whalf;
    sb_seq = new_epoch;
    half_epoch = new_epoch;
    sealed_seq = next_seq - 1;
    compactions_total++;
    write_superblock();
    commit_id = 0;
    ps.compactions++;
    ps.last_compaction_ms = (uint64_t)now_ms;
    return offline ? -1 : 0;
}

const char *persist_unavailable(void) { return incomplete ? offline : NULL; }

/* ---- the write path ---- */

const char *wal_begin(uint8_t type, uint64_t payload_len, uint64_t live_after) {
    if (offline) return offline;
    uint64_t size = align8(HDR + payload_len + TRAILER);
    uint64_t live_now = store_live_bytes();
    if (size > half_bytes || (live_after > live_now && live_after + headroom() > half_bytes)) {
        ps.disk_full++;
        return "ERR disk full: the data set would not fit on disk 0 (see INFO persistence)";
    }
    if (wpos + size > half_bytes && (compact() < 0 || wpos + size > half_bytes)) {
        ps.disk_full++;
        return offline ? offline : "ERR disk full: the data set would not fit on disk 0 (see INFO persistence)";
    }
    record_start(type, payload_len);
    return NULL;
}

void persist_commit(void) {
    if (offline) return;
    stage_close();
    flush_disk();
    commit_id = 0;
}

void persist_after_event(void) {
    if (!offline && wpos > 2 * store_live_bytes() + slack()) compact();
}

/* ---- recovery ---- */

static uint8_t rwin[RWIN];
static uint64_t rwin_at = UINT64_MAX; /* half-relative offset of rwin[0] */
static uint8_t *scratch; /* the payload of the record last read */
static size_t scratch_cap;
static int recover_oom; /* a record too large for memory: recovery cannot go on */

/* Reads [pos, pos + n) of the active half; pos + n <= half_bytes. */
static int rd(uint64_t pos, void *dst, size_t n) {
    uint8_t *d = dst;
    while (n) {
        uint64_t win = pos / RWIN * RWIN;
        if (win != rwin_at) {
            uint64_t bytes = half_bytes - win < RWIN ? half_bytes - win : RWIN;
            if (sp_disk_read(0, half_base(active) + win / BS, (uint32_t)(bytes / BS), rwin) < 0) return -1;
            rwin_at = win;
        }
        size_t off = (size_t)(pos - win), k = RWIN - off < n ? RWIN - off : n;
        memcpy(d, rwin + off, k);
        d += k;
        pos += k;
        n -= k;
    }
    return 0;
}

struct rec {
    uint64_t pos, end, seq, epoch, commit;
    uint32_t len, hcrc;
    uint8_t type;
};

/* BAD: the header does not check out (garbage, or another generation's record);
 * TORN: the header does, the payload does not (a record cut short). */
enum { NO_RECORD = 0, BAD_RECORD = 1, GOOD_RECORD = 2, TORN_RECORD = 3 };

/* Is there a complete, checksummed record at pos? Leaves its payload in scratch. */
static int record_at(uint64_t pos, struct rec *r) {
    uint8_t h[HDR];
    if (pos + HDR + TRAILER > half_bytes || rd(pos, h, HDR) < 0) return NO_RECORD;
    if (get32(h) != REC_MAGIC) return NO_RECORD;
    r->pos = pos;
    r->len = get32(h + 4);
    r->seq = get64(h + 8);
    r->epoch = get64(h + 16);
    r->commit = get64(h + 24);
    r->type = h[32];
    r->hcrc = get32(h + 36);
    if (r->hcrc != crc32c(nonce, h, 36) || h[33] || h[34] || h[35] || r->type < REC_PUT || r->type > REC_FLUSH ||
        r->len > half_bytes - pos - HDR - TRAILER || r->seq == 0 || r->commit > r->seq || r->commit == 0)
        return BAD_RECORD;
    if (r->len + (size_t)TRAILER > scratch_cap) {
        size_t cap = r->len + (size_t)TRAILER;
        uint8_t *s = realloc(scratch, cap);
        if (s == NULL) {
            recover_oom = 1;
            return NO_RECORD;
        }
        scratch = s;
        scratch_cap = cap;
    }
    if (rd(pos + HDR, scratch, r->len + (size_t)TRAILER) < 0) return NO_RECORD;
    if (get32(scratch + r->len) != crc32c(r->hcrc, scratch, r->len)) return TORN_RECORD;
    r->end = align8(pos + HDR + r->len + TRAILER);
    return GOOD_RECORD;
}

/* The first good record at or after pos (8-aligned) that could continue the log. */
static int scan_for(uint64_t pos, uint64_t min_seq, uint64_t min_epoch, uint64_t min_commit, struct rec *out) {
    for (pos = align8(pos); pos + HDR + TRAILER <= half_bytes; pos += 8) {
        uint8_t m[4];
        if (rd(pos, m, 4) < 0) return 0;
        if (get32(m) != REC_MAGIC) continue;
        struct rec r;
        if (record_at(pos, &r) == GOOD_RECORD && r.seq >= min_seq && r.epoch >= min_epoch &&
            r.commit >= min_commit && r.epoch >= half_epoch) {
            *out = r;
            return 1;
        }
    }
    return 0;
}

static uint64_t corrupt_payloads;

/* Applies one record's payload (in scratch). -1: out of memory. */
static int apply(const struct rec *r) {
    const uint8_t *p = scratch, *end = scratch + r->len;
    switch (r->type) {
    case REC_PUT:
        while (p < end) {
            if (end - p < 16) goto malformed;
            int64_t exp = (int64_t)get64(p);
            uint32_t kl = get32(p + 8), vl = get32(p + 12);
            p += 16;
            if ((uint64_t)(end - p) < (uint64_t)kl + vl) goto malformed;
            struct entry *e = store_new_entry(p, kl, p + kl, vl);
            if (e == NULL || (exp && store_reserve_expiry(1) < 0)) {
                store_discard_entry(e);
                return -1;
            }
            e->expire_ms = exp;
            store_install(e);
            p += (size_t)kl + vl;
        }
        return 0;
    case REC_DEL:
        while (p < end) {
            if (end - p < 4) goto malformed;
            uint32_t kl = get32(p);
            p += 4;
            if ((uint64_t)(end - p) < kl) goto malformed;
            struct entry *e = store_find(p, kl);
            if (e) store_delete(e);
            p += kl;
        }
        return 0;
    case REC_EXPIRE: {
        if (end - p < 12) goto malformed;
        int64_t exp = (int64_t)get64(p);
        uint32_t kl = get32(p + 8);
        if ((uint64_t)(end - p - 12) != kl) goto malformed;
        struct entry *e = store_find(p + 12, kl);
        if (e == NULL) return 0;
        if (exp && store_reserve_expiry(1) < 0) return -1;
        store_set_expire(e, exp);
        return 0;
    }
    case REC_APPEND: {
        if (end - p < 4) goto malformed;
        uint32_t kl = get32(p);
        if ((uint64_t)(end - p - 4) < kl) goto malformed;
        const uint8_t *k = p + 4, *s = k + kl;
        size_t sl = (size_t)(end - s);
        struct entry *e = store_find(k, kl);
        if (e == NULL) {
            e = store_new_entry(k, kl, s, sl);
            if (e == NULL) return -1;
            store_install(e);
        } else {
            if (store_reserve_value(e, (size_t)e->vlen + sl) < 0) return -1;
            memcpy(e->val + e->vlen, s, sl);
            store_set_value_len(e, (size_t)e->vlen + sl);
        }
        return 0;
    }
    case REC_FLUSH:
        if (r->len) goto malformed;
        store_flush();
        return 0;
    }
malformed:
    corrupt_payloads++;
    sp_log("kv: record seq %llu (type %u) has a valid checksum but a malformed payload; skipped",
           (unsigned long long)r->seq, r->type);
    return 0;
}

static void report_gap(uint64_t expected, uint64_t found_seq, uint64_t at) {
    ps.corrupt_records += found_seq - expected;
    ps.corrupt_regions++;
    sp_log("kv: disk 0 corrupt: records %llu..%llu of half %u unreadable at byte %llu; skipped",
           (unsigned long long)expected, (unsigned long long)(found_seq - 1), active, (unsigned long long)at);
}

/* Rebuilds the store from the active half. Returns the end of the log, or -1. */
static int64_t recover(uint64_t *last_seq, uint64_t *max_epoch) {
    uint64_t pos = 0, expect = 1, last_epoch = half_epoch, last_commit = 0, tail = 0;
    struct rec r;
    for (;;) {
        int kind = record_at(pos, &r);
        int ok = kind == GOOD_RECORD && r.seq == expect && r.epoch >= last_epoch;
        if (!ok && pos % BS) { /* the rest of the block may be padding (or a torn commit's remains) */
            int next = record_at(round_block(pos), &r);
            ok = next == GOOD_RECORD && r.seq == expect && r.epoch >= last_epoch;
            if (kind != TORN_RECORD) kind = next;
        }
        if (recover_oom) return -1;
        if (ok) {
            if (apply(&r) < 0) return -1;
            ps.recovered++;
            expect = r.seq + 1;
            last_epoch = r.epoch;
            last_commit = r.commit;
            pos = tail = r.end;
            continue;
        }
        /* No record continues the log here: end, torn tail or corruption. */
        struct rec f, later;
        int found = scan_for(pos + 8, expect, last_epoch, 0, &f);
        if (recover_oom) return -1;
        if (!found) {
            if (expect <= sealed_seq) report_gap(expect, sealed_seq + 1, pos);
            else if (kind == TORN_RECORD) ps.torn_tail = 1;
            break;
        }
        if (expect <= sealed_seq || f.commit > last_commit || scan_for(f.end, expect, last_epoch, last_commit + 1, &later)) {
            if (f.seq > expect) report_gap(expect, f.seq, pos);
            else sp_log("kv: skipped unreadable bytes %llu..%llu of half %u", (unsigned long long)pos,
                        (unsigned long long)f.pos, active);
            if (record_at(f.pos, &r) != GOOD_RECORD) return -1; /* reload its payload */
            pos = f.pos;
            expect = f.seq;
            continue;
        }
        ps.torn_tail = 1; /* only more of the last commit follows: a torn write */
        break;
    }
    if (ps.torn_tail) sp_log("kv: ignored a torn last commit after byte %llu of half %u", (unsigned long long)tail, active);
    ps.corrupt_records += corrupt_payloads;
    *last_seq = expect - 1;
    *max_epoch = last_epoch;
    return (int64_t)tail;
}

void persist_init(void) {
    static uint8_t b0[BS], b1[BS];
    if (sp_disk_count() < 1) {
        go_offline("ERR no disk: writes are disabled");
        return;
    }
    int64_t blocks = sp_disk_blocks(0);
    if (blocks < 2 + 2 * (int64_t)MIN_HALF_BLOCKS) {
        go_offline("ERR disk 0 is too small for kv: writes are disabled");
        return;
    }
    disk_blocks = (uint64_t)blocks;
    if (sp_disk_read(0, 0, 1, b0) < 0 || sp_disk_read(0, 1, 1, b1) < 0) {
        go_offline("ERR disk 0 superblocks unreadable: writes are disabled");
        return;
    }
    struct superblock s0, s1, *sb = NULL;
    int v0 = parse_superblock(b0, &s0), v1 = parse_superblock(b1, &s1);
    if (v0 == 1 && (v1 != 1 || s0.seq > s1.seq)) sb = &s0;
    else if (v1 == 1) sb = &s1;
    if (sb && (v0 == -1 || v1 == -1)) {
        ps.sb_damaged = 1;
        sp_log("kv: one superblock slot of disk 0 is corrupt; using the other (seq %llu)", (unsigned long long)sb->seq);
    }
    uint64_t last_seq = 0, max_epoch = 0;
    int64_t tail = 0;
    if (sb == NULL) {
        if (v0 == -1 || v1 == -1) {
            go_offline("ERR disk 0 does not hold a kv store (bad superblocks): writes are disabled");
            return;
        }
        half_blocks = (disk_blocks - 2) / 2; /* all zero: a fresh store */
        half_bytes = half_blocks * BS;
        active = 0;
        half_epoch = 1;
        sb_seq = 0;
        sp_random(&nonce, sizeof nonce);
        sp_log("kv: fresh store on disk 0: two halves of %llu blocks", (unsigned long long)half_blocks);
    } else {
        if (sb->half_blocks < MIN_HALF_BLOCKS || 2 + 2 * sb->half_blocks > disk_blocks) {
            go_offline("ERR disk 0 is smaller than its kv superblock says: writes are disabled");
            return;
        }
        half_blocks = sb->half_blocks;
        half_bytes = half_blocks * BS;
        active = sb->active;
        sb_seq = sb->seq;
        half_epoch = sb->half_epoch;
        sealed_seq = sb->sealed;
        nonce = sb->nonce;
        compactions_total = sb->compactions;
        tail = recover(&last_seq, &max_epoch);
        free(scratch);
        scratch = NULL;
        scratch_cap = 0;
        if (tail < 0) {
            go_offline("OOM the data set on disk 0 does not fit in memory: the store is unavailable");
            incomplete = 1;
            return;
        }
        store_expire_due(UINT32_MAX); /* deadlines that passed while down */
        sp_log("kv: recovered %llu records (%llu keys) from half %u; epoch %llu",
               (unsigned long long)ps.recovered, (unsigned long long)store_count(), active,
               (unsigned long long)sb_seq);
    }
    /* A new epoch for this boot's records; what was recovered is now sealed.
     * The superblock goes to the slot other than the one just read. */
    uint64_t loaded = sb ? sb->seq : 0;
    sb_seq = (sb_seq > max_epoch ? sb_seq : max_epoch) + 1;
    if (sb && (sb_seq & 1) == (loaded & 1)) sb_seq++;
    epoch = sb_seq;
    sealed_seq = last_seq;
    whalf = active;
    wpos = round_block((uint64_t)tail);
    stage_block = wpos / BS;
    next_seq = last_seq + 1;
    write_superblock();
}

size_t persist_info(char *buf, size_t cap) {
    return (size_t)snprintf(buf, cap,
        "loading:0\r\n"
        "kv_disk_status:%s\r\n"
        "kv_disk_blocks:%llu\r\n"
        "kv_disk_half_bytes:%llu\r\n"
        "kv_disk_capacity_bytes:%llu\r\n"
        "kv_disk_log_bytes:%llu\r\n"
        "kv_disk_live_bytes:%llu\r\n"
        "kv_disk_overhead_factor:2\r\n"
        "kv_disk_log_limit:2*live+%llu\r\n"
        "kv_disk_active_half:%u\r\n"
        "kv_disk_epoch:%llu\r\n"
        "kv_disk_bytes_written:%llu\r\n"
        "kv_disk_flushes:%llu\r\n"
        "kv_compactions:%llu\r\n"
        "kv_compactions_total:%llu\r\n"
        "kv_last_compaction_ms:%llu\r\n"
        "kv_records_recovered:%llu\r\n"
        "kv_corrupt_records:%llu\r\n"
        "kv_corrupt_regions:%llu\r\n"
        "kv_torn_tail_ignored:%llu\r\n"
        "kv_superblock_damaged:%llu\r\n"
        "kv_disk_full_errors:%llu\r\n",
        offline ? offline : "ok", (unsigned long long)disk_blocks, (unsigned long long)half_bytes,
        (unsigned long long)(half_bytes - headroom()), (unsigned long long)wpos,
        (unsigned long long)store_live_bytes(), (unsigned long long)slack(), active, (unsigned long long)epoch,
        (unsigned long long)ps.bytes_written, (unsigned long long)ps.flushes, (unsigned long long)ps.compactions,
        (unsigned long long)compactions_total, (unsigned long long)ps.last_compaction_ms,
        (unsigned long long)ps.recovered, (unsigned long long)ps.corrupt_records,
        (unsigned long long)ps.corrupt_regions, (unsigned long long)ps.torn_tail, (unsigned long long)ps.sb_damaged,
        (unsigned long long)ps.disk_full);
}
