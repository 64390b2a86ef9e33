/*
 * The data commands, with Redis 7's replies and error texts.
 *
 * Every write follows the same order: get the memory it needs, get its disk
 * record admitted (wal_begin), write the record, then change the store. Any
 * failure before the last step leaves the store untouched and becomes an
 * error reply. Each write command writes at most one record, and only when
 * it changes something. Records never refer to a key that had expired (a
 * write to an expired key is logged as a full PUT), so replaying them in
 * order without looking at deadlines gives the same keyspace.
 */
#include <stdlib.h>
#include <string.h>
#include "kv.h"

static const char *const ERR_INT = "ERR value is not an integer or out of range";
static const char *const ERR_SYNTAX = "ERR syntax error";
static const char *const ERR_OOM = "OOM command not allowed: out of memory";

/* ---- write helpers ---- */

static uint64_t live_replacing(const struct entry *old, size_t klen, size_t vlen) {
    uint64_t live = store_live_bytes();
    if (old) live -= store_entry_bytes(old->klen, old->vlen);
    return live + store_entry_bytes(klen, vlen);
}

static void wal_put_entry(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, int64_t exp) {
    wal_u64((uint64_t)exp);
    wal_u32((uint32_t)kl);
    wal_u32((uint32_t)vl);
    wal_bytes(k, kl);
    wal_bytes(v, vl);
}

/* Sets key k to v with deadline exp (0: none). Returns an error reply or NULL. */
static const char *put_value(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, int64_t exp) {
    struct entry *e = store_new_entry(k, kl, v, vl);
    if (e == NULL || (exp && store_reserve_expiry(1) < 0)) {
        store_discard_entry(e);
        return ERR_OOM;
    }
    const char *err = wal_begin(REC_PUT, 16 + (uint64_t)kl + vl, live_replacing(store_find(k, kl), kl, vl));
    if (err) {
        store_discard_entry(e);
        return err;
    }
    wal_put_entry(k, kl, v, vl, exp);
    wal_end();
    e->expire_ms = exp;
    store_install(e);
    return NULL;
}

/* Replaces the value of an existing (unexpired) entry, keeping its deadline. */
static const char *rewrite_value(struct entry *e, const uint8_t *v, size_t vl) {
    if (store_reserve_value(e, vl) < 0) return ERR_OOM;
    const char *err = wal_begin(REC_PUT, 16 + (uint64_t)e->klen + vl, live_replacing(e, e->klen, vl));
    if (err) return err;
    wal_put_entry(e->key, e->klen, v, vl, e->expire_ms);
    wal_end();
    memmove(e->val, v, vl);
    store_set_value_len(e, vl);
    return NULL;
}

static const char *delete_entry(struct entry *e) {
    const char *err = wal_begin(REC_DEL, 4 + (uint64_t)e->klen, store_live_bytes());
    if (err) return err;
    wal_u32(e->klen);
    wal_bytes(e->key, e->klen);
    wal_end();
    store_delete(e);
    return NULL;
}

static const char *set_expire(struct entry *e, int64_t exp) {
    if (exp && store_reserve_expiry(1) < 0) return ERR_OOM;
    const char *err = wal_begin(REC_EXPIRE, 12 + (uint64_t)e->klen, store_live_bytes());
    if (err) return err;
    wal_u64((uint64_t)exp);
    wal_u32(e->klen);
    wal_bytes(e->key, e->klen);
    wal_end();
    store_set_expire(e, exp);
    return NULL;
}

static struct entry *lookup_read(const uint8_t *k, size_t kl) {
    struct entry *e = store_lookup(k, kl);
    if (e) stats.keyspace_hits++;
    else stats.keyspace_misses++;
    return e;
}

static void reply_entry(struct client *c, const struct entry *e) {
    if (e) reply_bulk(c, e->val, e->vlen);
    else reply_nil(c);
}

/* ---- connection and server ---- */

