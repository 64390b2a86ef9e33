/*
 * Introspection commands: INFO, CONFIG, COMMAND, CLIENT. Enough of each for
 * redis-cli, redis-benchmark and the common client libraries, which probe
 * them on connect; numbers in INFO are the store's real ones.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kv.h"

#ifndef KV_MAX_MEMORY
#define KV_MAX_MEMORY 0
#endif

/* ---- INFO ---- */

struct text {
    char *p;
    size_t len, cap;
    int oom;
};

static void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...) {
    for (int attempt = 0; attempt < 2 && !t->oom; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (t->p && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 2048;
        while (cap <= t->len + (size_t)n) cap *= 2;
        char *p = realloc(t->p, cap);
        if (p == NULL) t->oom = 1;
        else t->p = p, t->cap = cap;
    }
}

static void human_bytes(char *buf, size_t cap, uint64_t n) {
    double d = (double)n;
    if (n < 1024) snprintf(buf, cap, "%lluB", (unsigned long long)n);
    else if (n < (1u << 20)) snprintf(buf, cap, "%.2fK", d / 1024);
    else if (n < (1u << 30)) snprintf(buf, cap, "%.2fM", d / (1 << 20));
    else snprintf(buf, cap, "%.2fG", d / (1 << 30));
}

static int wants(struct client *c, const char *section) {
    if (c->argc == 1) return 1;
    for (uint32_t i = 1; i < c->argc; i++)
        if (ARGIS(c, i, section) || ARGIS(c, i, "all") || ARGIS(c, i, "default") || ARGIS(c, i, "everything"))
            return 1;
    return 0;
}

static void section(struct text *t, const char *name) { text_printf(t, "%s# %s\r\n", t->len ? "\r\n" : "", name); }

void cmd_info(struct client *c) {
    struct text t = {0};
    int64_t up = (now_ms - stats.boot_ms) / 1000;
    char h1[32], h2[32];
    if (wants(c, "server")) {
        section(&t, "Server");
        text_printf(&t,
                    "redis_version:7.0.0\r\nkv_version:1\r\nredis_mode:standalone\r\nos:sitepair wasm32 guest\r\n"
                    "arch_bits:32\r\nmultiplexing_api:sitepair\r\nprocess_id:1\r\nrun_id:%s\r\n"
                    "server_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n",
                    (const char *)run_id, (long long)now_ms * 1000, (long long)up, (long long)(up / 86400));
    }
    if (wants(c, "clients")) {
        section(&t, "Clients");
        text_printf(&t, "connected_clients:%u\r\nblocked_clients:0\r\n", connected_clients());
    }
    if (wants(c, "memory")) {
        uint64_t used = store_memory(), rss = (uint64_t)__builtin_wasm_memory_size(0) * 65536;
        human_bytes(h1, sizeof h1, used);
        human_bytes(h2, sizeof h2, rss);
        section(&t, "Memory");
        text_printf(&t,
                    "used_memory:%llu\r\nused_memory_human:%s\r\nused_memory_rss:%llu\r\n"
                    "used_memory_rss_human:%s\r\nkv_memory_limit:%llu\r\nmaxmemory:0\r\n"
                    "maxmemory_policy:noeviction\r\nmem_allocator:dlmalloc\r\n",
                    (unsigned long long)used, h1, (unsigned long long)rss, h2,
                    (unsigned long long)KV_MAX_MEMORY);
    }
    if (wants(c, "persistence")) {
        char buf[2048];
        section(&t, "Persistence");
        size_t n = persist_info(buf, sizeof buf);
        text_printf(&t, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), buf);
    }
    if (wants(c, "stats")) {
        section(&t, "Stats");
        text_printf(&t,
                    "total_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
                    "total_net_input_bytes:%llu\r\ntotal_net_output_bytes:%llu\r\nrejected_connections:0\r\n"
                    "expired_keys:%llu\r\nevicted_keys:0\r\nkeyspace_hits:%llu\r\nkeyspace_misses:%llu\r\n"
                    "total_error_replies:%llu\r\n",
                    (unsigned long long)stats.connections_received, (unsigned long long)stats.commands_processed,
                    (unsigned long long)stats.net_input_bytes, (unsigned long long)stats.net_output_bytes,
                    (unsigned long long)stats.expired_keys, (unsigned long long)stats.keyspace_hits,
                    (unsigned long long)stats.keyspace_misses, (unsigned long long)stats.error_replies);
    }
    if (wants(c, "keyspace")) {
        section(&t, "Keyspace");
        if (store_count())
            text_printf(&t, "db0:keys=%llu,expires=%llu,avg_ttl=0\r\n", (unsigned long long)store_count(),
                        (unsigned long long)store_expires());
    }
    if (t.oom) reply_error(c, "OOM command not allowed: out of memory");
    else reply_bulk(c, t.p ? t.p : "", t.len);
    free(t.p);
}

