/*
 * kv: a Redis-protocol (RESP2) string store that keeps its data on disk 0.
 *
 * Module map:
 *   main.c      handlers: connections, per-event commit, expiry timer
 *   resp.c      request parser (multibulk + inline) and reply buffers
 *   commands.c  the data commands
 *   admin.c     INFO, CONFIG, COMMAND, CLIENT
 *   store.c     hash table, expiry heap, live-size accounting
 *   persist.c   on-disk record log, recovery, compaction
 *   util.c      Redis glob matching, integer parsing;  crc32c.c  CRC32C
 *
 * Single-threaded and event-driven: one handler runs at a time, so there is
 * no locking anywhere. Time is read once per handler (now_ms) so that a
 * command sees one consistent clock and the log holds one clock entry per
 * event.
 */
#ifndef KV_H
#define KV_H

#include <stddef.h>
#include <stdint.h>
#include "sitepair.h"

/* ---- limits (Redis's names in parentheses) ---- */
#define KV_MAX_BULK      (16u << 20)  /* largest bulk string (proto-max-bulk-len) */
#define KV_MAX_MULTIBULK (1u << 20)   /* most arguments in one request */
#define KV_MAX_INLINE    (64u << 10)  /* longest inline request or count line */
#define KV_MAX_QUERYBUF  (64u << 20)  /* one client's unparsed input (client-query-buffer-limit) */
#define KV_MAX_STRING    KV_MAX_BULK  /* APPEND may not grow a value beyond this */
#define KV_OUT_SPILL     (256u << 10) /* send a client's replies early beyond this */

/* ---- shared state (main.c) ---- */
extern int64_t now_ms; /* clock at the start of the current handler */

struct stats {
    uint64_t connections_received, commands_processed, net_input_bytes, net_output_bytes;
    uint64_t keyspace_hits, keyspace_misses, expired_keys, error_replies, rejected_calls;
    int64_t boot_ms;
};
extern struct stats stats;
extern uint8_t run_id[41];
uint32_t connected_clients(void);

/* ---- clients and replies (resp.c) ---- */
struct arg {
    uint32_t off, len; /* a slice of the client's input buffer */
};

struct client {
    int32_t id;
    struct client *next; /* hash chain in main.c */
    /* input: bytes [0, ilen) of ibuf; parsing resumes at ipos */
    uint8_t *ibuf;
    size_t ilen, icap, ipos, cmd_start;
    int64_t mb_left;  /* multibulk arguments still to read, 0 between requests */
    int64_t bulk_len; /* length of the bulk being read, -1 before its $ line */
    uint32_t argc, argv_cap;
    struct arg *argv;
    /* output: replies of the current event, sent after the disk commit */
    uint8_t *obuf;
    size_t olen, ocap;
    int close_after; /* QUIT or a protocol error: close once replies are out */
    char name[64];
};

/* Parses and runs every complete request in c's input (calls cmd_execute). */
void resp_process(struct client *c);
void client_free_buffers(struct client *c);
/* Sends c's buffered replies now, after committing pending disk records. */
void client_spill(struct client *c);

void reply_raw(struct client *c, const void *data, size_t len);
void reply_str(struct client *c, const char *s); /* raw C string */
void reply_status(struct client *c, const char *s); /* +s */
void reply_error(struct client *c, const char *s);  /* -s (s includes the code, e.g. "ERR ...") */
void reply_errorf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(struct client *c, int64_t v);
void reply_bulk(struct client *c, const void *data, size_t len);
void reply_cbulk(struct client *c, const char *s);
void reply_nil(struct client *c);
void reply_array(struct client *c, int64_t n);
void reply_ok(struct client *c);

/* ---- commands (commands.c, admin.c) ---- */
#define ARGP(c, i) ((c)->ibuf + (c)->argv[i].off)
#define ARGL(c, i) ((size_t)(c)->argv[i].len)
#define ARGIS(c, i, word) eq_nocase(ARGP(c, i), ARGL(c, i), word)