static void cmd_ping(struct client *c) {
    if (c->argc > 2) reply_errorf(c, "ERR wrong number of arguments for 'ping' command");
    else if (c->argc == 2) reply_bulk(c, ARGP(c, 1), ARGL(c, 1));
    else reply_status(c, "PONG");
}

static void cmd_echo(struct client *c) { reply_bulk(c, ARGP(c, 1), ARGL(c, 1)); }

static void cmd_quit(struct client *c) {
    reply_ok(c);
    c->close_after = 1;
}

static void cmd_select(struct client *c) {
    int64_t db;
    if (!parse_ll(ARGP(c, 1), ARGL(c, 1), &db)) reply_error(c, ERR_INT);
    else if (db != 0) reply_error(c, "ERR DB index is out of range");
    else reply_ok(c);
}

static void cmd_dbsize(struct client *c) { reply_int(c, (int64_t)store_count()); }

static void cmd_flushall(struct client *c) {
    if (c->argc > 2 || (c->argc == 2 && !ARGIS(c, 1, "sync") && !ARGIS(c, 1, "async"))) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    const char *err = wal_begin(REC_FLUSH, 0, 0);
    if (err) {
        reply_error(c, err);
        return;
    }
    wal_end();
    store_flush();
    reply_ok(c);
}

/* ---- strings ---- */

static void cmd_get(struct client *c) { reply_entry(c, lookup_read(ARGP(c, 1), ARGL(c, 1))); }

static void cmd_strlen(struct client *c) {
    struct entry *e = lookup_read(ARGP(c, 1), ARGL(c, 1));
    reply_int(c, e ? e->vlen : 0);
}

static void cmd_type(struct client *c) { reply_status(c, store_lookup(ARGP(c, 1), ARGL(c, 1)) ? "string" : "none"); }

enum { SET_NX = 1, SET_XX = 2, SET_GET = 4, SET_KEEPTTL = 8, SET_EX = 16, SET_PX = 32, SET_EXAT = 64, SET_PXAT = 128 };

/* Parses an expire argument like Redis's getExpireMillisecondsOrReply: absolute ms, or 0 after replying. */
static int64_t expire_arg(struct client *c, uint32_t i, int flags, const char *cmd) {
    int64_t v;
    if (!parse_ll(ARGP(c, i), ARGL(c, i), &v)) {
        reply_error(c, ERR_INT);
        return 0;
    }
    int seconds = flags & (SET_EX | SET_EXAT);
    if (v <= 0 || (seconds && v > INT64_MAX / 1000)) goto invalid;
    if (seconds) v *= 1000;
    if (flags & (SET_EX | SET_PX)) {
        if (v > INT64_MAX - now_ms) goto invalid;
        v += now_ms;
    }
    return v;
invalid:
    reply_errorf(c, "ERR invalid expire time in '%s' command", cmd);
    return 0;
}

/* SET, SETNX, SETEX, PSETEX, GETSET: the shared core (Redis's setGenericCommand). */
static void set_generic(struct client *c, uint32_t ki, uint32_t vi, int flags, int64_t exp) {
    const uint8_t *k = ARGP(c, ki);
    size_t kl = ARGL(c, ki);
    struct entry *old = store_lookup(k, kl);
    if ((flags & SET_NX && old) || (flags & SET_XX && !old)) {
        if (flags & SET_GET) reply_entry(c, old);
        else reply_nil(c);
        return;
    }
    if ((flags & SET_KEEPTTL) && old) exp = old->expire_ms;
    /* With GET the old value is replied; copy it first, the SET frees it. */
    uint8_t *prev = NULL;
    size_t prev_len = 0;
    if ((flags & SET_GET) && old) {
        prev_len = old->vlen;
        prev = malloc(prev_len ? prev_len : 1);
        if (prev == NULL) {
            reply_error(c, ERR_OOM);
            return;
        }
        memcpy(prev, old->val, prev_len);
    }
    const char *err = put_value(k, kl, ARGP(c, vi), ARGL(c, vi), exp);
    if (err) reply_error(c, err);
    else if (!(flags & SET_GET)) reply_ok(c);
    else if (old) reply_bulk(c, prev, prev_len);
    else reply_nil(c);
    free(prev);
}

