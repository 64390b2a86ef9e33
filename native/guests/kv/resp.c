/*
 * RESP2 requests and replies.
 *
 * Requests are parsed incrementally: a request may arrive in any number of
 * data events and many may arrive in one. Arguments are slices of the
 * client's input buffer (no copies); the buffer is compacted once per event,
 * keeping only the unfinished request. Malformed input gets the error Redis
 * gives, then the connection is closed, as Redis does for protocol errors.
 *
 * Replies collect in a per-client buffer and leave only after the event's
 * disk records are durable (main.c); client_spill() is the early exit for
 * large replies, and it commits first, so no reply overtakes its record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kv.h"

enum { PARSED = 0, INCOMPLETE = 1, FAILED = 2 };

/* ---- replies ---- */

static void send_direct(struct client *c, const uint8_t *p, size_t len) {
    stats.net_output_bytes += len;
    while (len > 0) {
        uint32_t n = len > (1u << 20) ? (1u << 20) : (uint32_t)len;
        sp_send(c->id, p, n); /* fails only if the client is gone: nothing to do */
        p += n;
        len -= n;
    }
}

void client_spill(struct client *c) {
    persist_commit();
    if (c->olen) send_direct(c, c->obuf, c->olen);
    c->olen = 0;
}

void reply_raw(struct client *c, const void *data, size_t len) {
    if (len >= (64u << 10)) { /* large payloads skip the copy */
        client_spill(c);
        send_direct(c, data, len);
        return;
    }
    if (c->olen + len > c->ocap) {
        size_t cap = c->ocap ? c->ocap * 2 : 1024;
        while (cap < c->olen + len) cap *= 2;
        uint8_t *p = realloc(c->obuf, cap);
        if (p == NULL) { /* out of memory: send what is buffered, then this */
            client_spill(c);
            if (len > c->ocap) {
                send_direct(c, data, len);
                return;
            }
        } else {
            c->obuf = p;
            c->ocap = cap;
        }
    }
    memcpy(c->obuf + c->olen, data, len);
    c->olen += len;
    if (c->olen >= KV_OUT_SPILL) client_spill(c);
}

void reply_str(struct client *c, const char *s) { reply_raw(c, s, strlen(s)); }

static void reply_line(struct client *c, char type, const char *s) {
    char head = type;
    reply_raw(c, &head, 1);
    reply_str(c, s);
    reply_raw(c, "\r\n", 2);
}

void reply_status(struct client *c, const char *s) { reply_line(c, '+', s); }
void reply_ok(struct client *c) { reply_raw(c, "+OK\r\n", 5); }
void reply_nil(struct client *c) { reply_raw(c, "$-1\r\n", 5); }

void reply_error(struct client *c, const char *s) {
    stats.error_replies++;
    reply_line(c, '-', s);
}

void reply_errorf(struct client *c, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    /* Echoed arguments must not break the reply's framing (Redis does the same). */
    for (char *p = msg; *p; p++)
        if (*p == '\r' || *p == '\n') *p = ' ';
    reply_error(c, msg);
}

static void reply_prefixed(struct client *c, char type, int64_t v) {
    char buf[32];
    buf[0] = type;
    size_t n = 1 + fmt_ll(buf + 1, v);
    buf[n++] = '\r';
    buf[n++] = '\n';
    reply_raw(c, buf, n);
}

void reply_int(struct client *c, int64_t v) { reply_prefixed(c, ':', v); }
void reply_array(struct client *c, int64_t n) { reply_prefixed(c, '*', n); }

void reply_bulk(struct client *c, const void *data, size_t len) {
    reply_prefixed(c, '$', (int64_t)len);
    reply_raw(c, data, len);
    reply_raw(c, "\r\n", 2);
}

void reply_cbulk(struct client *c, const char *s) { reply_bulk(c, s, strlen(s)); }

/* ---- requests ---- */

static int protocol_error(struct client *c, const char *msg) {
    reply_errorf(c, "ERR Protocol error: %s", msg);
    c->close_after = 1;
    return FAILED;
}