/* ---- CONFIG ---- */

static const char *const params[][2] = {
    {"save", ""},
    {"appendonly", "no"},
    {"appendfsync", "always"},
    {"databases", "1"},
    {"maxmemory", "0"},
    {"maxmemory-policy", "noeviction"},
    {"proto-max-bulk-len", "16777216"},
    {"timeout", "0"},
};
#define NPARAMS (sizeof params / sizeof params[0])

static void unknown_subcommand(struct client *c, const char *container) {
    reply_errorf(c, "ERR unknown subcommand '%.*s'. Try %s HELP.", (int)(ARGL(c, 1) > 128 ? 128 : ARGL(c, 1)),
                 ARGP(c, 1), container);
}

static int sub_arity(struct client *c, const char *full, uint32_t min, uint32_t max) {
    if (c->argc >= min && c->argc <= max) return 1;
    reply_errorf(c, "ERR wrong number of arguments for '%s' command", full);
    return 0;
}

static void help(struct client *c, const char *const *lines) {
    int64_t n = 0;
    while (lines[n]) n++;
    reply_array(c, n);
    for (int64_t i = 0; i < n; i++) reply_status(c, lines[i]);
}

void cmd_config(struct client *c) {
    if (ARGIS(c, 1, "get")) {
        if (!sub_arity(c, "config|get", 3, UINT32_MAX)) return;
        int hit[NPARAMS] = {0};
        int64_t n = 0;
        for (uint32_t i = 2; i < c->argc; i++)
            for (size_t p = 0; p < NPARAMS; p++)
                if (!hit[p] && glob_match(ARGP(c, i), ARGL(c, i), (const uint8_t *)params[p][0], strlen(params[p][0]), 1))
                    hit[p] = 1, n++;
        reply_array(c, 2 * n);
        for (size_t p = 0; p < NPARAMS; p++)
            if (hit[p]) {
                reply_cbulk(c, params[p][0]);
                reply_cbulk(c, params[p][1]);
            }
    } else if (ARGIS(c, 1, "set")) {
        if (!sub_arity(c, "config|set", 4, UINT32_MAX)) return;
        reply_errorf(c, "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'",
                     (int)(ARGL(c, 2) > 128 ? 128 : ARGL(c, 2)), ARGP(c, 2));
    } else if (ARGIS(c, 1, "resetstat")) {
        if (!sub_arity(c, "config|resetstat", 2, 2)) return;
        int64_t boot = stats.boot_ms;
        uint64_t conns = stats.connections_received;
        memset(&stats, 0, sizeof stats);
        stats.boot_ms = boot;
        stats.connections_received = conns;
        reply_ok(c);
    } else if (ARGIS(c, 1, "help")) {
        static const char *const lines[] = {
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
            "RESETSTAT", "    Reset statistics reported by the INFO command.", "HELP", "    Print this help.", NULL};
        help(c, lines);
    } else {
        unknown_subcommand(c, "CONFIG");
    }
}

/* ---- COMMAND ---- */

static void command_info(struct client *c, const struct command *cmd) {
    reply_array(c, 10);
    reply_cbulk(c, cmd->name);
    reply_int(c, cmd->arity);
    int64_t nflags = 0;
    for (const char *p = cmd->flags; *p; p++)
        if (p == cmd->flags || p[-1] == ' ') nflags++;
    reply_array(c, nflags);
    for (const char *p = cmd->flags; *p;) {
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        reply_raw(c, "+", 1);
        reply_raw(c, p, n);
        reply_raw(c, "\r\n", 2);
        p += n + (e ? 1 : 0);
    }
    reply_int(c, cmd->first_key);
    reply_int(c, cmd->last_key);
    reply_int(c, cmd->key_step);
    reply_str(c, "*0\r\n*0\r\n*0\r\n*0\r\n"); /* ACL categories, tips, key specs, subcommands */
}