struct command {
    const char *name; /* lower case */
    int arity;        /* Redis convention: n exact, -n at least n (name included) */
    const char *flags; /* COMMAND flags, space separated */
    int first_key, last_key, key_step;
    void (*run)(struct client *c);
};

void cmd_execute(struct client *c);
const struct command *cmd_table(uint32_t *count);
void cmd_info(struct client *c);
void cmd_config(struct client *c);
void cmd_command(struct client *c);
void cmd_client(struct client *c);

/* ---- store (store.c) ---- */
struct entry {
    struct entry *next; /* hash chain */
    uint64_t hash;
    int64_t expire_ms;  /* 0: no expiry; expired once now_ms > expire_ms (as Redis) */
    uint32_t heap_idx;  /* 1-based position in the expiry heap, 0 if not there */
    uint32_t klen, vlen, vcap;
    uint8_t *val;
    uint8_t key[];
};

void store_init(const uint8_t seed[16]);
struct entry *store_find(const uint8_t *k, size_t kl);   /* ignores expiry */
struct entry *store_lookup(const uint8_t *k, size_t kl); /* expires lazily */
/* A detached entry holding a copy of key and value, or NULL (out of memory). */
struct entry *store_new_entry(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl);
void store_discard_entry(struct entry *e);
/* Replaces any entry with the same key by e (takes ownership). Needs
 * store_reserve_expiry() first if e->expire_ms != 0. */
void store_install(struct entry *e);
void store_delete(struct entry *e);
int store_reserve_value(struct entry *e, size_t vlen); /* 0 or -1 (out of memory) */
void store_set_value_len(struct entry *e, size_t vlen); /* after writing into e->val */
int store_reserve_expiry(size_t more);                 /* room for more heap entries */
void store_set_expire(struct entry *e, int64_t expire_ms); /* needs reserve if adding */
void store_flush(void);
/* Deletes up to `budget` expired keys; returns how many. */
uint32_t store_expire_due(uint32_t budget);
int64_t store_next_expiry(void); /* earliest deadline, 0 if none */
uint64_t store_count(void);
uint64_t store_expires(void);
uint64_t store_memory(void);
/* Bytes the compacted log needs for the current data set, and for one entry. */
uint64_t store_live_bytes(void);
uint64_t store_entry_bytes(size_t klen, size_t vlen);
/* Iteration (no mutation while iterating): *cursor starts at 0. */
struct entry *store_next(uint64_t *cursor, struct entry *prev);

/* ---- persistence (persist.c) ---- */
void persist_init(void);
/* Non-NULL (the error reply) if the store could not load the disk's data set. */
const char *persist_unavailable(void);
/* Starts a record; on refusal returns the error reply text (no record). */
const char *wal_begin(uint8_t type, uint64_t payload_len, uint64_t live_after);
void wal_bytes(const void *p, size_t n);
void wal_u32(uint32_t v);
void wal_u64(uint64_t v);
void wal_end(void);
void persist_commit(void);      /* write + flush what this event appended */
void persist_after_event(void); /* compaction when the log has grown too much */
/* Appends the INFO persistence fields ("name:value\r\n" lines). */
size_t persist_info(char *buf, size_t cap);

/* Record types (payloads little-endian; see persist.c). */
enum {
    REC_PUT = 1,    /* { u64 expire_ms, u32 klen, u32 vlen, key, value }+ */
    REC_DEL = 2,    /* { u32 klen, key }+ */
    REC_EXPIRE = 3, /* u64 expire_ms (0: persist), u32 klen, key */
    REC_APPEND = 4, /* u32 klen, key, suffix */
    REC_FLUSH = 5,  /* empty */
};

/* ---- utilities ---- */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);
int glob_match(const uint8_t *pat, size_t plen, const uint8_t *s, size_t slen, int nocase);
/* Redis string2ll: strict decimal, no spaces, no leading '+' or zeros. */
int parse_ll(const uint8_t *s, size_t len, int64_t *out);
int eq_nocase(const uint8_t *s, size_t len, const char *word);
size_t fmt_ll(char *buf, int64_t v);

#endif