static int push_arg(struct client *c, size_t off, size_t len) {
    if (c->argc == c->argv_cap) {
        uint32_t cap = c->argv_cap ? c->argv_cap * 2 : 8;
        struct arg *a = realloc(c->argv, cap * sizeof *a);
        if (a == NULL) {
            reply_error(c, "OOM out of memory parsing the request");
            c->close_after = 1;
            return FAILED;
        }
        c->argv = a;
        c->argv_cap = cap;
    }
    c->argv[c->argc].off = (uint32_t)off;
    c->argv[c->argc].len = (uint32_t)len;
    c->argc++;
    return PARSED;
}

static int hexval(uint8_t ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int is_blank(uint8_t ch) { return ch == ' ' || (ch >= '\t' && ch <= '\r'); }

/*
 * Splits an inline request line like Redis's sdssplitargs ("..." with \n,
 * \xHH escapes, '...' with \'), decoding in place: the decoded form is never
 * longer than the text, so the write position never passes the read one.
 * A NUL byte ends the line, as it ends the C string Redis splits.
 */
static int split_inline(struct client *c, size_t start, size_t end) {
    uint8_t *b = c->ibuf;
    size_t p = start;
    for (size_t i = start; i < end; i++)
        if (b[i] == 0) {
            end = i;
            break;
        }
    for (;;) {
        while (p < end && is_blank(b[p])) p++;
        if (p >= end) return PARSED;
        size_t out = p, arg = p;
        int dq = 0, sq = 0, done = 0;
        while (!done) {
            uint8_t ch = p < end ? b[p] : 0;
            uint8_t nx = p + 1 < end ? b[p + 1] : 0;
            if (dq) {
                if (ch == '\\' && nx == 'x' && p + 3 < end && hexval(b[p + 2]) >= 0 && hexval(b[p + 3]) >= 0) {
                    b[out++] = (uint8_t)(hexval(b[p + 2]) * 16 + hexval(b[p + 3]));
                    p += 3;
                } else if (ch == '\\' && nx) {
                    p++;
                    uint8_t e = b[p];
                    b[out++] = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'b' ? '\b' : e == 'a' ? '\a' : e;
                } else if (ch == '"') {
                    if (nx && !is_blank(nx)) return protocol_error(c, "unbalanced quotes in request");
                    done = 1;
                } else if (!ch) {
                    return protocol_error(c, "unbalanced quotes in request");
                } else {
                    b[out++] = ch;
                }
            } else if (sq) {
                if (ch == '\\' && nx == '\'') {
                    p++;
                    b[out++] = '\'';
                } else if (ch == '\'') {
                    if (nx && !is_blank(nx)) return protocol_error(c, "unbalanced quotes in request");
                    done = 1;
                } else if (!ch) {
                    return protocol_error(c, "unbalanced quotes in request");
                } else {
                    b[out++] = ch;
                }
            } else if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == 0) {
                done = 1;
            } else if (ch == '"') {
                dq = 1;
            } else if (ch == '\'') {
                sq = 1;
            } else {
                b[out++] = ch;
            }
            if (p < end) p++;
        }
        if (push_arg(c, arg, out - arg) != PARSED) return FAILED;
    }
}

static int parse_inline(struct client *c) {
    size_t avail = c->ilen - c->ipos;
    uint8_t *line = c->ibuf + c->ipos;
    uint8_t *nl = memchr(line, '\n', avail);
    if (nl == NULL) {
        if (avail > KV_MAX_INLINE) return protocol_error(c, "too big inline request");
        return INCOMPLETE;
    }
    size_t end = (size_t)(nl - c->ibuf);
    size_t next = end + 1;
    if (end > c->ipos && c->ibuf[end - 1] == '\r') end--;
    c->argc = 0;
    int r = split_inline(c, c->ipos, end);
    c->ipos = next;
    return r;
}