static void cmd_set(struct client *c) {
    int flags = 0;
    uint32_t exp_arg = 0;
    for (uint32_t j = 3; j < c->argc; j++) {
        int next = j + 1 < c->argc;
        int ttl = flags & (SET_EX | SET_PX | SET_EXAT | SET_PXAT);
        if (ARGIS(c, j, "nx") && !(flags & SET_XX)) flags |= SET_NX;
        else if (ARGIS(c, j, "xx") && !(flags & SET_NX)) flags |= SET_XX;
        else if (ARGIS(c, j, "get")) flags |= SET_GET;
        else if (ARGIS(c, j, "keepttl") && !ttl) flags |= SET_KEEPTTL;
        else if (ARGIS(c, j, "ex") && !(flags & SET_KEEPTTL) && !(ttl & ~SET_EX) && next) flags |= SET_EX, exp_arg = ++j;
        else if (ARGIS(c, j, "px") && !(flags & SET_KEEPTTL) && !(ttl & ~SET_PX) && next) flags |= SET_PX, exp_arg = ++j;
        else if (ARGIS(c, j, "exat") && !(flags & SET_KEEPTTL) && !(ttl & ~SET_EXAT) && next) flags |= SET_EXAT, exp_arg = ++j;
        else if (ARGIS(c, j, "pxat") && !(flags & SET_KEEPTTL) && !(ttl & ~SET_PXAT) && next) flags |= SET_PXAT, exp_arg = ++j;
        else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    int64_t exp = 0;
    if (exp_arg && (exp = expire_arg(c, exp_arg, flags, "set")) == 0) return;
    set_generic(c, 1, 2, flags, exp);
}

static void cmd_setnx(struct client *c) {
    if (store_lookup(ARGP(c, 1), ARGL(c, 1))) {
        reply_int(c, 0);
        return;
    }
    const char *err = put_value(ARGP(c, 1), ARGL(c, 1), ARGP(c, 2), ARGL(c, 2), 0);
    if (err) reply_error(c, err);
    else reply_int(c, 1);
}

static void cmd_setex(struct client *c) {
    int64_t exp = expire_arg(c, 2, SET_EX, "setex");
    if (exp) set_generic(c, 1, 3, 0, exp);
}

static void cmd_psetex(struct client *c) {
    int64_t exp = expire_arg(c, 2, SET_PX, "psetex");
    if (exp) set_generic(c, 1, 3, 0, exp);
}

static void cmd_getset(struct client *c) { set_generic(c, 1, 2, SET_GET, 0); }

static void cmd_getdel(struct client *c) {
    struct entry *e = lookup_read(ARGP(c, 1), ARGL(c, 1));
    if (e == NULL) {
        reply_nil(c);
        return;
    }
    const char *err = wal_begin(REC_DEL, 4 + (uint64_t)e->klen, store_live_bytes());
    if (err) {
        reply_error(c, err);
        return;
    }
    wal_u32(e->klen);
    wal_bytes(e->key, e->klen);
    wal_end();
    reply_bulk(c, e->val, e->vlen); /* before the delete frees it */
    store_delete(e);
}

static void cmd_mget(struct client *c) {
    reply_array(c, c->argc - 1);
    for (uint32_t i = 1; i < c->argc; i++) reply_entry(c, lookup_read(ARGP(c, i), ARGL(c, i)));
}

static void cmd_mset(struct client *c) {
    if (c->argc % 2 == 0) {
        reply_errorf(c, "ERR wrong number of arguments for 'mset' command");
        return;
    }
    uint32_t n = (c->argc - 1) / 2;
    struct entry **fresh = malloc(n * sizeof *fresh);
    if (fresh == NULL) {
        reply_error(c, ERR_OOM);
        return;
    }
    uint64_t payload = 0, add = 0, drop = 0;
    uint32_t made = 0;
    for (; made < n; made++) {
        uint32_t k = 1 + 2 * made;
        fresh[made] = store_new_entry(ARGP(c, k), ARGL(c, k), ARGP(c, k + 1), ARGL(c, k + 1));
        if (fresh[made] == NULL) break;
        payload += 16 + (uint64_t)ARGL(c, k) + ARGL(c, k + 1);
        add += store_entry_bytes(ARGL(c, k), ARGL(c, k + 1));
        struct entry *old = store_find(ARGP(c, k), ARGL(c, k));
        if (old) drop += store_entry_bytes(old->klen, old->vlen);
    }
    const char *err = made < n ? ERR_OOM : NULL;
    if (err == NULL) {
        /* A key named twice would count its old size twice: then budget without the savings. */
        int dup = 0;
        for (uint32_t i = 0; i < n && !dup && n <= 64; i++)
            for (uint32_t j = i + 1; j < n && !dup; j++)
                dup = fresh[i]->hash == fresh[j]->hash && fresh[i]->klen == fresh[j]->klen &&
                      memcmp(fresh[i]->key, fresh[j]->key, fresh[i]->klen) == 0;
        if (dup || n > 64) drop = 0;
        uint64_t live = store_live_bytes();
        err = wal_begin(REC_PUT, payload, live + add - (drop < live + add ? drop : 0));
    }
    if (err) {
        for (uint32_t i = 0; i < made; i++) store_discard_entry(fresh[i]);
        free(fresh);
        reply_error(c, err);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = 1 + 2 * i;
        wal_put_entry(ARGP(c, k), ARGL(c, k), ARGP(c, k + 1), ARGL(c, k + 1), 0);
    }
    wal_end();
    for (uint32_t i = 0; i < n; i++) store_install(fresh[i]);
    free(fresh);
    reply_ok(c);
}

static void incr_generic(struct client *c, int64_t by) {
    struct entry *e = store_lookup(ARGP(c, 1), ARGL(c, 1));
    int64_t cur = 0;
    if (e && !parse_ll(e->val, e->vlen, &cur)) {
        reply_error(c, ERR_INT);
        return;
    }
    if ((by < 0 && cur < 0 && by < INT64_MIN - cur) || (by > 0 && cur > 0 && by > INT64_MAX - cur)) {
        reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    char buf[24];
    size_t n = fmt_ll(buf, cur + by);
    const char *err = e ? rewrite_value(e, (uint8_t *)buf, n) : put_value(ARGP(c, 1), ARGL(c, 1), (uint8_t *)buf, n, 0);
    if (err) reply_error(c, err);
    else reply_int(c, cur + by);
}

static void cmd_incr(struct client *c) { incr_generic(c, 1); }
static void cmd_decr(struct client *c) { incr_generic(c, -1); }

static void cmd_incrby(struct client *c) {
    int64_t by;
    if (!parse_ll(ARGP(c, 2), ARGL(c, 2), &by)) reply_error(c, ERR_INT);
    else incr_generic(c, by);
}

static void cmd_decrby(struct client *c) {
    int64_t by;
    if (!parse_ll(ARGP(c, 2), ARGL(c, 2), &by)) reply_error(c, ERR_INT);
    else if (by == INT64_MIN) reply_error(c, "ERR decrement would overflow");
    else incr_generic(c, -by);
}

static void cmd_append(struct client *c) {
    const uint8_t *k = ARGP(c, 1), *s = ARGP(c, 2);
    size_t kl = ARGL(c, 1), sl = ARGL(c, 2);
    struct entry *e = store_lookup(k, kl);
    if (e == NULL) { /* a new key is a PUT: see the top of this file */
        const char *err = put_value(k, kl, s, sl, 0);
        if (err) reply_error(c, err);
        else reply_int(c, (int64_t)sl);
        return;
    }
    size_t len = (size_t)e->vlen + sl;
    if (len > KV_MAX_STRING) {
        reply_error(c, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return;
    }
    if (store_reserve_value(e, len) < 0) {
        reply_error(c, ERR_OOM);
        return;
    }
    const char *err = wal_begin(REC_APPEND, 4 + (uint64_t)kl + sl, live_replacing(e, kl, len));
    if (err) {
        reply_error(c, err);
        return;
    }
    wal_u32((uint32_t)kl);
    wal_bytes(k, kl);
    wal_bytes(s, sl);
    wal_end();
    memcpy(e->val + e->vlen, s, sl);
    store_set_value_len(e, len);
    reply_int(c, (int64_t)len);
}

/* ---- keys ---- */

static void cmd_del(struct client *c) {
    uint64_t payload = 0;
    int any = 0;
    for (uint32_t i = 1; i < c->argc; i++) {
        payload += 4 + (uint64_t)ARGL(c, i);
        if (store_lookup(ARGP(c, i), ARGL(c, i))) any = 1;
    }
    if (!any) {
        reply_int(c, 0);
        return;
    }
    /* One record naming every argument: deleting a missing key replays as a no-op. */
    const char *err = wal_begin(REC_DEL, payload, store_live_bytes());
    if (err) {
        reply_error(c, err);
        return;
    }
    for (uint32_t i = 1; i < c->argc; i++) {
        wal_u32(ARGL(c, i));
        wal_bytes(ARGP(c, i), ARGL(c, i));
    }
    wal_end();
    int64_t n = 0;
    for (uint32_t i = 1; i < c->argc; i++) {
        struct entry *e = store_find(ARGP(c, i), ARGL(c, i));
        if (e) {
            store_delete(e);
            n++;
        }
    }
    reply_int(c, n);
}

static void cmd_exists(struct client *c) {
    int64_t n = 0;
    for (uint32_t i = 1; i < c->argc; i++)
        if (store_lookup(ARGP(c, i), ARGL(c, i))) n++;
    reply_int(c, n);
}

enum { EXP_NX = 1, EXP_XX = 2, EXP_GT = 4, EXP_LT = 8 };

/* EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (Redis's expireGenericCommand). */
static void expire_generic(struct client *c, int64_t base, int seconds, const char *name) {
    int flags = 0;
    for (uint32_t j = 3; j < c->argc; j++) {
        if (ARGIS(c, j, "nx")) flags |= EXP_NX;
        else if (ARGIS(c, j, "xx")) flags |= EXP_XX;
        else if (ARGIS(c, j, "gt")) flags |= EXP_GT;
        else if (ARGIS(c, j, "lt")) flags |= EXP_LT;
        else {
            reply_errorf(c, "ERR Unsupported option %.*s", (int)(ARGL(c, j) > 128 ? 128 : ARGL(c, j)), ARGP(c, j));
            return;
        }
    }
    if ((flags & EXP_NX) && (flags & (EXP_XX | EXP_GT | EXP_LT))) {
        reply_error(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return;
    }
    if ((flags & EXP_GT) && (flags & EXP_LT)) {
        reply_error(c, "ERR GT and LT options at the same time are not compatible");
        return;
    }
    int64_t when;
    if (!parse_ll(ARGP(c, 2), ARGL(c, 2), &when)) {
        reply_error(c, ERR_INT);
        return;
    }
    if ((seconds && (when > INT64_MAX / 1000 || when < INT64_MIN / 1000)) ||
        (when *= seconds ? 1000 : 1, when > INT64_MAX - base)) {
        reply_errorf(c, "ERR invalid expire time in '%s' command", name);
        return;
    }
    when += base;
    struct entry *e = store_lookup(ARGP(c, 1), ARGL(c, 1));
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    int64_t cur = e->expire_ms; /* 0: none, which counts as infinite for GT/LT */
    if (((flags & EXP_NX) && cur) || ((flags & EXP_XX) && !cur) || ((flags & EXP_GT) && (!cur || when <= cur)) ||
        ((flags & EXP_LT) && cur && when >= cur)) {
        reply_int(c, 0);
        return;
    }
    const char *err = when <= now_ms ? delete_entry(e) : set_expire(e, when);
    if (err) reply_error(c, err);
    else reply_int(c, 1);
}

static void cmd_expire(struct client *c) { expire_generic(c, now_ms, 1, "expire"); }
static void cmd_pexpire(struct client *c) { expire_generic(c, now_ms, 0, "pexpire"); }
static void cmd_expireat(struct client *c) { expire_generic(c, 0, 1, "expireat"); }
static void cmd_pexpireat(struct client *c) { expire_generic(c, 0, 0, "pexpireat"); }

static void ttl_generic(struct client *c, int ms) {
    struct entry *e = store_lookup(ARGP(c, 1), ARGL(c, 1));
    if (e == NULL) reply_int(c, -2);
    else if (e->expire_ms == 0) reply_int(c, -1);
    else {
        int64_t ttl = e->expire_ms - now_ms;
        if (ttl < 0) ttl = 0;
        reply_int(c, ms ? ttl : (ttl + 500) / 1000);
    }
}

static void cmd_ttl(struct client *c) { ttl_generic(c, 0); }
static void cmd_pttl(struct client *c) { ttl_generic(c, 1); }

static void cmd_persist(struct client *c) {
    struct entry *e = store_lookup(ARGP(c, 1), ARGL(c, 1));
    if (e == NULL || e->expire_ms == 0) {
        reply_int(c, 0);
        return;
    }
    const char *err = set_expire(e, 0);
    if (err) reply_error(c, err);
    else reply_int(c, 1);
}

static void cmd_keys(struct client *c) {
    const uint8_t *pat = ARGP(c, 1);
    size_t plen = ARGL(c, 1);
    int all = plen == 1 && pat[0] == '*';
    int64_t n = 0;
    uint64_t cur = 0;
    /* Two passes (count, then reply): the array length comes first. */
    for (struct entry *e = store_next(&cur, NULL); e; e = store_next(&cur, e))
        if (!(e->expire_ms && now_ms > e->expire_ms) && (all || glob_match(pat, plen, e->key, e->klen, 0))) n++;
    reply_array(c, n);
    cur = 0;
    for (struct entry *e = store_next(&cur, NULL); e; e = store_next(&cur, e))
        if (!(e->expire_ms && now_ms > e->expire_ms) && (all || glob_match(pat, plen, e->key, e->klen, 0)))
            reply_bulk(c, e->key, e->klen);
}

/* ---- dispatch ---- */

static const struct command commands[] = {
    {"append", 3, "write denyoom", 1, 1, 1, cmd_append},
    {"client", -2, "admin noscript loading stale", 0, 0, 0, cmd_client},
    {"command", -1, "loading stale", 0, 0, 0, cmd_command},
    {"config", -2, "admin noscript loading stale", 0, 0, 0, cmd_config},
    {"dbsize", 1, "readonly fast", 0, 0, 0, cmd_dbsize},
    {"decr", 2, "write denyoom fast", 1, 1, 1, cmd_decr},
    {"decrby", 3, "write denyoom fast", 1, 1, 1, cmd_decrby},
    {"del", -2, "write", 1, -1, 1, cmd_del},
    {"echo", 2, "fast", 0, 0, 0, cmd_echo},
    {"exists", -2, "readonly fast", 1, -1, 1, cmd_exists},
    {"expire", -3, "write fast", 1, 1, 1, cmd_expire},
    {"expireat", -3, "write fast", 1, 1, 1, cmd_expireat},
    {"flushall", -1, "write", 0, 0, 0, cmd_flushall},
    {"flushdb", -1, "write", 0, 0, 0, cmd_flushall},
    {"get", 2, "readonly fast", 1, 1, 1, cmd_get},
    {"getdel", 2, "write fast", 1, 1, 1, cmd_getdel},
    {"getset", 3, "write denyoom fast", 1, 1, 1, cmd_getset},
    {"incr", 2, "write denyoom fast", 1, 1, 1, cmd_incr},
    {"incrby", 3, "write denyoom fast", 1, 1, 1, cmd_incrby},
    {"info", -1, "loading stale", 0, 0, 0, cmd_info},
    {"keys", 2, "readonly", 0, 0, 0, cmd_keys},
    {"mget", -2, "readonly fast", 1, -1, 1, cmd_mget},
    {"mset", -3, "write denyoom", 1, -1, 2, cmd_mset},
    {"persist", 2, "write fast", 1, 1, 1, cmd_persist},
    {"pexpire", -3, "write fast", 1, 1, 1, cmd_pexpire},
    {"pexpireat", -3, "write fast", 1, 1, 1, cmd_pexpireat},
    {"ping", -1, "fast", 0, 0, 0, cmd_ping},
    {"psetex", 4, "write denyoom", 1, 1, 1, cmd_psetex},
    {"pttl", 2, "readonly fast", 1, 1, 1, cmd_pttl},
    {"quit", -1, "allow_busy loading stale fast", 0, 0, 0, cmd_quit},
    {"select", 2, "loading stale fast", 0, 0, 0, cmd_select},
    {"set", -3, "write denyoom", 1, 1, 1, cmd_set},
    {"setex", 4, "write denyoom", 1, 1, 1, cmd_setex},
    {"setnx", 3, "write denyoom fast", 1, 1, 1, cmd_setnx},
    {"strlen", 2, "readonly fast", 1, 1, 1, cmd_strlen},
    {"ttl", 2, "readonly fast", 1, 1, 1, cmd_ttl},
    {"type", 2, "readonly fast", 1, 1, 1, cmd_type},
};

const struct command *cmd_table(uint32_t *count) {
    *count = sizeof commands / sizeof commands[0];
    return commands;
}

/* printf's %.*s stops at a NUL byte, as Redis's does: mimic it for echoed arguments. */
static int echo_len(const uint8_t *p, size_t len, size_t max) {
    size_t n = 0;
    while (n < len && n < max && p[n]) n++;
    return (int)n;
}

void cmd_execute(struct client *c) {
    /* Every request looks its command up: compare length and first letter before the names. */
    static size_t name_len[sizeof commands / sizeof commands[0]];
    if (name_len[0] == 0)
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) name_len[i] = strlen(commands[i].name);
    const struct command *cmd = NULL;
    size_t len = ARGL(c, 0);
    uint8_t first = len ? (uint8_t)(ARGP(c, 0)[0] | 0x20) : 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (name_len[i] == len && (uint8_t)commands[i].name[0] == first && ARGIS(c, 0, commands[i].name)) {
            cmd = &commands[i];
            break;
        }
    if (cmd == NULL) {
        char args[300];
        size_t n = 0;
        for (uint32_t i = 1; i < c->argc && n < 128; i++) {
            int len = echo_len(ARGP(c, i), ARGL(c, i), 128 - n);
            args[n++] = '\'';
            memcpy(args + n, ARGP(c, i), (size_t)len);
            n += (size_t)len;
            args[n++] = '\'';
            args[n++] = ' ';
        }
        args[n] = 0;
        reply_errorf(c, "ERR unknown command '%.*s', with args beginning with: %s",
                     echo_len(ARGP(c, 0), ARGL(c, 0), 128), ARGP(c, 0), args);
        return;
    }
    if ((cmd->arity > 0 && c->argc != (uint32_t)cmd->arity) || (cmd->arity < 0 && c->argc < (uint32_t)-cmd->arity)) {
        reply_errorf(c, "ERR wrong number of arguments for '%s' command", cmd->name);
        return;
    }
    /* A partly loaded data set would give wrong answers: refuse key access altogether. */
    const char *unavailable = persist_unavailable();
    if (unavailable && (strstr(cmd->flags, "write") || strstr(cmd->flags, "readonly"))) {
        reply_error(c, unavailable);
        return;
    }
    stats.commands_processed++;
    cmd->run(c);
}
