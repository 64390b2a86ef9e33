/* Small helpers shared by the parser and the commands: Redis glob, integers. */
#include <string.h>
#include "kv.h"

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

/*
 * Does the single-character token at pat[*pi] (a literal, '?', "\x" or a
 * [class]) match c? Advances *pi past the token. Same rules as Redis's
 * stringmatchlen, including an unclosed '[' running to the pattern's end.
 */
static int token_match(const uint8_t *pat, size_t plen, size_t *pi, uint8_t c, int nocase) {
    size_t i = *pi;
    if (nocase) c = lower(c);
    if (pat[i] == '?') {
        *pi = i + 1;
        return 1;
    }
    if (pat[i] == '[') {
        i++;
        int negate = i < plen && pat[i] == '^';
        if (negate) i++;
        int match = 0;
        while (i < plen && pat[i] != ']') {
            if (pat[i] == '\\' && i + 1 < plen) {
                i++;
                if ((nocase ? lower(pat[i]) : pat[i]) == c) match = 1;
            } else if (i + 2 < plen && pat[i + 1] == '-') {
                uint8_t lo = pat[i], hi = pat[i + 2];
                if (nocase) lo = lower(lo), hi = lower(hi);
                if (lo > hi) {
                    uint8_t t = lo;
                    lo = hi;
                    hi = t;
                }
                if (c >= lo && c <= hi) match = 1;
                i += 2;
            } else if ((nocase ? lower(pat[i]) : pat[i]) == c) {
                match = 1;
            }
            i++;
        }
        *pi = i < plen ? i + 1 : plen; /* past ']' */
        return negate ? !match : match;
    }
    if (pat[i] == '\\' && i + 1 < plen) i++;
    *pi = i + 1;
    return (nocase ? lower(pat[i]) : pat[i]) == c;
}

/*
 * Glob match without recursion: every token but '*' consumes exactly one
 * character, so backtracking to the last '*' is enough (O(len(p) * len(s))
 * at worst, and no stack depth for a client to exhaust).
 */
int glob_match(const uint8_t *pat, size_t plen, const uint8_t *s, size_t slen, int nocase) {
    size_t p = 0, i = 0, star_p = 0, star_i = 0;
    int have_star = 0;
    while (i < slen) {
        if (p < plen && pat[p] == '*') {
            while (p < plen && pat[p] == '*') p++;
            if (p == plen) return 1;
            have_star = 1;
            star_p = p;
            star_i = i;
            continue;
        }
        if (p < plen) {
            size_t np = p;
            if (token_match(pat, plen, &np, s[i], nocase)) {
                p = np;
                i++;
                continue;
            }
        }
        if (!have_star) return 0;
        p = star_p;
        i = ++star_i;
    }
    while (p < plen && pat[p] == '*') p++;
    return p == plen;
}

int parse_ll(const uint8_t *s, size_t len, int64_t *out) {
    if (len == 0 || len >= 21) return 0;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    size_t i = 0;
    int neg = s[0] == '-';
    if (neg && ++i == len) return 0;
    if (s[i] < '1' || s[i] > '9') return 0;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        if (v > UINT64_MAX / 10) return 0;
        v *= 10;
        if (v > UINT64_MAX - (uint64_t)(s[i] - '0')) return 0;
        v += (uint64_t)(s[i] - '0');
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return 0;
        *out = (int64_t)(0 - v);
    } else {
        if (v > (uint64_t)INT64_MAX) return 0;
        *out = (int64_t)v;
    }
    return 1;
}

int eq_nocase(const uint8_t *s, size_t len, const char *word) {
    size_t n = strlen(word);
    if (n != len) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lower((uint8_t)word[i])) return 0;
    return 1;
}

/* Decimal digits of v into buf (no terminator); returns the length (<= 20). */
size_t fmt_ll(char *buf, int64_t v) {
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    return len;
}