/* The line starting at c->ipos, ended by "\r\n" (Redis looks for '\r' only). */
static int count_line(struct client *c, const char *too_big, int64_t *value, size_t *after) {
    size_t avail = c->ilen - c->ipos;
    uint8_t *cr = memchr(c->ibuf + c->ipos, '\r', avail);
    if (cr == NULL) {
        if (avail > KV_MAX_INLINE) return protocol_error(c, too_big);
        return INCOMPLETE;
    }
    size_t at = (size_t)(cr - c->ibuf);
    if (at + 1 >= c->ilen) return INCOMPLETE; /* wait for the '\n' */
    if (!parse_ll(c->ibuf + c->ipos + 1, at - c->ipos - 1, value)) *value = INT64_MIN;
    *after = at + 2;
    return PARSED;
}

static int parse_multibulk(struct client *c) {
    if (c->mb_left == 0) { /* the "*<count>" line */
        int64_t n;
        size_t after;
        int r = count_line(c, "too big mbulk count string", &n, &after);
        if (r != PARSED) return r;
        if (n == INT64_MIN || n > (int64_t)KV_MAX_MULTIBULK) return protocol_error(c, "invalid multibulk length");
        c->ipos = after;
        c->argc = 0;
        if (n <= 0) return PARSED; /* empty request: nothing to run */
        c->mb_left = n;
        c->bulk_len = -1;
    }
    while (c->mb_left > 0) {
        if (c->bulk_len < 0) {
            int64_t n;
            size_t after;
            int r = count_line(c, "too big bulk count string", &n, &after);
            if (r != PARSED) return r;
            if (c->ibuf[c->ipos] != '$') {
                char msg[64];
                uint8_t got = c->ibuf[c->ipos];
                snprintf(msg, sizeof msg, "expected '$', got '%c'", got ? got : ' ');
                return protocol_error(c, msg);
            }
            if (n == INT64_MIN || n < 0 || n > (int64_t)KV_MAX_BULK) return protocol_error(c, "invalid bulk length");
            c->ipos = after;
            c->bulk_len = n;
        }
        /* Like Redis, the two bytes after the data are skipped unchecked. */
        if (c->ilen - c->ipos < (size_t)c->bulk_len + 2) return INCOMPLETE;
        if (push_arg(c, c->ipos, (size_t)c->bulk_len) != PARSED) return FAILED;
        c->ipos += (size_t)c->bulk_len + 2;
        c->bulk_len = -1;
        c->mb_left--;
    }
    return PARSED;
}

void resp_process(struct client *c) {
    while (!c->close_after) {
        if (c->mb_left == 0) {
            c->cmd_start = c->ipos;
            c->argc = 0;
            if (c->ipos >= c->ilen) break;
        }
        int r = (c->mb_left > 0 || c->ibuf[c->ipos] == '*') ? parse_multibulk(c) : parse_inline(c);
        if (r != PARSED) break;
        if (c->mb_left == 0 && c->argc > 0) {
            cmd_execute(c);
            c->argc = 0;
        }
    }
    /* Keep only the unfinished request, at the start of the buffer. */
    size_t keep_from = c->close_after ? c->ilen : c->mb_left > 0 ? c->cmd_start : c->ipos;
    if (keep_from > 0) {
        memmove(c->ibuf, c->ibuf + keep_from, c->ilen - keep_from);
        c->ilen -= keep_from;
        c->ipos -= keep_from < c->ipos ? keep_from : c->ipos;
        for (uint32_t i = 0; i < c->argc; i++) c->argv[i].off -= (uint32_t)keep_from;
        c->cmd_start = 0;
    }
    if (c->ilen == 0 && c->icap > (64u << 10)) { /* give back a big idle buffer */
        free(c->ibuf);
        c->ibuf = NULL;
        c->icap = 0;
    }
    if (c->argc == 0 && c->argv_cap > 1024) {
        free(c->argv);
        c->argv = NULL;
        c->argv_cap = 0;
    }
}

void client_free_buffers(struct client *c) {
    free(c->ibuf);
    free(c->obuf);
    free(c->argv);
    c->ibuf = c->obuf = NULL;
    c->argv = NULL;
}