static const struct command *find_command(const uint8_t *name, size_t len) {
    uint32_t n;
    const struct command *t = cmd_table(&n);
    for (uint32_t i = 0; i < n; i++)
        if (eq_nocase(name, len, t[i].name)) return &t[i];
    return NULL;
}

void cmd_command(struct client *c) {
    uint32_t n;
    const struct command *t = cmd_table(&n);
    if (c->argc == 1) {
        reply_array(c, n);
        for (uint32_t i = 0; i < n; i++) command_info(c, &t[i]);
    } else if (ARGIS(c, 1, "count")) {
        if (sub_arity(c, "command|count", 2, 2)) reply_int(c, n);
    } else if (ARGIS(c, 1, "docs")) {
        reply_array(c, 0); /* no documentation: clients fall back to plain input */
    } else if (ARGIS(c, 1, "info")) {
        if (c->argc == 2) {
            reply_array(c, n);
            for (uint32_t i = 0; i < n; i++) command_info(c, &t[i]);
            return;
        }
        reply_array(c, c->argc - 2);
        for (uint32_t i = 2; i < c->argc; i++) {
            const struct command *cmd = find_command(ARGP(c, i), ARGL(c, i));
            if (cmd) command_info(c, cmd);
            else reply_nil(c);
        }
    } else if (ARGIS(c, 1, "list")) {
        reply_array(c, n);
        for (uint32_t i = 0; i < n; i++) reply_cbulk(c, t[i].name);
    } else if (ARGIS(c, 1, "help")) {
        static const char *const lines[] = {
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "(no subcommand)",
            "    Return details about all commands.", "COUNT", "    Return the total number of commands.",
            "DOCS [<command-name> ...]", "    Return documentation details (none here).",
            "INFO [<command-name> ...]", "    Return details about the given commands.", "LIST",
            "    Return a list of all commands.", "HELP", "    Print this help.", NULL};
        help(c, lines);
    } else {
        unknown_subcommand(c, "COMMAND");
    }
}

/* ---- CLIENT ---- */

void cmd_client(struct client *c) {
    if (ARGIS(c, 1, "id")) {
        if (sub_arity(c, "client|id", 2, 2)) reply_int(c, c->id);
    } else if (ARGIS(c, 1, "setname")) {
        if (!sub_arity(c, "client|setname", 3, 3)) return;
        size_t len = ARGL(c, 2);
        for (size_t i = 0; i < len; i++)
            if (ARGP(c, 2)[i] < '!' || ARGP(c, 2)[i] > '~') {
                reply_error(c, "ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
        if (len >= sizeof c->name) len = sizeof c->name - 1; /* kept short; enough to read it back */
        memcpy(c->name, ARGP(c, 2), len);
        c->name[len] = 0;
        reply_ok(c);
    } else if (ARGIS(c, 1, "getname")) {
        if (!sub_arity(c, "client|getname", 2, 2)) return;
        if (c->name[0]) reply_cbulk(c, c->name);
        else reply_nil(c);
    } else if (ARGIS(c, 1, "setinfo")) {
        if (!sub_arity(c, "client|setinfo", 4, 4)) return;
        if (ARGIS(c, 2, "lib-name") || ARGIS(c, 2, "lib-ver")) reply_ok(c);
        else reply_errorf(c, "ERR Unrecognized option '%.*s'", (int)(ARGL(c, 2) > 128 ? 128 : ARGL(c, 2)), ARGP(c, 2));
    } else if (ARGIS(c, 1, "help")) {
        static const char *const lines[] = {
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "ID", "    Return the client id.",
            "GETNAME", "    Return the name of the current connection.", "SETNAME <name>",
            "    Assign the name <name> to the current connection.", "SETINFO <option> <value>",
            "    Set client meta attr (lib-name, lib-ver).", "HELP", "    Print this help.", NULL};
        help(c, lines);
    } else {
        unknown_subcommand(c, "CLIENT");
    }
}
